"""Stem each word once per build for the search index, not once per page.

Sphinx's ``IndexBuilder.feed`` (Sphinx 9.0) remembers stems within one page
only, and the English stemmer (snowballstemmer 3) keeps no cache of its own.
This site repeats the same words page after page: every source appears in its
answer's Sources list and again on the References page, with the same authors,
journals and publishers. On the real site the stemmer was the largest single
cost that the bibliographies add to a build (``make bench``).

A stem depends only on the word, so the index is the same.
"""

import functools


def remember_stems(app, doctree, docname) -> None:
    indexer = getattr(app.builder, "indexer", None)
    if indexer is None or hasattr(indexer.lang.stem, "cache_info"):
        return
    indexer.lang.stem = functools.cache(indexer.lang.stem)


def setup(app):
    # The indexer exists once writing has begun; pages are resolved before
    # they are fed to it.
    app.connect("doctree-resolved", remember_stems)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
