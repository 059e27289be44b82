"""Work in a child forked from the build: its result, its failure, and no child at all."""

from __future__ import annotations

import os
import shutil
import threading

import pytest

from citetools.sphinxext import bibfile_check, forking

from conftest import ROOTS, page


def _writes(*values):
    def work(results):
        for value in values:
            forking.write_record(results, value)

    return work


def test_what_the_child_wrote_reaches_the_build_whole():
    child = forking.Forked(_writes({"answer": 6 * 7}, ["more"]))
    assert forking.records(child.written(wait=True)) == [{"answer": 42}, ["more"]]


def test_a_record_cut_short_is_left_out():
    child = forking.Forked(_writes("first", "second"))
    written = child.written(wait=True)
    assert forking.records(written[:-1]) == ["first"]


def test_the_build_can_look_without_waiting_then_stop_the_child():
    release = os.pipe()

    def work(results):
        forking.write_record(results, "checked")
        os.read(release[0], 1)  # until the build lets it go on: never, here
        forking.write_record(results, "read")

    child = forking.Forked(work)
    while not forking.records(child.so_far()):
        assert not child.finished()
    assert forking.records(child.so_far()) == ["checked"]
    child.stop()
    assert child.finished()
    for end in release:
        os.close(end)


@pytest.mark.parametrize("look_first", [False, True])
def test_a_child_that_fails_is_reported_as_unavailable(look_first):
    def fails(results):
        raise ValueError("broken")

    child = forking.Forked(fails)
    if look_first:  # the build saw it had exited before asking for its results
        while not child.finished():
            pass
    with pytest.raises(forking.Unavailable):
        child.written(wait=True)


def test_without_a_temporary_file_no_child_is_forked(monkeypatch):
    def no_file():
        raise OSError(28, "No space left on device")

    def no_fork():
        raise AssertionError("forked without a file for the result")

    monkeypatch.setattr(forking.tempfile, "TemporaryFile", no_file)
    monkeypatch.setattr(os, "fork", no_fork)
    with pytest.raises(forking.Unavailable):
        forking.Forked(_writes(1))


def test_a_build_that_cannot_fork_checks_the_file_itself(make_app, tmp_path, monkeypatch):
    checked = []
    check_all = bibfile_check._check_all

    def checking(confdir, names):
        checked.extend(confdir / name for name in names)
        return check_all(confdir, names)

    def no_process():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(bibfile_check, "_check_all", checking)
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
