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
    shown: dict[str, set[str]] = defaultdict(set)  # the entries each page's lists show
    for citation in domain.citations:
        shown[citation.bibliography_key.docname].add(citation.entry.key)
    entries = domain.bibdata.data.entries
    prefixes = {
        b.keyprefix for b in domain.bibliographies.values() if b.keyprefix and b.list_ == "citation"
    }

    listing_everything = {
        d
        for d, on_page in lists.items()
        for b in on_page
        if sources_lists.lists_everything(b.filter_)
    }
    for docname in sorted(cited.keys() | lists.keys()):
        found: list[tuple[int, str, str]] = []  # (line, rule, message)
        repeated = sources_lists.repeated_prefixes((b.line, b.keyprefix) for b in lists[docname])
        found += [(line, "list_prefix", sources_lists.SHARED_ANCHORS) for line in repeated]
        every = sources_lists.every_source_listed(
            [b.line for b in lists[docname] if sources_lists.shows_every_cited(b.filter_)],
            bool(listing_everything - {docname}),
        )
        if docname not in cited:
            pass  # no citation to show
        elif not lists[docname]:
            line = _citation_line(env, docname, cited[docname][0])
            found.append((line, "sources_list", sources_lists.NO_SOURCES_LIST))
        elif every:
            found += [(line, "sources_list", sources_lists.EVERY_SOURCE_LISTED) for line in every]
        # A misspelt name in a filter is the cause, named where the page was read.
        elif not any(bibfilter.misspelt_names(b.filter_, entries)[0] for b in lists[docname]):
            # A key of no entry is upstream's "could not find" (and lint's undefined-key).
            named = {
                k: sources_lists.named_entry(k, entries.__contains__, prefixes)
                for k in dict.fromkeys(cited[docname])
            }
            lost = [(k, e) for k, e in named.items() if e and e[0] not in shown[docname]]
            if lost:
                first, (entry, prefix) = lost[0]
                here = {b.keyprefix for b in lists[docname]}
                own = any(sources_lists.may_show_citations(b.filter_) for b in lists[docname])
                message = sources_lists.lost_message(first, entry, prefix, here, len(lost) - 1, own)
                found.append((_citation_line(env, docname, first), "sources_list", message))
        for line, rule, message in found:
            logger.warning(message, location=(docname, line), type="bibtex", subtype=rule)


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
