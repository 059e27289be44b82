"""The finished-page rewrites every web page gets: in their order, once per page, and only
for the web builders."""

from __future__ import annotations

import pytest

from conftest import page

ROOT = "html-pages"


@pytest.mark.sphinx("html", testroot=ROOT)
def test_every_page_gets_every_rewrite_in_order(built):
    pages = sorted(p.relative_to(built.outdir).as_posix() for p in built.outdir.rglob("*.html"))
    assert {"index.html", "faq/answer.html", "search.html"} <= set(pages)
    for name in pages:
        expected = None if name.startswith("_") else "early late"
        assert page(built, name).body.get("data-rewrites") == expected, name


@pytest.mark.sphinx("html", testroot=ROOT, srcdir="html-pages-incremental")
def test_a_rebuild_leaves_unchanged_pages_as_they_were(built):
    answer = built.outdir / "faq/answer.html"
    before, written = answer.read_text(), answer.stat().st_mtime_ns
    built.build()
    assert answer.read_text() == before
    assert answer.stat().st_mtime_ns == written


@pytest.mark.sphinx("epub", testroot=ROOT)
def test_the_epub_is_not_rewritten(built):
    assert page(built, "index.xhtml").body.get("data-rewrites") is None
