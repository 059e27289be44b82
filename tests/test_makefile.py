"""The Makefile a contributor meets first."""

import subprocess

from conftest import PROJECT


def test_help_lists_the_targets_with_what_they_do():
    result = subprocess.run(["make", "help"], cwd=PROJECT, capture_output=True, text=True)
    assert result.returncode == 0
    for target in ("html", "epub", "serve", "test"):
        assert any(
            line.split()[0] == target and len(line.split()) > 1
            for line in result.stdout.splitlines()
            if line.strip()
        ), target


def test_help_says_where_the_link_report_is():
    result = subprocess.run(["make", "help"], cwd=PROJECT, capture_output=True, text=True)
    (line,) = [line for line in result.stdout.splitlines() if line.split()[:1] == ["linkcheck"]]
    assert "_build/linkcheck/sources.md" in line


def test_help_lists_every_target():
    """A target missing from `make help` is one a contributor never finds."""
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    phony = {
        target
        for line in makefile.splitlines()
        if line.startswith(".PHONY:")
        for target in line.split(":", 1)[1].split()
    }
    result = subprocess.run(["make", "help"], cwd=PROJECT, capture_output=True, text=True)
    # Targets are the indented lines (under `make test`, make also says which directory).
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("  ")]
    assert all(len(row) > 1 for row in rows)  # each with what it does
    assert phony and {row[0] for row in rows} == phony
