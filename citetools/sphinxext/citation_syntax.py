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
to MyST: the page shows it as text and nothing runs. A bibliography's
``:style:`` that pybtex does not know stopped the build with an "Extension
error" once the pages were read. A ``:filter:`` that reads a name that is
neither the filter's own nor a field of any entry is empty for every entry, and
the list shows nothing without a word (``citetools.bibfilter``). Only a reading
of the page finds these: a page with a role name not followed by its text, or
with a bibliography's options, is read as lint reads it (fences, comments, and
the options as MyST's own reader has them), and each is named at its line with
lint's message. An unknown style is replaced by the site's, on the same lines,
so the build goes on to its other warnings.
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
from citetools.page_patterns import FENCE, HEADING, LINK_TEXT, ROLE, UNDERLINE

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
_BARE_ROLE = re.compile(rf"{ROLE.pattern}(?!`[^`])")


def _worth_reading(text: str) -> bool:
    """A page where the reader may find what no role reports: a role name shown as
    text, a role in a heading (either kind) or a link's text, a backtick in a fence's
    first line."""
    if _BARE_ROLE.search(text) or any(ROLE.search(m["inner"]) for m in LINK_TEXT.finditer(text)):
        return True
    for heading in HEADING.finditer(text):
        end = text.find("\n", heading.end())
        if ROLE.search(text, heading.end(), end if end >= 0 else len(text)):
            return True
    for underline in UNDERLINE.finditer(text):  # the text above it, back to a blank line
        if ROLE.search(text, text.rfind("\n\n", 0, underline.start()) + 1, underline.start()):
            return True
    return any(f["fence"][0] == "`" and "`" in f["info"] for f in FENCE.finditer(text))


def _known_style(name: str) -> bool:
    from pybtex.plugin import PluginNotFound, find_plugin

    try:
        find_plugin("pybtex.style.formatting", name)
    except PluginNotFound:
        return False
    return True


def _entry_fields(app: Sphinx) -> list[str]:
    entries = app.env.get_domain("cite").bibdata.data.entries  # type: ignore[attr-defined]
    return sorted({name.lower() for entry in entries.values() for name in entry.fields})


def check_page(app: Sphinx, docname: str, source: list[str]) -> None:
    """What only a reading of the page finds, read as lint reads it (``pages``): role
    names shown as text, and a bibliography's filter and style."""
    text = source[0]
    options = "{bibliography}" in text and ("filter" in text or "style" in text)
    if not options and not _worth_reading(text):
        return  # the usual page: no options, every role name followed by its text
    from citetools import pages  # not loaded by a build whose pages need no reading

    scanned = pages.scan(app.env.doc2path(docname), text)
    found = [(p.line, p.message) for p in scanned.problems if p.build_reports]
    found += [(m.line, pages.NO_REASON) for m in scanned.markers if m.build_reports]
    fields: list[str] | None = None  # read from the .bib only for a filter that needs it
    for bib_filter in scanned.filters:
        if not bibfilter.unknown_names(bib_filter.value, ()):
            continue  # the filter's own names only, as in `docname in docnames`
        fields = _entry_fields(app) if fields is None else fields
        for name in bibfilter.unknown_names(bib_filter.value, fields):
            found.append((bib_filter.line, bibfilter.unknown_name_message(name, fields)))
    lines = text.split("\n")
    default = app.config.bibtex_default_style
    for style in scanned.styles:
        if _known_style(style.value):
            continue
        found.append(
            (
                style.line,
                f"`:style: {style.value}` is not a bibliography style the site has: delete "
                f"the line (the site's style, `{default}`, is used)",
            )
        )
        # The site's style instead, on the same lines, the other options kept.
        for number in range(style.line, style.last_line + 1):
            row = lines[number - 1]
            # Its indentation, and its colon unless in the YAML block.
            start = row[: len(row) - len(row.lstrip())] + (":" if row.lstrip()[:1] == ":" else "")
            lines[number - 1] = start + (f"style: {default}" if number == style.line else "#")
    source[0] = "\n".join(lines)
    for line, message in sorted(found):
        logger.warning(message, location=(docname, line), type="bibtex", subtype="citation_syntax")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_role("cite", CheckedCiteRole(), override=True)
    for name in BibtexDomain.roles:
        app.add_role_to_domain(BibtexDomain.name, name, CheckedCiteRole(), override=True)
    app.connect("source-read", check_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
