"""The build speedups change how fast pages are made, never what they say."""

import codecs
import filecmp
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pybtex.markup import LaTeXParser

from citetools.sphinxext.bibtex_speedups import _from_latex
from testbed import sitegen

from conftest import copy_site, sphinx_build

SPEEDUPS = [
    "citetools.sphinxext.bibtex_speedups",
    "citetools.sphinxext.gc_tuning",
    "citetools.sphinxext.search_stems",
    "citetools.sphinxext.site_menu",
]
# What makes LaTeX decoding differ from the text: commands, ties, comments,
# quotes, dashes, math, braces and every kind of space, and plain letters.
LATEXISH = st.lists(
    st.sampled_from(list("\\~%`'$-,{}!? \t\n\r\xa0aZé1.&#_^\"") + ["--", "\\&", "---"]),
    max_size=12,
).map("".join)


def _outcome(parse, latex):
    try:
        return repr(parse(latex))
    except Exception as error:  # unbalanced braces must fail the same way
        return f"{type(error).__name__}: {error}"


@given(LATEXISH)
def test_fields_decode_as_latexcodec_decodes_them(latex):
    def upstream(text):
        return LaTeXParser(codecs.decode(text, "ulatex")).parse()

    assert _outcome(lambda text: _from_latex(None, text), latex) == _outcome(upstream, latex)


def _pages(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))


# Without the speed modules, and with a rewrite of the finished pages that reads
# every menu entry, so that html_pages parses whole pages as it did before.
PLAIN = f"""
extensions = [e for e in extensions if e not in {SPEEDUPS!r}]


def setup(app):
    from citetools.sphinxext.html_pages import add_rewrite

    add_rewrite(app, lambda app, page, soup: None, order=0)
"""


@pytest.mark.parametrize("kind", ["generated", "real"])
def test_site_renders_the_same_with_and_without_speedups(tmp_path, kind):
    if kind == "generated":
        site = sitegen.generate_site(tmp_path / "site", pages=6, citations=10, entries=60)
    else:
        site = copy_site(tmp_path / "site")
    plain = sitegen.copy_site(site, tmp_path / "plain")
    conf = plain / "conf.py"
    conf.write_text(conf.read_text() + PLAIN)
    outputs = []
    for source in (site, plain):
        # The ePub after the HTML, from the same doctrees, as `make html` builds them:
        # with the speedups it keeps the HTML build's citations instead of redoing them.
        for builder in ("html", "epub"):
            out = tmp_path / f"{builder}-{source.name}"
            doctrees = str(tmp_path / f"dt-{source.name}")
            result = sphinx_build(source, out, builder, "-d", doctrees)
            assert result.returncode == 0, result.stderr
        outputs.append((tmp_path / f"html-{source.name}", tmp_path / f"epub-{source.name}"))
    (fast, fast_epub), (slow, slow_epub) = outputs
    chapters = sorted(str(p.relative_to(fast_epub)) for p in fast_epub.rglob("*.xhtml"))
    assert len(chapters) >= 9
    assert filecmp.cmpfiles(fast_epub, slow_epub, chapters, shallow=False)[0] == chapters
    assert _pages(fast) == _pages(slow)
    assert len(_pages(fast)) >= 9
    mismatch = filecmp.cmpfiles(fast, slow, _pages(fast), shallow=False)[1]
    assert mismatch == []
    # Including the search index, which search_stems builds.
    assert (fast / "searchindex.js").read_bytes() == (slow / "searchindex.js").read_bytes()
