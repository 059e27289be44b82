"""bibtex_speedups on a small site of the FAQ's shape: every citation resolves to its entry,
each answer lists its own sources, and the pages are those sphinxcontrib-bibtex writes."""

from __future__ import annotations

import filecmp

import pytest
from sphinxcontrib.bibtex.domain import BibtexDomain

from citetools.sphinxext import bibtex_speedups

from conftest import page

ROOT = "bibtex-speedups"
SPEEDUPS = "citetools.sphinxext.bibtex_speedups"
PAGES = ["faq/training.html", "faq/evidence.html", "references.html", "index.html"]


@pytest.fixture
def upstream():
    """Undo the speedups' module-level patches after the test, and on demand within it:
    they would otherwise stay for every later build in this process."""
    yield bibtex_speedups.unpatch_pybtex
    bibtex_speedups.unpatch_pybtex()


def _sources(html) -> list[str]:
    return [li.get_text("", strip=True).split("]")[0] + "]" for li in html.select(".citation")]


@pytest.mark.sphinx("html", testroot=ROOT)
def test_each_answer_lists_its_own_sources_and_references_lists_all(upstream, built):
    assert _sources(page(built, "faq/training.html")) == ["[RMB19]"]
    assert _sources(page(built, "faq/evidence.html")) == ["[PPK+18]", "[RMB19]"]
    assert sorted(_sources(page(built, "references.html"))) == [
        "[OfficeotCComptroller25]",
        "[PPK+18]",
        "[RMB19]",
    ]


@pytest.mark.sphinx("html", testroot=ROOT)
def test_every_citation_links_to_an_entry_of_its_own_page(upstream, built):
    html = page(built, "faq/training.html")
    links = html.select(".bibtex-citation a")
    assert [a.get_text() for a in links] == ["RMB19", "RMB19"]
    assert all(html.find(id=a["href"].lstrip("#")) for a in links)
    assert "see" in links[0].parent.get_text() and "p. 5" in links[0].parent.get_text()


@pytest.mark.sphinx("html", testroot=ROOT)
def test_the_pages_are_those_sphinxcontrib_bibtex_writes(upstream, built, make_app, tmp_path):
    upstream()
    without = {"extensions": ["myst_parser", "sphinxcontrib.bibtex"]}
    plain = make_app("html", srcdir=built.srcdir, builddir=tmp_path, confoverrides=without)
    plain.build()
    assert SPEEDUPS not in plain.extensions
    assert filecmp.cmpfiles(built.outdir, plain.outdir, PAGES, shallow=False)[0] == PAGES


@pytest.fixture
def upstream_passes(monkeypatch):
    """How many times sphinxcontrib-bibtex's own ``env_updated`` pass has run."""
    calls: list[None] = []
    original = BibtexDomain.env_updated

    def counted(self):
        calls.append(None)
        return original(self)

    monkeypatch.setattr(BibtexDomain, "env_updated", counted)
    return calls


def _chapters(outdir) -> list[str]:
    return sorted(str(p.relative_to(outdir)) for p in outdir.rglob("*.xhtml"))


# Each of these has a copy of the root of its own: they build twice into one directory.
@pytest.mark.sphinx("html", testroot=ROOT, srcdir="speedups-epub-after-html")
def test_the_epub_after_the_html_keeps_its_citations(
    upstream, upstream_passes, built, make_app, tmp_path
):
    builddir = built.doctreedir.parent
    epub = make_app("epub", srcdir=built.srcdir, builddir=builddir)
    epub.build()
    assert len(upstream_passes) == 1
    fresh = make_app("epub", srcdir=built.srcdir, builddir=tmp_path)
    fresh.build()
    assert len(upstream_passes) == 2
    chapters = _chapters(epub.outdir)
    assert "faq/training.xhtml" in chapters
    assert filecmp.cmpfiles(epub.outdir, fresh.outdir, chapters, shallow=False)[0] == chapters


@pytest.mark.sphinx(
    "html", testroot=ROOT, srcdir="speedups-warnings-again", confoverrides={"suppress_warnings": []}
)
def test_a_kept_pass_gives_its_warnings_again(upstream, upstream_passes, app, warning, make_app):
    app.build()
    first = [line for line in warning.getvalue().splitlines() if "duplicate citation" in line]
    # Every entry is listed on its answer's page and on the References page.
    assert len(first) == 3
    epub = make_app(
        "epub",
        srcdir=app.srcdir,
        builddir=app.doctreedir.parent,
        confoverrides={"suppress_warnings": []},
    )
    epub.build()
    assert len(upstream_passes) == 1
    again = [line for line in epub.warning.getvalue().splitlines() if "duplicate citation" in line]
    assert again == first


@pytest.mark.sphinx("html", testroot=ROOT, srcdir="speedups-changed-bib")
def test_a_changed_bib_or_setting_redoes_the_pass(upstream, upstream_passes, built, make_app):
    bib = built.srcdir / "refs.bib"
    bib.write_text(bib.read_text().replace("Effectiveness", "Usefulness"))
    builddir = built.doctreedir.parent
    make_app("epub", srcdir=built.srcdir, builddir=builddir).build()
    assert len(upstream_passes) == 2
    references = (builddir / "epub" / "references.xhtml").read_text()
    assert "Usefulness" in references
    make_app(
        "epub", srcdir=built.srcdir, builddir=builddir, confoverrides={"bibtex_tooltips": False}
    ).build()
    assert len(upstream_passes) == 3


# With a style that does not sort ("unsrt"), a list keeps the order of citation: what the
# pages cite, in the order they cite it (training, then evidence), then the rest of the .bib.
@pytest.mark.sphinx(
    "html",
    testroot=ROOT,
    srcdir="speedups-citation-order",
    confoverrides={"bibtex_default_style": "unsrt"},
)
def test_lists_keep_the_order_of_citation_as_upstream(upstream, built, make_app, tmp_path):
    listed = [
        li.get_text("", strip=True) for li in page(built, "references.html").select(".citation")
    ]
    assert [text[:10] for text in listed] == ["[1]Michael", "[2]Stephen", "[3]Office "]
    upstream()
    plain = make_app(
        "html",
        srcdir=built.srcdir,
        builddir=tmp_path,
        confoverrides={
            "extensions": ["myst_parser", "sphinxcontrib.bibtex"],
            "bibtex_default_style": "unsrt",
        },
    )
    plain.build()
    assert filecmp.cmpfiles(built.outdir, plain.outdir, PAGES, shallow=False)[0] == PAGES
