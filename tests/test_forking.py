"""Work in a child forked from the build: its result, its failure, and no child at all."""

from __future__ import annotations

import os
import shutil
import threading

import pytest

from citetools.sphinxext import bibfile_check, forking

from conftest import ROOTS, page


def test_the_childs_result_reaches_the_build():
    assert forking.result(forking.run(lambda: {"answer": 6 * 7})) == {"answer": 42}


def test_a_child_that_fails_is_reported_as_unavailable():
    def fails():
        raise ValueError("broken")

    with pytest.raises(forking.Unavailable):
        forking.result(forking.run(fails))


def test_without_a_temporary_file_no_child_is_forked(monkeypatch):
    def no_file():
        raise OSError(28, "No space left on device")

    def no_fork():
        raise AssertionError("forked without a file for the result")

    monkeypatch.setattr(forking.tempfile, "TemporaryFile", no_file)
    monkeypatch.setattr(os, "fork", no_fork)
    with pytest.raises(forking.Unavailable):
        forking.run(lambda: 1)


def test_a_build_that_cannot_fork_checks_the_file_itself(make_app, tmp_path, monkeypatch):
    checked = []
    check = bibfile_check.check

    def checking(path):
        checked.append(path)
        return check(path)

    def no_process():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(bibfile_check, "check", checking)
    monkeypatch.setattr(forking, "can_fork", lambda: True)
    monkeypatch.setattr(os, "fork", no_process)
    site = shutil.copytree(ROOTS / "test-bibfile-check", tmp_path / "site")
    app = make_app("html", srcdir=site, builddir=tmp_path / "out")
    app.build()
    assert app.statuscode == 0
    assert [path.name for path in checked] == ["refs.bib"]
    assert "Rogers" in page(app).select_one(".citation").get_text()


def test_no_fork_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forking.can_fork()
    finally:
        stop.set()
        thread.join()
