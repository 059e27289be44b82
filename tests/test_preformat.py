"""Entries formatted in a forked process while the pages are read: the build takes
them instead of formatting them itself, and its pages are those it would write alone."""

from __future__ import annotations

import filecmp
import tempfile

from pybtex.database import Entry

from citetools.sphinxext import preformat

from conftest import ROOTS, recording_build

PAGES = ["faq/training.html", "faq/evidence.html", "references.html", "index.html"]
FORMAT_ENTRY = "pybtex.style.formatting:BaseStyle.format_entry"


def test_the_build_takes_the_entries_formatted_while_it_read(tmp_path):
    root = ROOTS / "test-bibtex-speedups"
    out = {fork: tmp_path / ("forked" if fork else "alone") for fork in (True, False)}
    # Pages read slowly enough that the forked process has finished every entry.
    formatted_here = {
        fork: recording_build(root, out[fork], FORMAT_ENTRY, (2, "key"), fork=fork, slow=0.2)
        for fork in out
    }
    assert formatted_here[True] == []
    assert sorted(set(formatted_here[False])) == [
        "office2025audit",
        "puntis2018systematic",
        "rogers2019effectiveness",
    ]
    assert filecmp.cmpfiles(out[True], out[False], PAGES, shallow=False)[0] == PAGES


def test_an_entry_that_fails_is_left_to_the_build():
    complete = Entry("misc", fields={"title": "Complete", "year": "2020"})
    complete.key = "complete"
    missing = Entry("article", fields={"title": "No journal", "year": "2021"})
    missing.key = "missing"  # pybtex's unsrt style raises FieldIsMissing for it
    with tempfile.TemporaryFile() as results:
        preformat._format_all([missing, complete], "unsrt", results)
        results.seek(0)
        written = results.read()
    formatted = preformat.read(written)
    assert preformat.read(written[:-1]) == {}  # a write cut short is left out
    assert list(formatted) == [("unsrt", "1", "complete")]
    assert formatted["unsrt", "1", "complete"].text.render_as("text") == "Complete. 2020."
