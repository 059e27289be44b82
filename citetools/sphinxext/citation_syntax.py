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
to MyST: the page shows it as text and nothing runs. Only a reading of the page
finds these: a page with a role name not followed by its text is read as lint
reads it (fences, comments), and each is named at its line with lint's message.

A bibliography's ``:style:`` that pybtex does not know stopped the build with
an "Extension error" once the pages were read; a ``:filter:`` that reads a name
that is neither the filter's own nor a field of any entry is empty for every
entry, and the list shows nothing without a word (``citetools.bibfilter``).
Both are checked as each page is read, in the bibliographies sphinxcontrib-bibtex
recorded from the options MyST gave its directive, and named at the option's
line (found as lint finds it); an unknown style is replaced by the site's, so
the build goes on to its other warnings; a ``bibtex_default_style`` that does
not exist is named in conf.py, and the nearest style used.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
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
# A role name whose backticks its line does not close with a run as long
# (`{cite:p}`key.`): the reader then looks for the close as Markdown would.
_UNCLOSED_ROLE = re.compile(
    rf"{ROLE.pattern}(?P<ticks>`+)(?!`)(?:(?!(?<!`)(?P=ticks)(?!`)).)*$", re.M
)


def _worth_reading(text: str) -> bool:
    """A page where the reader may find what no role reports: a role name shown as
    text (no backticks after it, or none to close them), a role in a heading (either
    kind) or a link's text, a backtick in a fence's first line."""
    if _BARE_ROLE.search(text) or _UNCLOSED_ROLE.search(text):
        return True
    if any(ROLE.search(m["inner"]) for m in LINK_TEXT.finditer(text)):
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

    if not name.strip():
        return False  # pybtex would give its default style, not the site's
    try:
        find_plugin("pybtex.style.formatting", name)
    except PluginNotFound:
        return False
    return True


def check_default_style(app: Sphinx, config: Any) -> None:
    """conf.py's ``bibtex_default_style``, which every list is printed in, must exist
    (upstream stopped the build with an "Extension error" once the pages were read):
    named at its line, and the nearest style (or pybtex's default) used meanwhile."""
    from pybtex.plugin import enumerate_plugin_names

    default = config.bibtex_default_style
    if _known_style(default):
        return
    styles = sorted(set(enumerate_plugin_names("pybtex.style.formatting")))
    by_lower = {style.lower(): style for style in styles}
    nearest = [by_lower[n] for n in difflib.get_close_matches(default.lower(), by_lower, n=1)]
    config.bibtex_default_style = nearest[0] if nearest else "unsrt"
    conf = Path(app.confdir, "conf.py")
    rows = conf.read_text(encoding="utf-8").splitlines() if conf.is_file() else []
    setting = re.compile(r"^\s*bibtex_default_style\s*=")
    line = next((n for n, row in enumerate(rows, 1) if setting.match(row)), 0)
    logger.warning(
        f"bibtex_default_style = {default!r} is not a bibliography style the site has: "
        + (f"did you mean {nearest[0]!r}?" if nearest else f"use one of {styles}"),
        location=f"{conf}:{line}",
        type="bibtex",
        subtype="default_style",
    )


def check_bibliographies(app: Sphinx, doctree: nodes.document) -> None:
    """The filter and style of each bibliography of the page just read."""
    docname = app.env.docname
    domain: BibtexDomain = app.env.get_domain("cite")  # type: ignore[assignment]
    default = app.config.bibtex_default_style
    found: list[tuple[int, str, str]] = []  # (directive's line, option, message)
    on_page = [(k, b) for k, b in domain.bibliographies.items() if k.docname == docname]
    for key, bibliography in on_page:
        names, fields = bibfilter.misspelt_names(bibliography.filter_, domain.bibdata.data.entries)
        for name in names:
            message = bibfilter.unknown_name_message(name, fields)
            found.append((bibliography.line, "filter", message))
        # The site's own style unknown is conf.py's mistake (check_default_style).
        if bibliography.style != default and not _known_style(bibliography.style):
            found.append(
                (
                    bibliography.line,
                    "style",
                    f"`:style: {bibliography.style}` is not a bibliography style the site "
                    f"has: delete the line (the site's style, `{default}`, is used)",
                )
            )
            # Before sphinxcontrib-bibtex formats the list with it (env-updated).
            domain.bibliographies[key] = bibliography._replace(style=default)
    if found:
        _warn_at_options(app, docname, found, sorted(b.line for _, b in on_page))


def _warn_at_options(
    app: Sphinx, docname: str, found: list[tuple[int, str, str]], starts: list[int]
) -> None:
    """Each message at its option's line, found as lint finds it (``pages``), between
    its directive's line and the next directive's (*starts*)."""
    from citetools import pages

    path = app.env.doc2path(docname)
    scanned = pages.scan(path, path.read_text(encoding="utf-8"))
    located = []
    for directive_line, option, message in found:
        later = [start for start in starts if start > directive_line]
        end = later[0] if later else float("inf")
        options = scanned.filters if option == "filter" else scanned.styles
        lines = [o.line for o in options if directive_line < o.line < end]
        located.append((min(lines, default=directive_line), message))
    for line, message in sorted(located):
        logger.warning(message, location=(docname, line), type="bibtex", subtype="citation_syntax")


def check_page(app: Sphinx, docname: str, source: list[str]) -> None:
    """Role names shown as text and the like, found by reading the page as lint reads
    it (``pages``)."""
    text = source[0]
    if not _worth_reading(text):
        return  # the usual page: every role name followed by its text
    from citetools import pages  # not loaded by a build whose pages need no reading

    scanned = pages.scan(app.env.doc2path(docname), text)
    found = [(p.line, p.message) for p in scanned.problems if p.build_reports]
    found += [(m.line, pages.NO_REASON) for m in scanned.markers if m.build_reports]
    for line, message in sorted(found):
        logger.warning(message, location=(docname, line), type="bibtex", subtype="citation_syntax")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_role("cite", CheckedCiteRole(), override=True)
    for name in BibtexDomain.roles:
        app.add_role_to_domain(BibtexDomain.name, name, CheckedCiteRole(), override=True)
    app.connect("source-read", check_page)
    app.connect("config-inited", check_default_style)
    app.connect("doctree-read", check_bibliographies)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
