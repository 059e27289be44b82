"""Search finds a page by any form of its words, and the index is the one Sphinx writes
without the stem cache."""

from __future__ import annotations

import json
import re

import pytest

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
