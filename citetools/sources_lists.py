"""Each answer lists its own sources: what lint and the build say when a page does not.

A page that cites ends with its Sources list, a bibliography whose
``:filter: docname in docnames`` keeps it to the page's own sources. The build
passes when that list is gone (readers of the answer see no sources), shows
every source the site cites (the filter line deleted, or replaced by
``:cited:``; named when another page lists everything, the References page,
which may cite in its own text), or shows other entries than the page's (``:notcited:``, a reading
list's ``:filter: False``, a condition or a ``:keyprefix:`` too many, a
citation of a key with another page's prefix). Two lists on one page with the
same ``:keyprefix:`` (or none) give their entries the same anchors, and
upstream says only "duplicate citation id".

A source counts as shown when readers see its entry on the page, in any list
(a reading list's too), whatever the citation links to. The build knows what
each list shows and names all of these (``sphinxext.sources_lists_check``);
lint reads the options as written (``upstream_filter``) and names what they
make certain, leaving to the build a filter's extra condition, what an
included file holds and lists this reader cannot read (in a blockquote, on a
list item's line, in eval-rst). Both use the judgements and messages here.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the build needs the messages, not the page reader
    from citetools.pages import Citation, Page

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
    "this list has the same `:keyprefix:` as a list above it on this page (or neither has "
    "one), so their entries get the same anchors and citations link to the wrong list or "
    'nowhere (upstream\'s "duplicate citation id"): give each list but the Sources list a '
    "`:keyprefix:` of its own, e.g. `:keyprefix: read-` (or delete this list if it repeats "
    "the one above)"
)

# What upstream lists with no option that chooses; and for an empty filter, which it
# reads as no expression (it warns of each entry, then lists them all).
_EVERY_CITED = {ast.dump(ast.parse("cited")), ast.dump(ast.parse(""))}
_ALL = ast.dump(ast.parse("True"))
# A reading list (`:filter: False`) and `:notcited:` show none of the page's citations.
_NONE_CITED = {ast.dump(ast.parse("False")), ast.dump(ast.parse("not cited"))}


def upstream_filter(options: Mapping[str, str | None]) -> ast.AST:
    """The filter sphinxcontrib-bibtex 2.7 gives a list with these options (its
    directive's ``_get_filter``): the build has it, lint works it out."""
    if "filter" in options:
        try:
            return ast.parse((options["filter"] or "").strip())
        except SyntaxError:
            return ast.parse("cited")  # upstream warns, then uses this
    if "all" in options:
        return ast.parse("True")
    if "notcited" in options:
        return ast.parse("not cited")
    return ast.parse("cited")


def shows_every_cited(filter_: ast.AST) -> bool:
    return ast.dump(filter_) in _EVERY_CITED


def lists_everything(filter_: ast.AST) -> bool:
    """A References page's list: every source cited, or every entry (`:all:`)."""
    return shows_every_cited(filter_) or ast.dump(filter_) == _ALL


def every_source_listed(lines: list[int], references_elsewhere: bool) -> list[int]:
    """The lines of a citing page's lists that show every source the site cites, when
    another page lists them all (that page is the References page; this is an answer)."""
    return lines if references_elsewhere else []


def may_show_citations(filter_: ast.AST) -> bool:
    """Whether a list with this filter may show what its page cites (a condition too
    many only the build can tell)."""
    return ast.dump(filter_) not in _NONE_CITED


def named_entry(
    cited: str, is_entry: Callable[[str], bool], prefixes: Iterable[str]
) -> tuple[str, str] | None:
    """The entry a cited key names and the citation list's prefix it was cited with
    (``""``: none), or None for a key of no entry. Only a citation list's prefix counts:
    a bullet or numbered list's entries are no citations' targets."""
    if is_entry(cited):
        return cited, ""
    found = ((cited[len(p) :], p) for p in prefixes if cited.startswith(p))
    return next(((entry, p) for entry, p in found if is_entry(entry)), None)


def repeated_prefixes(lists: Iterable[tuple[int, str]]) -> list[int]:
    """The lines of the lists, given as (line, keyprefix), whose prefix (or none) gives
    the same anchors as a list above them on the page's: anchors are made as docutils
    makes ids (`Peer_` is `peer-`; `1-`, digits and punctuation first, is no prefix)."""
    from docutils.nodes import make_id

    seen: set[str] = set()
    repeated = []
    for line, prefix in sorted(lists):
        anchor = make_id(prefix + "key")
        if anchor in seen:
            repeated.append(line)
        seen.add(anchor)
    return repeated


def not_listed(key: str, more: int, own_list: bool) -> str:
    """*key* cited on a page where no list shows it (*own_list*: one list there may show
    what the page cites, but its options keep this key out)."""
    others = f" (and {more} more of its sources)" if more else ""
    fix = (
        "the page's Sources list needs `:filter: docname in docnames`, with no other "
        "condition and no `:keyprefix:`"
        if own_list
        else "end the page with its Sources list, a ```{bibliography} fence holding "
        "`:filter: docname in docnames`"
    )
    return (
        f"`{key}` is cited here, but no list on this page shows it{others}, so readers of "
        f"the page cannot see that source: {fix}"
    )


def lost_message(
    cited: str, entry: str, prefix: str, prefixes_here: set[str], more: int, own_list: bool
) -> str:
    """What to say of *cited* (*entry* through *prefix*, or none), which no list of the
    page shows."""
    if not prefix:
        return not_listed(cited, more, own_list)
    if prefix in prefixes_here:
        return (
            f"`{cited}` names this page's list with `:keyprefix: {prefix}`, which does not "
            f"show `{entry}`: write `{entry}` in that list, or cite `{entry}`"
        )
    return (
        f"`{cited}` names a list on another page (its `{prefix}` is that list's "
        f"`:keyprefix:`), not this page's sources: cite `{entry}`"
    )


def page_findings(
    page: Page, name: Callable[[str], tuple[str, str] | None], references_elsewhere: bool
) -> list[tuple[int, str, str]]:
    """What lint can tell from the page as written: (line, code, message). *name* is
    ``named_entry`` for the site's bibliography and prefixes; *references_elsewhere*:
    another page lists every source (``lists_everything``)."""
    lists = [b for b in page.bibliographies if b.read]
    found = [
        (line, "list-prefix", SHARED_ANCHORS)
        for line in repeated_prefixes((b.line, b.keyprefix) for b in lists)
    ]
    cited = [c for c in page.citations if not c.role.startswith("footcite")]
    if not cited:
        return found
    if not page.bibliographies and not page.includes:
        return [(cited[0].line, "sources-list", NO_SOURCES_LIST)]
    judged = [(b, upstream_filter(b.values)) for b in lists]
    every = every_source_listed(
        [b.line for b, f in judged if shows_every_cited(f)], references_elsewhere
    )
    # What an included file or a list this reader cannot read shows, the build knows.
    if every or len(lists) < len(page.bibliographies) or page.includes:
        return found + [(line, "sources-list", EVERY_SOURCE_LISTED) for line in every]
    # Readers see an entry written in any list of the page (a reading list's too); a
    # list that may show citations is trusted for the citations made with its prefix
    # (a condition too many only the build can tell).
    own = [b.keyprefix for b, f in judged if may_show_citations(f)]
    visible = {key for b in lists for key in b.keys}
    for c in cited:  # an own list shows the entries cited with its prefix
        entries = (c.key[len(p) :] for p in own if c.key.startswith(p))
        visible |= {entry for entry in entries if name(entry) == (entry, "")}
    named = [(c, name(c.key)) for c in cited]
    lost = _first_citations(c for c, n in named if n is not None and n[0] not in visible)
    if lost:
        first = lost[0]
        entry, prefix = name(first.key) or (first.key, "")
        here = {b.keyprefix for b in lists}
        message = lost_message(first.key, entry, prefix, here, len(lost) - 1, bool(own))
        found.append((first.line, "sources-list", message))
    return found


def _first_citations(citations: Iterable[Citation]) -> list[Citation]:
    """The first citation of each key."""
    found: dict[str, Citation] = {}
    for citation in citations:
        found.setdefault(citation.key, citation)
    return list(found.values())
