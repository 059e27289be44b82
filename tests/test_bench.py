"""``make bench`` works: a tiny run writes every key, and the sites it builds are sound."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bench.run import TARGETS
from citetools.bibfile import read
from testbed import sitegen

from conftest import PROJECT, copy_site, sphinx_build


def test_quick_run_writes_every_key(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        # As `make bench` runs it: from the project folder, which holds bench/ and testbed/.
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert set(TARGETS) <= set(report)
    for key in ("build_overhead_ratio", "incremental_s", "scale_clean_s", "scale_peak_mb"):
        assert report[key] > 0, key
    part_of = {"lint_5000_s": "lint"} | dict.fromkeys(
        ("linkcheck_500_s", "linkcheck_cached_s", "linkcheck_vs_lychee"), "link check"
    )
    for key in TARGETS:
        assert key in result.stdout
        if report[key] is None:  # a tool not merged yet: null, with the reason
            assert report["details"][part_of[key]]["note"], key
    assert report["machine"]["nproc"] >= 1 and report["machine"]["python"]
    split = report["details"]["site builds"]["overhead_split"]
    assert split["text_ratio"] * split["machinery_ratio"] == pytest.approx(
        report["build_overhead_ratio"]
    )
    assert f"x {split['machinery_ratio']:.2f} (the machinery making it" in result.stdout


def test_generated_site_cites_as_the_authors_do(tmp_path):
    site = sitegen.generate_site(tmp_path / "site", pages=3, citations=10, entries=40)
    assert len(read(site / "references.bib").entries) == 40
    page = (site / "faq" / "q0002.md").read_text()
    keys = [k for role in sitegen.CITE_ROLE.findall(page) for k in role.split(",")]
    assert len(keys) == 10
    assert "{bibliography}\n:filter: docname in docnames" in page
    assert ":all:" in (site / "references.md").read_text()


def test_bare_copy_keeps_the_words_and_drops_the_bibtex_machinery(tmp_path):
    site = sitegen.generate_site(tmp_path / "site", pages=2, citations=10, entries=30)
    bare = sitegen.make_bare(site)
    page = (bare / "faq" / "q0001.md").read_text()
    assert "{cite" not in page and "{bibliography}" not in page
    assert "## Sources" in page
    assert sitegen.strip_citations("As shown {cite:p}`{see}a2019{p. 4},b2020`.") == (
        "As shown (see a2019 p. 4, b2020)."
    )
    extensions = sitegen.read_config(bare)["extensions"]
    assert "sphinxcontrib.bibtex" not in extensions
    assert "citetools.sphinxext.bibstyle" not in extensions
    assert "citetools.sphinxext.citation_needed" in extensions


def _reading(page: Path) -> tuple[str, int, int]:
    """A page's words, links and emphasised phrases, as a reader finds them."""
    article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").article
    # Smart quotes turn the plain copy's typed apostrophes (O'Connor) curly; the lists
    # print them as typed.
    words = " ".join(article.get_text().translate(str.maketrans("‘’“”", "''\"\"")).split())
    return words, len(article.select("a[href]")), len(article.select("em"))


def test_plain_copy_shows_the_sites_words_without_the_bibtex_machinery(tmp_path, site_html):
    plain = sitegen.make_plain(copy_site(tmp_path / "plain"), site_html)
    pages = [page.relative_to(plain) for page in plain.rglob("*.md")]
    for name in pages:
        text = (plain / name).read_text(encoding="utf-8")
        assert "{cite" not in text and "{bibliography}" not in text, name
    extensions = sitegen.read_config(plain)["extensions"]
    assert "sphinxcontrib.bibtex" not in extensions
    assert "citetools.sphinxext.bibstyle" not in extensions
    result = sphinx_build(plain, tmp_path / "out")
    assert result.returncode == 0 and "WARNING" not in result.stderr, result.stderr
    # The claims page quotes each claim's sentence: the site's without its citations,
    # the plain copy's with their text, which is no longer a citation there.
    compared = [
        name.with_suffix(".html") for name in pages if name.stem != "claims-awaiting-sources"
    ]
    assert len(compared) >= 9
    for name in compared:
        assert _reading(tmp_path / "out" / name) == _reading(site_html / name), name


def test_plain_copy_names_a_page_its_html_does_not_match(tmp_path, site_html):
    site = copy_site(tmp_path / "plain")
    page = site / "faq" / "social-workers.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more {cite:p}`a2019`.\n")
    with pytest.raises(ValueError, match="^faq/social-workers.html: the HTML has fewer citations"):
        sitegen.make_plain(site, site_html)


PLAIN_PAGE = """# A page

As shown {cite:p}`{see}a2019`.

```{bibliography}
:filter: docname in docnames
```
"""
PLAIN_HTML = """<article><section id="sources-and-method"><h2>Sources and method</h2></section>
<p>As shown <span class="bibtex-citation">(see <a href="#a2019">Adams, 2019</a>)</span>.</p>
<div class="docutils container" id="sources-1"><ul class="citation-list">
<li class="citation" id="a2019"><span class="label">[Adams, 2019]</span>
<p>Ann Adams. *Nix_ tools [2nd ed.] <em>R&amp;D</em>. <a href="https://x.org/a_(b)">x.org</a>.</p>
</li></ul></div></article>"""


def test_plain_page_writes_what_the_html_shows_as_markdown():
    ids = sitegen._list_ids("sources-{bibliography_count}")
    plain = sitegen._plain_page(PLAIN_PAGE, PLAIN_HTML, "https://example.org/faq/q.html", ids)
    assert plain == (
        "# A page\n\nAs shown (see [Adams, 2019](<https://example.org/faq/q.html#a2019>)).\n\n"
        r"- \[Adams, 2019\] Ann Adams. \*Nix\_ tools \[2nd ed.\] *R\&D*. "
        "[x.org](<https://x.org/a_(b)>).\n"
    )
    extra = PLAIN_HTML.replace("</article>", '<span class="bibtex-citation">(B)</span></article>')
    with pytest.raises(ValueError, match="more citations or lists"):
        sitegen._plain_page(PLAIN_PAGE, extra, "https://example.org/", ids)
