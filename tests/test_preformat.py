"""Entries formatted in a forked process while the pages are read: the build takes
them instead of formatting them itself, and its pages are those it would write alone."""

from __future__ import annotations

import filecmp
import tempfile
import threading
import time

import pytest
from pybtex.database import Entry
from pybtex.style.formatting import BaseStyle

from citetools.sphinxext import bibtex_speedups, forking, preformat

ROOT = "bibtex-speedups"
PAGES = ["faq/training.html", "faq/evidence.html", "references.html", "index.html"]


@pytest.fixture
def upstream():
    yield
    bibtex_speedups.unpatch_pybtex()


@pytest.fixture
def formatted_here(monkeypatch):
    """Keys of the entries formatted in this process (the forked one counts its own)."""
    keys: list[str] = []
    format_entry = BaseStyle.format_entry

    def counting(self, label, entry, *args, **kwargs):
        keys.append(entry.key)
        return format_entry(self, label, entry, *args, **kwargs)

    monkeypatch.setattr(BaseStyle, "format_entry", counting)
    return keys


def _build_reading_slowly(app) -> None:
    # Pages read slowly enough that the forked process has finished every entry.
    app.connect("source-read", lambda *_: time.sleep(0.2))
    app.build()


@pytest.mark.sphinx("html", testroot=ROOT)
def test_the_build_takes_the_entries_formatted_while_it_read(
    upstream, app, warning, formatted_here, make_app, tmp_path, monkeypatch
):
    assert forking.can_fork()
    _build_reading_slowly(app)
    assert warning.getvalue() == ""
    assert formatted_here == []

    monkeypatch.setattr(forking, "can_fork", lambda: False)
    alone = make_app("html", srcdir=app.srcdir, builddir=tmp_path)
    _build_reading_slowly(alone)
    assert sorted(set(formatted_here)) == [
        "office2025audit",
        "puntis2018systematic",
        "rogers2019effectiveness",
    ]
    assert filecmp.cmpfiles(app.outdir, alone.outdir, PAGES, shallow=False)[0] == PAGES


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


def test_no_fork_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forking.can_fork()
    finally:
        stop.set()
        thread.join()
    assert forking.can_fork()
