"""Stem each word once per build for the search index, not once per page.

Sphinx's ``IndexBuilder.feed`` (Sphinx 9.0) remembers stems within one page
only, and the English stemmer (snowballstemmer 3) keeps no cache of its own.
This site repeats the same words page after page: every source appears in its
answer's Sources list and again on the References page, with the same authors,
journals and publishers. On the real site the stemmer was the largest single
cost that the bibliographies add to a build (``make bench``).

A stem depends only on the word, so the index is the same. The cache wraps the
indexer's ``lang.stem``, a Sphinx internal: written for Sphinx 9.0.4
(``upstream_versions``), and off on any other version.

Each distinct word (some 1,600 on the FAQ) is still stemmed once per build.
PyStemmer, pinned in requirements.txt, does that: snowballstemmer hands its work
to it when it is installed. It is the same Snowball algorithm compiled, with the
same stems (the tests compare every word of the site with snowballstemmer's
own), about twenty times faster: the FAQ's HTML build stemmed for 38 ms before,
2 ms with it.
"""

from __future__ import annotations

import functools

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

from citetools.sphinxext import upstream_versions


def remember_stems(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    indexer = getattr(app.builder, "indexer", None)
    if indexer is None or hasattr(indexer.lang.stem, "cache_info"):
        return
    indexer.lang.stem = functools.cache(indexer.lang.stem)


def setup(app: Sphinx) -> ExtensionMetadata:
    if upstream_versions.check(app, "citetools.sphinxext.search_stems", upstream_versions.SPHINX):
        # The indexer exists once writing has begun; pages are resolved before
        # they are fed to it.
        app.connect("doctree-resolved", remember_stems)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
