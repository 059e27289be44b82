"""The finished-page rewrites every web page gets: in their order, once per page, and only
for the web builders; in worker processes, the same pages and the same warnings."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from citetools.sphinxext import forking, html_pages, html_text
from citetools.sphinxext.html_pages import pages
from citetools.sphinxext.source_stamp import source_stamp
from testbed import sitegen

from conftest import page, sphinx_build

ROOT = "html-pages"
PAGES = ["faq/answer.html", "genindex.html", "index.html", "search.html"]


@pytest.mark.sphinx("html", testroot=ROOT)
def test_every_page_gets_every_rewrite_in_order(built):
    pages = sorted(p.relative_to(built.outdir).as_posix() for p in built.outdir.rglob("*.html"))
    assert {"index.html", "faq/answer.html", "search.html"} <= set(pages)
    for name in pages:
        expected = None if name.startswith("_") else "early late"
        assert page(built, name).body.get("data-rewrites") == expected, name


@pytest.mark.sphinx("html", testroot=ROOT, srcdir="html-pages-incremental")
def test_a_rebuild_leaves_unchanged_pages_as_they_were(built):
    answer = built.outdir / "faq/answer.html"
    before, written = answer.read_text(), answer.stat().st_mtime_ns
    built.build()
    assert answer.read_text() == before
    assert answer.stat().st_mtime_ns == written


@pytest.mark.sphinx("epub", testroot=ROOT)
def test_the_epub_is_not_rewritten(built):
    assert page(built, "index.xhtml").body.get("data-rewrites") is None


@pytest.mark.parametrize("processes", [1, 2])
def test_warnings_from_rewrites_reach_the_build_in_page_order(
    make_app, rootdir, tmp_path, processes
):
    shutil.copytree(rootdir / "test-html-pages", tmp_path / "src")
    app = make_app(
        "html",
        srcdir=tmp_path / "src",
        confoverrides={"warn_per_page": True, "html_pages_processes": processes},
        warningiserror=True,
    )
    app.build()
    warned = re.findall(r"rewrote (\S+) in process (\d+)", app.warning.getvalue())
    assert [page for page, _ in warned] == PAGES
    # Counted as the build's own: with -W the build fails.
    assert app.statuscode == 1
    # Rewritten here, or only in the workers.
    assert ({int(pid) for _, pid in warned} == {os.getpid()}) == (processes == 1)


def test_workers_rewrite_pages_while_later_ones_are_written(make_app, rootdir, tmp_path):
    shutil.copytree(rootdir / "test-html-pages", tmp_path / "src")
    timeline = tmp_path / "timeline"
    overrides = {"html_pages_processes": 2, "timeline": str(timeline)}
    app = make_app("html", srcdir=tmp_path / "src", confoverrides=overrides)
    app.build()
    events = [line.split(" ", 1)[1] for line in sorted(timeline.read_text().splitlines())]
    contexts = [i for i, event in enumerate(events) if event.startswith("context ")]
    rewrites = [event.removeprefix("rewrote ") for event in events if event.startswith("rewrote ")]
    assert sorted(rewrites) == PAGES  # each page once
    # A page is rewritten before the last page's context is made (each is made
    # 0.3 s after the one before it, time enough for a worker).
    first_rewrite = min(i for i, event in enumerate(events) if event.startswith("rewrote "))
    assert first_rewrite < contexts[-1]


def test_pages_rewritten_in_worker_processes_are_the_same(tmp_path):
    site = sitegen.generate_site(tmp_path / "site", pages=6, citations=10, entries=60)
    written = []
    for processes in (1, 2):
        out = tmp_path / f"html-{processes}"
        result = sphinx_build(site, out, "html", "-D", f"html_pages_processes={processes}")
        assert result.returncode == 0, result.stderr
        written.append({p.relative_to(out).as_posix(): p.read_bytes() for p in pages(out)})
    assert len(written[0]) >= 9
    assert written[0] == written[1]


@pytest.mark.parametrize(
    ("pages", "other_threads", "processes"),
    [(5, False, 1), (6, False, 2), (200, False, 2), (200, True, 1)],
)
def test_pages_are_shared_out_from_six_pages_unless_the_build_runs_threads(
    monkeypatch, pages, other_threads, processes
):
    monkeypatch.setattr(forking, "can_fork", lambda: not other_threads)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    app = SimpleNamespace(config=SimpleNamespace(html_pages_processes=0))
    assert html_pages._processes(app, pages) == processes


def test_a_rebuild_rewrites_only_the_pages_written_again(make_app, rootdir, tmp_path):
    shutil.copytree(rootdir / "test-html-pages", tmp_path / "src")
    log = tmp_path / "rewritten"
    rewritten = []
    for build in range(3):
        if build == 2:  # an answer edited
            answer = tmp_path / "src" / "faq" / "answer.md"
            answer.write_text(answer.read_text() + "\nOne more line.\n")
        log.write_text("")
        app = make_app("html", srcdir=tmp_path / "src", confoverrides={"rewrites_log": str(log)})
        app.build()
        rewritten.append(sorted(log.read_text().split()))
    assert rewritten[0] == PAGES
    # Sphinx writes the index and search pages every time; the others were kept.
    assert rewritten[1] == ["genindex.html", "search.html"]
    # And the edited answer, with the index page, whose menu Sphinx writes again.
    assert rewritten[2] == ["faq/answer.html", "genindex.html", "index.html", "search.html"]
    assert "One more line." in (app.outdir / "faq/answer.html").read_text()


@pytest.mark.parametrize("processes", [1, 2])
def test_a_rebuild_repeats_what_the_rewrites_warned(make_app, rootdir, tmp_path, processes):
    shutil.copytree(rootdir / "test-html-pages", tmp_path / "src")
    overrides = {"warn_per_page": True, "html_pages_processes": processes}
    for _ in range(2):
        app = make_app("html", srcdir=tmp_path / "src", confoverrides=overrides)
        app.build()
        assert re.findall(r"rewrote (\S+) in process", app.warning.getvalue()) == PAGES


def test_pages_are_rewritten_again_when_a_rewrite_changes(tmp_path):
    module = tmp_path / "a_rewrite.py"
    module.write_text("def rewrite(app, page, soup):\n    pass\n")
    namespace: dict = {}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    (tmp_path / "html").mkdir()
    page = tmp_path / "html" / "index.html"
    page.write_text("<p>page</p>")
    app = SimpleNamespace(
        doctreedir=tmp_path / "doctrees",
        outdir=tmp_path / "html",
        builder=SimpleNamespace(name="html"),
    )
    app.doctreedir.mkdir()

    def kept():  # as a build that loads the rewrite's code now
        return html_pages._Kept(app, [source_stamp(namespace["rewrite"])])

    kept().save([page], logged=set())
    assert kept().unchanged(page)
    os.utime(module, ns=(0, 0))  # the rewrite's code changed
    assert not kept().unchanged(page)


def test_the_kept_pages_depend_on_the_code_that_spares_the_parser_work():
    # An edit to the set-aside changes pages as much as an edit to a rewrite.
    def rewrite(app, page, soup):
        pass

    app = SimpleNamespace()
    setattr(app, html_pages._REWRITES, [(0, rewrite, False, source_stamp(rewrite))])
    _, _, code = html_pages._registered(app)
    assert code is not None
    files = {Path(file) for file, *_ in code}
    assert {Path(html_pages.__file__), Path(html_text.__file__), Path(__file__)} <= files
