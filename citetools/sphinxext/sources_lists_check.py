"""Each page that cites shows its sources in a list of its own: the build's check.

What a page's lists show is what sphinxcontrib-bibtex decided in its own
``env-updated`` (which filters and prefixes chose): this check runs after it,
in every build, over every page, and names what ``citetools.sources_lists``
describes, with lint's messages and at the lines lint names.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata
from sphinxcontrib.bibtex.domain import BibtexDomain

from citetools import bibfilter, sources_lists
from citetools.sphinxext.citation_syntax import entry_fields

logger = logging.getLogger(__name__)


def check_sources_lists(app: Sphinx, env: Any) -> None:
    """Pages whose citations no list on them shows, or with lists that share anchors."""
    domain: BibtexDomain = env.get_domain("cite")
    cited: dict[str, list[str]] = defaultdict(list)
    for ref in domain.citation_refs:
        cited[ref.docname] += [target.key for target in ref.targets]
    lists: dict[str, list[Any]] = defaultdict(list)
    for key, bibliography in domain.bibliographies.items():
        lists[key.docname].append(bibliography)
    shown: dict[str, set[str]] = defaultdict(set)
    for citation in domain.citations:
        shown[citation.bibliography_key.docname].add(citation.key)
    listed_anywhere = set().union(*shown.values())
    fields: list[str] | None = None
    for docname in sorted(cited.keys() | lists.keys()):
        # (line, or the key cited there; rule; message)
        found: list[tuple[int | str, str, str]] = []
        unprefixed = sorted(b.line for b in lists[docname] if not b.keyprefix)
        found += [(line, "list_prefix", sources_lists.SHARED_ANCHORS) for line in unprefixed[1:]]
        every = [b.line for b in lists[docname] if ast.dump(b.filter_) == sources_lists.EVERY_CITED]
        if docname not in cited:
            pass  # nothing to show
        elif not lists[docname]:
            found.append(("", "sources_list", sources_lists.NO_SOURCES_LIST))
        elif every:
            found += [(line, "sources_list", sources_lists.EVERY_SOURCE_LISTED) for line in every]
        else:
            fields = entry_fields(domain) if fields is None else fields
            # A misspelt name in a filter is the cause, named where the page was read.
            misspelt = any(bibfilter.unknown_names(b.filter_, fields) for b in lists[docname])
            # Keys listed nowhere are upstream's "could not find" warnings already.
            keys = dict.fromkeys(k for k in cited[docname] if k in listed_anywhere)
            lost = [k for k in keys if k not in shown[docname]]
            if lost and not misspelt:
                message = sources_lists.not_listed(lost[0], len(lost) - 1)
                found.append((lost[0], "sources_list", message))
        for where, rule, message in found:
            line = where if isinstance(where, int) else _citation_line(env, docname, where)
            logger.warning(message, location=(docname, line), type="bibtex", subtype=rule)


def _citation_line(env: Any, docname: str, key: str) -> int:
    """The line of the page's first citation (of *key* if given), as lint finds it."""
    from citetools import pages

    path = env.doc2path(docname)
    scanned = pages.scan(path, path.read_text(encoding="utf-8"))
    lines = [
        c.line
        for c in scanned.citations
        if not c.role.startswith("footcite") and (not key or c.key == key)
    ]
    return min(lines, default=1)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxcontrib.bibtex")
    # After sphinxcontrib-bibtex's (priority 500), which decides what each list shows.
    app.connect("env-updated", check_sources_lists, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
