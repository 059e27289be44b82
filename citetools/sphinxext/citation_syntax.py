"""A citation or bibliography sphinxcontrib-bibtex cannot read: a warning at its page
and line, with the fix, instead of a crash report.

sphinxcontrib-bibtex's citation roles (not ``footcite``, which parses nothing)
raise on a target they cannot parse
(`{cite:p}`key,``, an empty one, a note without a key, an unclosed `{`), and
Sphinx then stops with a crash report that names neither the page nor a fix.
The roles are registered again (Sphinx's ``add_role``, upstream's public role
classes) as roles that say what ``citetools lint`` says, at the citation, and
leave its text as written in the page; ``-W`` then stops the build there.

A role name with a space before its backticks, or with empty ones, is no role
to MyST: the page shows it as text and nothing runs. Pages where a role name
is not followed by backticks and text are read as lint reads them, for those.

A bibliography's ``:style:`` that pybtex does not know stopped the build with
an "Extension error" once the pages were read. The option is checked as the
page is read; an unknown one is named at its line and left out (the page then
gets the site's style), so the build goes on to its other warnings.

A ``:filter:`` that reads a name that is neither the filter's own nor a field
of any entry is empty for every entry, and the list shows nothing without a
word (``citetools.bibfilter``). A page whose filters are not plainly the
filter's own names is read as lint reads it (fences, comments, and the options
as MyST reads them), and such a name is named at its line with lint's message.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata
from sphinxcontrib.bibtex.domain import BibtexDomain
from sphinxcontrib.bibtex.roles import CiteRole

from citetools import bibfilter
from citetools.role_names import ROLE_NAME

logger = logging.getLogger(__name__)


class CheckedCiteRole(CiteRole):
    """Upstream's role, or a warning and the citation's text where it cannot read it."""

    def result_nodes(
        self, document: nodes.document, env: Any, node: nodes.Element, is_ref: bool
    ) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        try:
            # Upstream's method is not annotated.
            result: tuple[list[nodes.Node], list[nodes.system_message]]
            result = super().result_nodes(document, env, node, is_ref)  # type: ignore[no-untyped-call]
        except ValueError:  # upstream's "malformed citation target"
            from citetools import pages  # the page reader, for its wording

            logger.warning(
                pages.unreadable_citation(self.name, self.target),
                location=node,
                type="bibtex",
                subtype="citation_syntax",
            )
            return [nodes.inline(self.rawtext, self.rawtext)], []
        return result


# A role name not followed by a backtick and a character other than a backtick.
_SUSPECT = re.compile(rf"\{{(?:{ROLE_NAME})\}}(?!`[^`])")


def check_source(app: Sphinx, docname: str, source: list[str]) -> None:
    if not _SUSPECT.search(source[0]):
        return  # the usual page: every role name is followed by its text
    from citetools import pages  # not loaded by a build whose pages need no reading

    for problem in pages.scan(app.env.doc2path(docname), source[0]).problems:
        if problem.shown_as_text:
            logger.warning(
                problem.message,
                location=(docname, problem.line),
                type="bibtex",
                subtype="citation_syntax",
            )


# A `:style:` option line, or `style:` in the options' YAML block: what makes a page
# worth reading as lint reads it, unless it names a style the site has.
_STYLE = re.compile(r"^[ \t]*:?style:[ \t]*(?P<name>.*?)[ \t]*$", re.M)


def _known_style(name: str) -> bool:
    from pybtex.plugin import PluginNotFound, find_plugin

    try:
        find_plugin("pybtex.style.formatting", name)
    except PluginNotFound:
        return False
    return True


def check_styles(app: Sphinx, docname: str, source: list[str]) -> None:
    text = source[0]
    if all(_known_style(option["name"]) for option in _STYLE.finditer(text)):
        return
    from citetools import pages  # lint's reading: fences, comments and YAML as MyST has them

    lines = text.split("\n")
    for style in pages.scan(app.env.doc2path(docname), text).styles:
        if _known_style(style.value):
            continue
        logger.warning(
            f"`:style: {style.value}` is not a bibliography style the site has: delete "
            f"the line (the site's style, `{app.config.bibtex_default_style}`, is used)",
            location=(docname, style.line),
            type="bibtex",
            subtype="citation_syntax",
        )
        # Left out, keeping the lines where they are, so the build can go on.
        lines[style.line - 1] = " " * len(lines[style.line - 1])
    source[0] = "\n".join(lines)


# A `:filter:` option line, or `filter:` in the options' YAML block: what makes a
# page worth reading as lint reads it, unless the filter plainly uses the filter's
# own names (`docname in docnames`, `False`).
_FILTER = re.compile(r"^[ \t]*:?filter:[ \t]*(?P<value>.*?)[ \t]*$", re.M)


def _plain(value: str) -> bool:
    return value[:1] not in "'\"|>" and not bibfilter.unknown_names(value, ())


def _entry_fields(app: Sphinx) -> list[str]:
    entries = app.env.get_domain("cite").bibdata.data.entries  # type: ignore[attr-defined]
    return sorted({name.lower() for entry in entries.values() for name in entry.fields})


def check_filters(app: Sphinx, docname: str, source: list[str]) -> None:
    text = source[0]
    if all(_plain(option["value"]) for option in _FILTER.finditer(text)):
        return
    from citetools import pages  # lint's reading: fences, comments and YAML as MyST has them

    fields = _entry_fields(app)
    for bib_filter in pages.scan(app.env.doc2path(docname), text).filters:
        for name in bibfilter.unknown_names(bib_filter.value, fields):
            logger.warning(
                bibfilter.unknown_name_message(name, fields),
                location=(docname, bib_filter.line),
                type="bibtex",
                subtype="citation_syntax",
            )


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_role("cite", CheckedCiteRole(), override=True)
    for name in BibtexDomain.roles:
        app.add_role_to_domain(BibtexDomain.name, name, CheckedCiteRole(), override=True)
    app.connect("source-read", check_source)
    app.connect("source-read", check_styles)
    app.connect("source-read", check_filters)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
