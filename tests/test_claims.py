"""``citetools claims``: cited and uncited paragraphs, and markers with their reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from citetools.cli import main

SITE = Path(__file__).parent / "data" / "site"

PAGE = """---
myst: {}
---
# Why not more police training?

(training)=
Training changes little on its own {cite:p}`{see}sample2019training{p. 5}`.
It is also expensive {citation-needed}`No cost figures for Greenfield`.

This paragraph makes a claim
over two lines and cites nothing.

- Teams answer faster {cite:t}`example2018review,tester2021variation`.
- Nobody has measured this locally {citation-needed}`No local data`.

```{note}
A note with a source {cite:p}`unused2017crisis`.
```

```text
{cite:p}`notreal2020code` is an example in a code block.
```

```{toctree}
faq/other
```

## Sources

```{bibliography}
:filter: docname in docnames
```
"""


@pytest.fixture
def page(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "faq").mkdir()
    path = tmp_path / "faq" / "training.md"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_report_per_page(page, capsys):
    assert main(["claims"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "faq/training.md: 5 paragraphs, 3 with a citation, 2 without; 2 citation-needed markers",
        "  faq/training.md:8: citation needed: No cost figures for Greenfield",
        "  faq/training.md:10: no citation: This paragraph makes a claim over two lines and "
        "cites nothing.",
        "  faq/training.md:14: no citation: Nobody has measured this locally .",
        "  faq/training.md:14: citation needed: No local data",
        "total: 5 paragraphs, 3 with a citation, 2 without; 2 citation-needed markers",
    ]


@pytest.mark.parametrize("limit, status", [(None, 0), (2, 0), (1, 1), (0, 1)])
def test_max_needed(page, capsys, limit, status):
    argv = ["claims"] + ([] if limit is None else ["--max-needed", str(limit)])
    assert main(argv) == status
    err = capsys.readouterr().err
    if status:
        expected = f"2 claims awaiting a source, more than --max-needed {limit}"
        assert err == f"citetools claims: {expected}\n"


def test_one_claim_is_not_claims(page, capsys):
    page.write_text(PAGE.replace("{citation-needed}`No local data`", ""), encoding="utf-8")
    assert main(["claims", "--max-needed", "0"]) == 1
    out, err = capsys.readouterr()
    assert "1 citation-needed marker\n" in out
    assert err == "citetools claims: 1 claim awaiting a source, more than --max-needed 0\n"


def test_default_pages_are_index_and_faq(capsys, monkeypatch):
    monkeypatch.chdir(SITE)
    assert main(["claims"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("index.md: 3 paragraphs, 2 with a citation, 1 without;")
    assert "faq/q1.md: 3 paragraphs" in out
    assert "index.md:7: citation needed: (no reason given: write one between the backticks)" in out
    assert "README.md" not in out


def test_unreadable_page(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.md").write_bytes(b"caf\xe9\n")
    assert main(["claims", "bad.md", "missing.md"]) == 2
    out = capsys.readouterr().out
    assert "bad.md:1: not-utf8 not UTF-8 (byte 0xe9)" in out
    assert "missing.md:1: unreadable cannot open the file" in out


def test_no_pages_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["claims"]) == 2
    assert capsys.readouterr().err.startswith("index.md:0: no pages found")
