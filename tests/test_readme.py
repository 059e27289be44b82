"""README.md's tables against the repository: a reader who follows them finds what they name."""

import re
import subprocess

from conftest import PROJECT, make_help

README = (PROJECT / "README.md").read_text(encoding="utf-8")


def table_after(heading: str) -> list[str]:
    """The first column of the table under ``heading``, each cell's `code` spans."""
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][2:]
    return [name for row in rows for name in re.findall(r"`([^`]+)`", row.split(" | ")[0])]


def top_level(path: str) -> str:
    """``faq/q1.md`` and ``faq/`` -> ``faq/``; ``conf.py`` -> ``conf.py``."""
    folder, slash, _ = path.partition("/")
    return folder + slash


def test_layout_lists_every_top_level_file_and_folder():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT, capture_output=True, text=True, check=True
    ).stdout.split()
    in_git = {top_level(path) for path in tracked} - {"README.md"}  # the file itself
    assert {top_level(name) for name in table_after("Layout")} == in_git


def test_make_targets_table_lists_every_target():
    assert set(table_after("Make targets")) == set(make_help())
