"""conf.py has one reading: `citetools lint`, the bench's site copies and the build agree on
which files are pages, however conf.py writes its settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citetools.cli import main
from citetools.pages import site_pages
from citetools.siteconf import UnreadableConf, read
from testbed import sitegen

from conftest import sphinx_build

DATA = Path(__file__).resolve().parent / "data"

# The pages as conf.py often grows them: built from names, not written out as a list.
EXPRESSION_CONF = """\
import os

ANSWERS = ["q1"]
include_patterns = ["index.md"] + [f"faq/{name}.md" for name in ANSWERS]
include_patterns += os.environ.get("EXTRA_PAGES", "").split()
bibtex_bibfiles = ["references.bib"]
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = shutil.copytree(DATA / "site", tmp_path / "site")
    (site / "conf.py").write_text(EXPRESSION_CONF, encoding="utf-8")
    (site / "faq" / "draft.md").write_text("# Draft\n\nNot published yet.\n", encoding="utf-8")
    return site


def test_pages_built_from_an_expression_are_the_pages_lint_checks(site):
    assert site_pages(site) == [site / "faq/q1.md", site / "index.md"]


def test_the_bench_copies_the_same_pages_lint_checks(site, tmp_path):
    copy = sitegen.copy_site(site, tmp_path / "copy")
    copied = sorted(p.relative_to(copy) for p in copy.rglob("*.md"))
    assert copied == [p.relative_to(site) for p in site_pages(site)]
    assert (copy / "references.bib").is_file()


def test_the_build_publishes_the_pages_lint_checks(tmp_path, monkeypatch):
    site = tmp_path / "plain"
    for name in ("index.md", "faq/q1.md", "faq/draft.md", "README.md"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"# {name}\n\nText.\n", encoding="utf-8")
    (site / "conf.py").write_text(EXPRESSION_CONF + 'extensions = ["myst_parser"]\n')
    monkeypatch.setenv("EXTRA_PAGES", "faq/draft.md")
    out = tmp_path / "html"
    result = sphinx_build(site, out, "html", "-D", "suppress_warnings=toc.not_included")
    assert result.returncode == 0, result.stderr
    built = {p.relative_to(out).with_suffix(".md") for p in out.rglob("*.html")}
    pages = {p.relative_to(site) for p in site_pages(site)}
    assert pages == {Path("index.md"), Path("faq/q1.md"), Path("faq/draft.md")}
    assert built - {Path("genindex.md"), Path("search.md")} == pages


def test_conf_py_that_fails_is_reported_at_its_line_not_as_a_bibliography(
    site, capsys, monkeypatch
):
    (site / "conf.py").write_text(
        'project = "x"\ninclude_patterns = PAGES + ["index.md"]\n', encoding="utf-8"
    )
    with pytest.raises(UnreadableConf) as raised:
        read(site / "conf.py")
    assert (raised.value.line, raised.value.code) == (2, "conf-error")
    assert "NameError: name 'PAGES' is not defined" in raised.value.message

    monkeypatch.chdir(site)
    assert main(["lint"]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("conf.py:2: conf-error conf.py stops with NameError"), out
    assert "Traceback" not in out + err
