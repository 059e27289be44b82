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
