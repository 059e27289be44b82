"""Each page that cites shows its sources in a list of its own: the build's check.

What a page's lists show is what sphinxcontrib-bibtex decided in its own
``env-updated`` (which filters and prefixes chose): this check runs after it,
in every build, over every page, and names what ``citetools.sources_lists``
describes, with lint's messages and at the lines lint names.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata
from sphinxcontrib.bibtex.domain import BibtexDomain

from citetools import bibfilter, sources_lists

logger = logging.getLogger(__name__)


def check_sources_lists(app: Sphinx, env: Any) -> None:
    """Pages whose citations no list on them shows, and lists that share anchors."""
    domain: BibtexDomain = env.get_domain("cite")
    cited: dict[str, list[str]] = defaultdict(list)
    for ref in domain.citation_refs:
        cited[ref.docname] += [target.key for target in ref.targets]
    lists: dict[str, list[Any]] = defaultdict(list)
    for key, bibliography in domain.bibliographies.items():
        lists[key.docname].append(bibliography)
    shown: dict[str, set[str]] = defaultdict(set)
    targets: set[str] = set()  # what a citation can link to, anywhere in the site
    for citation in domain.citations:
        shown[citation.bibliography_key.docname].add(citation.key)
        if domain.bibliographies[citation.bibliography_key].list_ == "citation":
            targets.add(citation.key)
    entries = domain.bibdata.data.entries
    prefixes = {b.keyprefix for b in domain.bibliographies.values() if b.keyprefix}
    for docname in sorted(cited.keys() | lists.keys()):
        found: list[tuple[str | int, str, str]] = []  # (key cited there, or line; rule; message)
        repeated = sources_lists.repeated_prefixes((b.line, b.keyprefix) for b in lists[docname])
        found += [(line, "list_prefix", sources_lists.SHARED_ANCHORS) for line in repeated]
        every = [b.line for b in lists[docname] if sources_lists.shows_every_cited(b.filter_)]
        if docname not in cited:
            pass  # no citation to show
        elif not lists[docname]:
            found.append((cited[docname][0], "sources_list", sources_lists.NO_SOURCES_LIST))
        elif every:
            found += [(line, "sources_list", sources_lists.EVERY_SOURCE_LISTED) for line in every]
        elif not _misspelt_filter(lists[docname], entries):  # if so, named when read
            # A key no citation list shows is upstream's "could not find" already.
            lost = [k for k in dict.fromkeys(cited[docname]) if k in targets - shown[docname]]
            if lost:
                here = {b.keyprefix for b in lists[docname]}
                other = [p for p in prefixes - here if lost[0].startswith(p)]
                if other and lost[0][len(other[0]) :] in entries:
                    message = sources_lists.prefixed_elsewhere(lost[0], other[0])
                else:
                    own = any(sources_lists.may_show_citations(b.filter_) for b in lists[docname])
                    message = sources_lists.not_listed(lost[0], len(lost) - 1, own)
                found.append((lost[0], "sources_list", message))
        for where, rule, message in found:
            line = where if isinstance(where, int) else _citation_line(env, docname, where)
            logger.warning(message, location=(docname, line), type="bibtex", subtype=rule)


def _misspelt_filter(lists: list[Any], entries: Any) -> bool:
    """Whether a list's filter reads a name no entry has (``citation_syntax`` names it)."""
    if not any(bibfilter.unknown_names(b.filter_, ()) for b in lists):
        return False
    fields = bibfilter.entry_fields(entries)
    return any(bibfilter.unknown_names(b.filter_, fields) for b in lists)


def _citation_line(env: Any, docname: str, key: str) -> int:
    """The line of the page's first citation of *key*, as lint finds it."""
    from citetools import pages

    path = env.doc2path(docname)
    scanned = pages.scan(path, path.read_text(encoding="utf-8"))
    return min((c.line for c in scanned.citations if c.key == key), default=1)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxcontrib.bibtex")
    # After sphinxcontrib-bibtex's (priority 500), which decides what each list shows.
    app.connect("env-updated", check_sources_lists, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
