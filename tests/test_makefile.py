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
