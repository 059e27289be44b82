"""Rewriting the site's finished HTML pages, for the browser builders only.

Some fixes need the page as the theme rendered it (its head, its drawers, its
inline script), which no Sphinx event exposes; these extensions rewrite the
written files once the build has finished. Incremental builds leave unchanged
pages in place, so every rewrite must give the same result when run twice.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.pool import AsyncResult
from pathlib import Path

import bs4
from bs4 import BeautifulSoup, Tag
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging as sphinx_logging

from citetools.sphinxext import forking, html_text
from citetools.sphinxext.html_text import parse
from citetools.sphinxext.source_stamp import Stamp, source_stamp

#: Builders that produce the website; the ePub and others are left alone.
WEB_BUILDERS = frozenset({"html", "dirhtml"})

Rewrite = Callable[[Sphinx, str, BeautifulSoup], None]

logger = sphinx_logging.getLogger(__name__)


def is_web_build(app: Sphinx) -> bool:
    return app.builder.name in WEB_BUILDERS


def pages(outdir: Path) -> Iterator[Path]:
    """Every page of the site; theme assets under ``_static`` are not pages."""
    for path in sorted(Path(outdir).rglob("*.html")):
        if not path.relative_to(outdir).parts[0].startswith("_"):
            yield path


# -- furo's icon sheet is rewritten once --------------------------------------
# furo writes the same sheet of icons (6 KB) at the top of every page: a
# quarter of an answer's parse. Rewrites registered with ``whole_page=False``
# also promise to treat it the same way on every page that has the same sheet
# and the same ``<use>`` references to its icons (page_weight keeps the icons a
# page uses); such pages are parsed without it, and get the sheet as the first
# of them was given it (so a warning about the sheet comes once, not per page).
ICON_SHEET = re.compile(
    r'<svg xmlns="http://www\.w3\.org/2000/svg" style="display: none;">'
    r"(?:\s*<symbol\b.*?</symbol>)*+\s*</svg>",  # possessive: a mismatch fails at once
    re.DOTALL,
)
_SHEET = "<!--citetools-icon-sheet-->"
_SHEET_END = "<!--citetools-icon-sheet-end-->"

#: A sheet and the icons used outside it -> the sheet as the rewrites left it.
Sheets = dict[tuple[str, frozenset[str]], str]


def icon_ref(use: Tag) -> str:
    """The icon a ``<use>`` shows: ``#name`` (SVG 2's ``href`` or SVG 1's ``xlink:href``)."""
    return str(use.get("href", use.get("xlink:href", "")))


def _icons_used(soup: BeautifulSoup) -> frozenset[str]:
    return frozenset(icon_ref(use) for use in soup.find_all("use"))


def _rewritten(app: Sphinx, page: str, html: str, rewrites: Sequence[Rewrite]) -> str:
    soup = parse(html)
    for rewrite in rewrites:
        rewrite(app, page, soup)
    return str(soup)


def _rewritten_with_sheet_aside(
    app: Sphinx, page: str, html: str, rewrites: Sequence[Rewrite], sheets: Sheets
) -> str:
    sheet = ICON_SHEET.search(html)
    if sheet is None or _SHEET in html:
        return _rewritten(app, page, html, rewrites)
    soup = parse(html[: sheet.start()] + _SHEET + html[sheet.end() :])
    key = (sheet[0], _icons_used(soup))
    if key not in sheets:
        # The first such page: rewritten whole, and the sheet as it comes out kept.
        marked = html[: sheet.start()] + _SHEET + sheet[0] + _SHEET_END + html[sheet.end() :]
        result = _rewritten(app, page, marked, rewrites)
        start, end = result.index(_SHEET), result.index(_SHEET_END)
        sheets[key] = result[start + len(_SHEET) : end]
        return result[:start] + sheets[key] + result[end + len(_SHEET_END) :]
    for rewrite in rewrites:
        rewrite(app, page, soup)
    return str(soup).replace(_SHEET, sheets[key], 1)


def _rewrite_page(
    app: Sphinx, path: Path, rewrites: Sequence[Rewrite], whole_page: bool, sheets: Sheets
) -> None:
    html = path.read_text(encoding="utf-8")
    page = path.relative_to(app.outdir).as_posix()
    if whole_page:
        result = _rewritten(app, page, html, rewrites)
    else:
        parsed, set_aside = html_text.set_aside(html)
        rewritten = _rewritten_with_sheet_aside(app, page, parsed, rewrites, sheets)
        result = html_text.put_back(rewritten, set_aside)
    if result != html:
        path.write_text(result, encoding="utf-8")


def _rewrite_logged(
    app: Sphinx, path: Path, rewrites: Sequence[Rewrite], whole_page: bool, sheets: Sheets
) -> list[logging.LogRecord]:
    """Rewrite the page; what the rewrites logged, to be logged in the order of the pages."""
    collector = sphinx_logging.LogCollector()
    with collector.collect():
        _rewrite_page(app, path, rewrites, whole_page, sheets)
    return collector.logs


