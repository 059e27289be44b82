"""Real bibliographies from public projects (tests/data/corpus/SOURCES.md).

For each file: lint and fmt end in ``path:line`` messages, never a traceback;
every file pybtex reads, fmt formats with nothing lost, as pybtex (an
independent parser) reads the result; every file that would break the site's
build, lint reports with no configuration, at the line where it breaks.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bibbuild import build_problem, read
from pybtex.database import BibliographyData
from pybtex.exceptions import PybtexError

from citetools import bibfile
from citetools.cli import main

CORPUS = Path(__file__).parent / "data" / "corpus"
FILES = sorted(CORPUS.glob("*.bib"))
FINDING = re.compile(r"^[^:\n]+:\d+: [a-z0-9-]+ .+$")


def lint_errors(capsys: pytest.CaptureFixture[str], path: Path) -> dict[int, set[str]]:
    """Lint with no configuration: line -> codes of its errors."""
    status = main(["lint", "--isolated", str(path)])
    out = capsys.readouterr().out.splitlines()
    assert all(FINDING.match(line) for line in out), out[:3]
    errors: dict[int, set[str]] = {}
    for line in out:
        _, number, rest = line.split(":", 2)
        code, message = rest.strip().split(" ", 1)
        if not message.startswith("warning: "):
            errors.setdefault(int(number), set()).add(code)
    assert status == (1 if errors else 0)
    return errors


def content(data: BibliographyData) -> dict[str, object]:
    return {
        key.lower(): (
            entry.type,
            sorted((name.lower(), value) for name, value in entry.fields.items()),
            sorted(
                (role.lower(), [str(p) for p in people]) for role, people in entry.persons.items()
            ),
        )
        for key, entry in data.entries.items()
    }


def comment_lines(text: str) -> list[str]:
    """Text outside entries, line by line, as our reading keeps it."""
    bib = bibfile.parse(text)
    return [
        line.strip()
        for block in bib.blocks
        if isinstance(block, bibfile.BibComment)
        for line in block.text.splitlines()
        if line.strip()
    ]


def test_the_corpus_is_there():
    assert len(FILES) >= 5
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for path in FILES:
        assert path.name in sources


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_lint_reports_what_breaks_the_build(capsys, path):
    text = path.read_text(encoding="utf-8")
    problem = build_problem(text)
    errors = lint_errors(capsys, path)
    if problem is None:
        return
    assert errors, f"the build fails ({problem}) and lint says nothing"
    pybtex_line = re.search(r"in line (\d+)", problem)
    if pybtex_line:
        # pybtex stops at the field after a missing comma; lint names the line the comma
        # goes at the end of, the one above.
        line = int(pybtex_line.group(1))
        comma = "missing-comma" in errors.get(line - 1, set())
        assert line in errors or comma, (problem, errors)
    anchor = re.search(r"citation id for (\S+)", problem)
    if anchor:
        entry = next(e for e in bibfile.parse(text).entries if e.key == anchor.group(1))
        assert "key-anchor" in errors.get(entry.line, set()), (problem, errors)
    missing = re.search(r"missing \w+ in (\S+)", problem)
    if missing:
        entry = next(e for e in bibfile.parse(text).entries if e.key == missing.group(1))
        assert "missing-field" in errors.get(entry.line, set()), (problem, errors)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_fmt_loses_nothing_pybtex_reads(tmp_path, capsys, path):
    text = path.read_text(encoding="utf-8")
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    try:
        before = read(text)
    except PybtexError:
        # pybtex cannot read it: fmt refuses with path:line messages, or lays out
        # what it reads (e.g. both entries of a repeated key) as its own check allows.
        status = main(["fmt", str(copy)])
        out = capsys.readouterr().out
        assert status in (0, 1)
        if status == 1:
            assert out.startswith(f"{copy}:")
            assert copy.read_text(encoding="utf-8") == text
        return
    assert main(["fmt", str(copy)]) == 0, capsys.readouterr().out
    formatted = copy.read_text(encoding="utf-8")
    after = read(formatted)
    assert content(after) == content(before)
    assert sorted(comment_lines(formatted)) == sorted(comment_lines(text))
    assert main(["fmt", "--check", str(copy)]) == 0  # and it stays formatted
