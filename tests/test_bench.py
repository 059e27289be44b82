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

SIDES = ("site", "bare", "plain")


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
    builds = report["details"]["site builds"]
    seconds = {side: builds["samples"][f"{side}_html_epub_s"][0] for side in SIDES}
    cpu = {side: builds["samples"][f"{side}_html_epub_cpu_s"][0] for side in SIDES}
    assert builds["overhead_split"] == pytest.approx(
        {
            "text_ratio": seconds["plain"] / seconds["bare"],
            "machinery_ratio": seconds["site"] / seconds["plain"],
            "text_ratio_cpu": cpu["plain"] / cpu["bare"],
            "machinery_ratio_cpu": cpu["site"] / cpu["plain"],
        }
    )
    machinery = builds["overhead_split"]["machinery_ratio"]
    assert f"x {machinery:.2f} (the machinery making it" in result.stdout


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


def _reading(page: Path) -> tuple[str, list[str], int]:
    """A page's words, where its links go and how many phrases it emphasises."""
    article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").article
    # Smart quotes turn the plain copy's typed apostrophes (O'Connor) curly; the lists
    # print them as typed.
    words = " ".join(article.get_text().translate(str.maketrans("‘’“”", "''\"\"")).split())
    return words, [link["href"] for link in article.select("a[href]")], len(article.select("em"))


def _addresses_shown(chapter: Path) -> int:
    """The web addresses an ePub chapter prints after their links."""
    return chapter.read_text(encoding="utf-8").count('class="link-target"')


def test_plain_copy_shows_the_sites_words_without_the_bibtex_machinery(
    tmp_path, site_html, site_epub
):
    plain = sitegen.make_plain(copy_site(tmp_path / "plain"), site_html)
    pages = [page.relative_to(plain) for page in plain.rglob("*.md")]
    for name in pages:
        text = (plain / name).read_text(encoding="utf-8")
        assert "{cite" not in text and "{bibliography}" not in text, name
    extensions = sitegen.read_config(plain)["extensions"]
    assert "sphinxcontrib.bibtex" not in extensions
    assert "citetools.sphinxext.bibstyle" not in extensions
    doctrees = ("-d", str(tmp_path / "doctrees"))
    result = sphinx_build(plain, tmp_path / "out", "html", *doctrees)
    assert result.returncode == 0 and "WARNING" not in result.stderr, result.stderr
    # The claims page quotes each claim's sentence: the site's without its citations,
    # the plain copy's with their text, which is no longer a citation there.
    compared = [
        name.with_suffix(".html") for name in pages if name.stem != "claims-awaiting-sources"
    ]
    assert len(compared) >= 9
    for name in compared:
        assert _reading(tmp_path / "out" / name) == _reading(site_html / name), name
    result = sphinx_build(plain, tmp_path / "epub", "epub", *doctrees)
    assert result.returncode == 0 and "WARNING" not in result.stderr, result.stderr
    for name in compared:
        chapter = name.with_suffix(".xhtml")
        assert _addresses_shown(tmp_path / "epub" / chapter) == _addresses_shown(
            site_epub / chapter
        ), chapter


@pytest.mark.parametrize(
    ("added", "message"),
    [
        ("One more {cite:p}`a2019`.", "the HTML has fewer citations"),
        ("Not rendered: `{cite:p}`a2019``.", "a citation role is in code or a comment"),
    ],
)
def test_plain_copy_names_a_page_its_html_does_not_match(tmp_path, site_html, added, message):
    site = copy_site(tmp_path / "plain")
    page = site / "faq" / "social-workers.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{added}\n")
    with pytest.raises(ValueError, match=f"^faq/social-workers.html: {message}"):
        sitegen.make_plain(site, site_html)


PLAIN_PAGE = """# A page

As shown {cite:p}`{see}a2019`.

{cite:t}`b2020` found it.

```{bibliography}
:filter: docname in docnames
```

```{bibliography}
:list: enumerated
```
"""
LIST_IDS = sitegen._list_ids("sources-{bibliography_count}")
PLAIN_HTML = """<nav><span class="bibtex-citation">(Menu, 1999)</span></nav>
<article><section id="sources-and-method"><h2>Sources and method</h2></section>
<p>As shown <span class="bibtex-citation">(see <a href="#a2019">Adams, 2019</a>)</span>.</p>
<p><span class="bibtex-citation">2020. <a href="#b2020">Bloggs</a></span> found it.</p>
<div class="docutils container" id="sources-1"><ul class="citation-list">
<li class="citation" id="a2019"><span class="label">[Adams, 2019]</span>
<span class="backrefs">(<a href="#id1">1</a>)</span>
<p>*Nix_ tools [2nd ed.]<em> R&amp;D </em>x <!-- a note --><a href="https://x.org/a_(b)>c">x.org</a>.</p>
</li></ul></div>
<ol class="arabic" id="sources-2" start="3"><li><p>- Dash first</p></li></ol></article>"""


def test_plain_page_writes_what_the_html_shows_as_markdown():
    assert sitegen._plain_page(PLAIN_PAGE, PLAIN_HTML, LIST_IDS) == (
        '# A page\n\nAs shown (see <a href="#a2019">Adams, 2019</a>).\n\n'
        '2020\\. <a href="#b2020">Bloggs</a> found it.\n\n'
        r'- \[Adams, 2019\] (<a href="#id1">1</a>) \*Nix\_ tools \[2nd ed.\] *R\&D* x '
        r"[x.org](<https://x.org/a_(b)\>c>)."
        "\n\n3. \\- Dash first\n"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('<span class="bibtex-citation">(B)</span></article>', "more citations or lists"),
        ('<ol id="sources-3"></ol></article>', "more citations or lists"),
    ],
)
def test_plain_page_refuses_html_that_shows_more(change, message):
    with pytest.raises(ValueError, match=message):
        sitegen._plain_page(PLAIN_PAGE, PLAIN_HTML.replace("</article>", change), LIST_IDS)


def test_plain_page_refuses_a_citation_of_other_keys():
    with pytest.raises(ValueError, match="does not link to `a2019`"):
        sitegen._plain_page(PLAIN_PAGE, PLAIN_HTML.replace('"#a2019"', '"#z2000"'), LIST_IDS)