# -- Pages the last build rewrote are kept ---------------------------------------
# An incremental build writes again only the pages whose source changed (on the
# FAQ, 5 of 12 after one answer is edited); the others are as the last build's
# rewrite left them, and rewriting them would give them again. Each page's
# modification time and size after the rewrite are kept beside the doctrees,
# with the rewrites' code and BeautifulSoup's version they came from; a page
# found as kept is not parsed. A page whose rewrite logged anything (a warning)
# is not kept, so that the next build says it again.
_KEPT = "citetools-rewritten-{builder}.json"

PageStamp = list[int]


def _stamp(path: Path) -> PageStamp:
    status = path.stat()
    return [status.st_mtime_ns, status.st_size]


# This module's code and that of what it skips.
_OWN_STAMPS = [source_stamp(sys.modules[__name__]), source_stamp(html_text)]


class _Kept:
    """The pages as the last build's rewrite left them."""

    def __init__(self, app: Sphinx, code: list[Stamp] | None) -> None:
        self.file = Path(app.doctreedir, _KEPT.format(builder=app.builder.name))
        self.outdir = Path(app.outdir).resolve()
        # What the rewrites' output depends on besides the page.
        self.code: list[object] | None = None
        if code is not None:  # as JSON gives it back: lists, not tuples
            self.code = [sys.version, bs4.__version__, *map(list, code)]
        self.pages: dict[str, PageStamp] = {}
        try:
            saved = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if self.code is not None and isinstance(saved, dict) and saved.get("code") == self.code:
            self.pages = saved.get("pages", {})

    def _name(self, path: Path) -> str:
        return path.relative_to(self.outdir).as_posix()

    def unchanged(self, path: Path) -> bool:
        return self.pages.get(self._name(path)) == _stamp(path)

    def save(self, paths: list[Path], logged: set[Path]) -> None:
        if self.code is None:
            return
        pages = {self._name(path): _stamp(path) for path in paths if path not in logged}
        try:
            self.file.write_text(json.dumps({"code": self.code, "pages": pages}), encoding="utf-8")
        except OSError:
            pass  # the next build goes by the file kept before: pages since written miss it


# -- The pages are rewritten in parallel ----------------------------------------
# Each page is rewritten on its own, from its file, so pages can be shared out
# between processes: on the bench's 200-page site the rewrite was a third of
# the build. The workers are forked when the first page is about to be written,
# with the read build in memory, and each page goes to them as soon as it is
# written (Sphinx writes one page at a time, so when the next page's context is
# made the page before it is complete): the rewrite then runs on the processor
# that writing leaves idle. At build-finished the pages not yet given to them
# (the last one, those not written again and not kept) follow, and what a
# rewrite logged in a worker (a warning) is logged here, in the order of the
# pages, as if rewritten here.

# Pages below which forking costs more than it saves (html_pages_processes = 0):
# measured with generated sites, a 4-page one gained nothing, a 6-page one 0.15 s
# of 2.1 s, and the FAQ (10 pages) 0.2 s of 2.7 s.
PARALLEL_MIN_PAGES = 6

_job: tuple[Sphinx, Sequence[Rewrite], bool, Sheets] | None = None


def _processes(app: Sphinx, pages: int) -> int:
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    wanted: int = app.config.html_pages_processes
    if wanted > 0:
        return wanted
    if pages < PARALLEL_MIN_PAGES or not hasattr(os, "sched_getaffinity"):
        return 1
    if not forking.can_fork():  # a process with other threads is not forked unasked
        return 1
    return len(os.sched_getaffinity(0))


def _rewrite_in_worker(path: Path) -> list[logging.LogRecord]:
    assert _job is not None  # set before the workers are forked
    app, rewrites, whole_page, sheets = _job
    logs = _rewrite_logged(app, path, rewrites, whole_page, sheets)
    sphinx_logging.convert_serializable(logs)
    return logs


class _Workers:
    """The worker processes of one build, and the pages given to them so far."""

    def __init__(self, processes: int) -> None:
        # Below the build in priority: while it writes pages it keeps its processor,
        # and the workers share what is left (all of it once the pages are written).
        self.pool = multiprocessing.get_context("fork").Pool(
            processes, initializer=os.nice, initargs=(forking.BACKGROUND_NICENESS,)
        )
        self.given: dict[Path, AsyncResult[list[logging.LogRecord]]] = {}
        self.written: Path | None = None  # the page being written

    def give(self, path: Path) -> None:
        self.given[path] = self.pool.apply_async(_rewrite_in_worker, (path,))

    def finish(self, paths: list[Path]) -> dict[Path, list[logging.LogRecord]]:
        """Give every page not given yet; what the workers logged, page by page.

        The caller terminates the pool, whether this finishes or not."""
        for path in paths:
            if path not in self.given:
                self.give(path)
        self.pool.close()
        return {path: result.get() for path, result in self.given.items()}


