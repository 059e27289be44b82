"""Search finds a page by any form of its words, and the index is the one Sphinx writes
without the stem cache and with snowballstemmer's own stemmer."""

from __future__ import annotations

import json
import re

import pytest
import sphinx.search.en
import Stemmer
from snowballstemmer.english_stemmer import EnglishStemmer

from conftest import PROJECT

ROOT = "search-stems"


def _index(app) -> dict:
    text = (app.outdir / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(re.fullmatch(r"Search\.setIndex\((.*)\)", text.strip(), re.S)[1])


def _pages_for(index: dict, stem: str) -> set[str]:
    found = index["terms"][stem]
    return {index["docnames"][i] for i in ([found] if isinstance(found, int) else found)}


@pytest.mark.sphinx("html", testroot=ROOT)
def test_every_form_of_a_word_finds_every_page_using_one(built):
    index = _index(built)
    stem = built.builder.indexer.lang.stem
    # "officers" and "officer", "answer" and "answered": one stem each.
    assert stem("officers") == stem("officer") and stem("answered") == stem("answer")
    assert _pages_for(index, stem("officer")) == {"index", "other"}
    assert _pages_for(index, stem("answer")) == {"index", "other"}
    assert hasattr(built.builder.indexer.lang.stem, "cache_info")


@pytest.mark.sphinx("html", testroot=ROOT)
def test_the_index_is_the_same_without_the_cache(built, make_app, tmp_path):
    plain = make_app(
        "html",
        srcdir=built.srcdir,
        builddir=tmp_path,
        confoverrides={"extensions": ["myst_parser"]},
    )
    plain.build()
    assert not hasattr(plain.builder.indexer.lang.stem, "cache_info")
    assert _index(plain) == _index(built)


# -- The C stemmer (PyStemmer) ------------------------------------------------
# snowballstemmer hands its work to PyStemmer when it is installed: the same
# Snowball algorithm, compiled. Readers' queries are stemmed in the browser by
# Sphinx's JavaScript port of it, so the index must keep the Python stems.


@pytest.mark.sphinx("html", testroot=ROOT)
def test_the_index_is_stemmed_by_the_c_stemmer(built):
    assert type(built.builder.indexer.lang.stemmer).__module__ == "Stemmer"


def test_the_c_stemmer_gives_the_python_stems_of_every_word_of_the_site():
    words = set()
    for path in [PROJECT / "references.bib", *PROJECT.glob("*.md"), *PROJECT.glob("faq/*.md")]:
        words.update(w.lower() for w in re.findall(r"\w+", path.read_text(encoding="utf-8")))
    c_stems, python_stems = Stemmer.Stemmer("english"), EnglishStemmer()
    assert len(words) > 2000  # the pages and sources were read
    assert [c_stems.stemWord(w) for w in sorted(words)] == [
        python_stems.stemWord(w) for w in sorted(words)
    ]


@pytest.mark.sphinx("html", testroot=ROOT)
def test_the_index_is_the_same_with_the_python_stemmer(built, make_app, tmp_path, monkeypatch):
    monkeypatch.setattr(sphinx.search.en.snowballstemmer, "stemmer", lambda _: EnglishStemmer())
    python = make_app("html", srcdir=built.srcdir, builddir=tmp_path)
    python.build()
    assert type(python.builder.indexer.lang.stemmer).__module__ != "Stemmer"
    assert _index(python) == _index(built)
