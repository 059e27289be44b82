"""The Makefile a contributor meets first."""

from conftest import PROJECT, make_help


def test_help_lists_the_targets_with_what_they_do():
    listed = make_help()
    for target in ("html", "epub", "serve", "test"):
        assert listed.get(target), target


def test_help_says_where_the_link_report_is():
    assert "_build/linkcheck/sources.md" in make_help()["linkcheck"]


def test_help_lists_every_target():
    """A target missing from `make help` is one a contributor never finds."""
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    phony = {
        target
        for line in makefile.splitlines()
        if line.startswith(".PHONY:")
        for target in line.split(":", 1)[1].split()
    }
    listed = make_help()
    assert all(listed.values())  # each with what it does
    assert phony and set(listed) == phony