_workers: _Workers | None = None


def _start_workers(app: Sphinx, builder: object) -> None:
    global _job, _workers
    if not is_web_build(app):
        return
    processes = _processes(app, len(app.env.found_docs))
    if processes >= 2:
        rewrites, whole_page, _ = _registered(app)
        _job = (app, rewrites, whole_page, {})
        _workers = _Workers(processes)


def _written_before(app: Sphinx, pagename: str, *_: object) -> None:
    """A page is about to be written: the one written before it is finished."""
    if _workers is None:
        return
    if _workers.written is not None:
        _workers.give(_workers.written)
    builder = app.builder
    assert isinstance(builder, StandaloneHTMLBuilder)  # the web builders are
    path = Path(builder.get_outfilename(pagename)).resolve()
    if path in _workers.given:
        _workers.given[path].wait()  # written again: not while a worker rewrites it
    _workers.written = path


# -- One pass for every rewrite ------------------------------------------------
# Parsing and serialising a page costs far more than any rewrite, and every
# page carries the whole site menu, so a pass per extension grew with pages x
# pages (make bench: 200 pages, two passes, 17 s of a 33 s build). Extensions
# register their rewrite; one build-finished handler runs them all, in order,
# on one parse of each page.

_REWRITES = "_citetools_page_rewrites"


def add_rewrite(app: Sphinx, rewrite: Rewrite, order: int, *, whole_page: bool = True) -> None:
    """Have *rewrite* run on every finished page, after those of lower *order*.

    ``whole_page=False`` promises that *rewrite* changes nothing in, and
    reads nothing from, a menu entry that holds only an internal link (a
    ``<li>`` with its ``<a class="reference internal">``) whose text is not its
    address, nor a bibliography item whose links all carry ``rel="noopener
    noreferrer"`` and, when their text is their address, the ``url-shown``
    class; and that it treats furo's icon sheet the same way on every page with
    the same sheet and the same references to its icons. Such entries and items,
    and the sheet but once, are then not parsed (see ``html_text.MENU_ENTRY``,
    ``html_text.BIBLIOGRAPHY_ITEM`` and ``ICON_SHEET``).
    """
    registered: list[tuple[int, Rewrite, bool, Stamp | None]] | None
    registered = getattr(app, _REWRITES, None)
    if registered is None:
        registered = []
        setattr(app, _REWRITES, registered)
        # Processes that rewrite the pages (see "The pages are rewritten in
        # parallel"): 0, one per processor this build may use on a site of
        # PARALLEL_MIN_PAGES pages or more, else Sphinx's own; N, exactly N.
        app.add_config_value("html_pages_processes", 0, "", types=frozenset({int}))
        # After every other extension has written its files.
        app.connect("build-finished", _rewrite_all, priority=900)
        # Workers forked once the pages are read; given each page once it is written.
        app.connect("write-started", _start_workers)
        app.connect("html-page-context", _written_before, priority=900)
    # The rewrite's code as loaded: an edit during the build counts for the next.
    registered.append((order, rewrite, whole_page, source_stamp(rewrite)))


def _registered(app: Sphinx) -> tuple[list[Rewrite], bool, list[Stamp] | None]:
    """The rewrites in order, whether one needs the whole page, and their code's stamp."""
    ordered = sorted(getattr(app, _REWRITES), key=lambda registered: registered[0])
    stamps = [*_OWN_STAMPS, *(stamp for *_, stamp in ordered)]
    known = [stamp for stamp in stamps if stamp is not None]
    code = sorted(known) if len(known) == len(stamps) else None
    return [entry[1] for entry in ordered], any(entry[2] for entry in ordered), code


def _rewrite_all(app: Sphinx, exception: BaseException | None) -> None:
    global _job, _workers
    workers, _workers = _workers, None
    try:
        if exception is not None or not is_web_build(app):
            return
        rewrites, whole_page, code = _registered(app)
        kept = _Kept(app, code)
        paths = [path.resolve() for path in pages(Path(app.outdir))]
        # A page given to the workers was written in this build: it is not as kept.
        todo = [path for path in paths if not kept.unchanged(path)]
        if workers is None:
            sheets: Sheets = {}
            logs = {path: _rewrite_logged(app, path, rewrites, whole_page, sheets) for path in todo}
        else:
            logs = workers.finish(todo)
        for path in paths:
            for record in logs.get(path, ()):
                logger.handle(record)
        kept.save(paths, logged={path for path, records in logs.items() if records})
    finally:
        _job = None
        if workers is not None:
            workers.pool.terminate()
