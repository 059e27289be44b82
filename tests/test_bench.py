"""``make bench`` works: a tiny run writes every key, and the generated sites are sound."""

import json
import os
import subprocess
import sys

from bench.run import TARGETS
from citetools.bibfile import read
from testbed import sitegen

from conftest import PROJECT


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
