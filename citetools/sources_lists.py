"""Each answer lists its own sources: what lint and the build say when a page does not.

A page that cites ends with its Sources list, a bibliography whose
``:filter: docname in docnames`` keeps it to the page's own sources. The build
passes when that list is gone (readers of the answer see no sources), shows
every source the site cites (the filter line deleted, or replaced by
``:cited:``: 49 sources under one answer), or shows other entries than the
page's (``:notcited:``, a reading list's ``:filter: False``, a condition or a
``:keyprefix:`` too many). Two lists on one page without a ``:keyprefix:`` of
their own give their entries the same anchors, and upstream says only
"duplicate citation id". The build knows what each list shows and names all of
these (``sphinxext.sources_lists_check``); lint reads the options as written and names what
they make certain.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the build needs the messages, not the page reader
    from citetools.pages import Bibliography, Citation, Page

NO_SOURCES_LIST = (
    "this page cites sources but does not list them, so its readers cannot see them: end "
    "the page with a `## Sources` heading and a ```{bibliography} fence holding "
    "`:filter: docname in docnames`, as the answers do"
)
EVERY_SOURCE_LISTED = (
    "this list shows every source cited anywhere in the site, not this page's: its filter "
    "line must be `:filter: docname in docnames` (in place of any other `:filter:` or "
    "`:cited:` line)"
)
SHARED_ANCHORS = (
    "this page's lists without a `:keyprefix:` give their entries the same anchors, so "
    'citations link to the wrong list or nowhere (upstream\'s "duplicate citation id"): '
    "give each list but the Sources list a `:keyprefix:` of its own, e.g. `:keyprefix: read-`"
)

#: What a bibliography lists with no option that chooses (upstream's default), or
#: with a filter it cannot parse (upstream warns, then uses this).
EVERY_CITED = ast.dump(ast.parse("cited"))


def not_listed(key: str, more: int) -> str:
    others = f" (and {more} more of its sources)" if more else ""
    return (
        f"`{key}` is cited here, but no list on this page shows it{others}, so readers of "
        "the page cannot see that source: the page's Sources list needs "
        "`:filter: docname in docnames`, with no other condition and no `:keyprefix:`"
    )


def shows_every_cited(bibliography: Bibliography) -> bool:
    """Whether the list shows every source the site cites, as sphinxcontrib-bibtex 2.7
    chooses a list's entries."""
    if bibliography.filter is None:
        return not {"filter", "all", "notcited"} & bibliography.options.keys()
    try:
        return ast.dump(ast.parse(bibliography.filter.strip())) == EVERY_CITED
    except SyntaxError:
        return True


def missing(cited: Iterable[Citation], listed: set[str]) -> list[Citation]:
    """The first citation of each key in *cited* that is not *listed*."""
    found: dict[str, Citation] = {}
    for citation in cited:
        if citation.key not in listed:
            found.setdefault(citation.key, citation)
    return list(found.values())


def page_findings(page: Page, entry_key: Callable[[str], str | None]) -> list[tuple[int, str, str]]:
    """What lint can tell from the page as written: (line, code, message). *entry_key*
    gives the bibliography's key a citation names (with a list's prefix or not)."""
    lists = [b for b in page.bibliographies if b.read]
    unprefixed = [b.line for b in lists if not b.keyprefix]
    found = [(line, "list-prefix", SHARED_ANCHORS) for line in unprefixed[1:]]
    cited = [c for c in page.citations if not c.role.startswith("footcite")]
    if not cited:
        return found
    if not page.bibliographies:
        return [(cited[0].line, "sources-list", NO_SOURCES_LIST)]
    every = [b.line for b in lists if shows_every_cited(b)]
    if every or len(lists) < len(page.bibliographies):
        return found + [(line, "sources-list", EVERY_SOURCE_LISTED) for line in every]
    # Lists that show only the keys written in them (a reading list's `:filter: False`)
    # or what no page cites (`:notcited:`): the page's other sources are in none of
    # them. Other filters may show them: the build knows.
    if all(_shows_none_cited(b) for b in lists):
        listed = {b.keyprefix + key for b in lists for key in b.keys}
        lost = missing([c for c in cited if entry_key(c.key) is not None], listed)
        if lost:
            found.append((lost[0].line, "sources-list", not_listed(lost[0].key, len(lost) - 1)))
    return found


def _shows_none_cited(bibliography: Bibliography) -> bool:
    if bibliography.filter is not None:
        return bibliography.filter.strip() == "False"
    return "notcited" in bibliography.options
