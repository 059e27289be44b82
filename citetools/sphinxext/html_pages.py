"""Rewriting the site's finished HTML pages, for the browser builders only.

Some fixes need the page as the theme rendered it (its head, its drawers, its
inline script), which no Sphinx event exposes; these extensions rewrite the
written files once the build has finished. Incremental builds leave unchanged
pages in place, so every rewrite must give the same result when run twice.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.pool import AsyncResult
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging as sphinx_logging

from citetools.sphinxext import forking

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


# -- The menu's plain entries are set aside -------------------------------------
# Every page carries the whole site menu, most of it entries that are nothing
# but an internal link: on the bench's 200-page site, half of each page's
# markup. Rewrites registered with ``menu_entries=False`` leave such entries as
# they are, so while only those run, each run of entries (with the white space
# between them) is replaced by one comment before the page is parsed and put
# back, as it was, after the page is written out.
# An entry as the theme writes it (BeautifulSoup writes it back the same):
MENU_ENTRY = re.compile(
    r'<li class="toctree-l\d+"><a class="reference internal" href="([^"&<>:#]*)">'
    r"([^<&]*)</a></li>"
)
_SET_ASIDE = "<!--citetools-menu-entry-{}-->"
_PUT_BACK = re.compile(r"<!--citetools-menu-entry-(\d+)-->")
_RUN = re.compile(r"<!--citetools-menu-entry-\d+-->(?:\s*<!--citetools-menu-entry-\d+-->)*")


def _set_aside(html: str) -> tuple[str, list[str]]:
    if "citetools-menu-entry-" in html:
        return html, []
    entries: list[str] = []

    def entry(match: re.Match[str]) -> str:
        if match[1] == match[2].strip():  # a link shown as its own address: rewrites mark it
            return match[0]
        entries.append(match[0])
        return _SET_ASIDE.format(len(entries) - 1)

    runs: list[str] = []

    def run(match: re.Match[str]) -> str:
        runs.append(_put_back(match[0], entries))
        return _SET_ASIDE.format(len(runs) - 1)

    # One comment per run: the parser's work then no longer grows with the menu.
    return _RUN.sub(run, MENU_ENTRY.sub(entry, html)), runs


def _put_back(html: str, entries: list[str]) -> str:
    if not entries:
        return html
    return _PUT_BACK.sub(lambda match: entries[int(match[1])], html)


# -- furo's icon sheet is rewritten once --------------------------------------
# furo writes the same sheet of icons (6 KB) at the top of every page: a
# quarter of an answer's parse. Rewrites registered with ``menu_entries=False``
# also promise to treat it the same way on every page that has the same sheet
# and the same ``<use>`` references to its icons (page_weight keeps the icons a
# page uses); such pages are parsed without it, and get the sheet as the first
# of them was given it (so a warning about the sheet comes once, not per page).
ICON_SHEET = re.compile(
    r'<svg xmlns="http://www\.w3\.org/2000/svg" style="display: none;">'
    r"(?:\s*<symbol\b.*?</symbol>)*\s*</svg>",
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


# -- Named character references -------------------------------------------------
# On the first named reference it meets (``&amp;`` in "Health &amp; Justice"),
# BeautifulSoup builds its table of every HTML entity, with regular expressions
# for writing them: 45 ms, in each process that parses pages. Those Sphinx and
# docutils write are given to it as the same characters' numeric references,
# which it reads to the same text and attribute values without the table.
# Script and style contents and comments are left as they are: there no
# reference is read.
_NUMERIC = {
    "&amp;": "&#38;",
    "&lt;": "&#60;",
    "&gt;": "&#62;",
    "&quot;": "&#34;",
    "&nbsp;": "&#160;",
}
_NAMED_OR_UNREAD = re.compile(
    r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|&(?:amp|lt|gt|quot|nbsp);",
    re.DOTALL | re.IGNORECASE,
)


def parse(html: str) -> BeautifulSoup:
    """*html* as BeautifulSoup's ``html.parser`` reads it."""
    if "&" in html:
        html = _NAMED_OR_UNREAD.sub(lambda match: _NUMERIC.get(match[0], match[0]), html)
    return BeautifulSoup(html, "html.parser")


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
    app: Sphinx, path: Path, rewrites: Sequence[Rewrite], menu_entries: bool, sheets: Sheets
) -> None:
    html = path.read_text(encoding="utf-8")
    page = path.relative_to(app.outdir).as_posix()
    if menu_entries:
        result = _rewritten(app, page, html, rewrites)
    else:
        parsed, entries = _set_aside(html)
        rewritten = _rewritten_with_sheet_aside(app, page, parsed, rewrites, sheets)
        result = _put_back(rewritten, entries)
    if result != html:
        path.write_text(result, encoding="utf-8")


def rewrite_pages(app: Sphinx, *rewrites: Rewrite, menu_entries: bool = True) -> None:
    """Parse each written page, let each ``rewrite(app, relpath, soup)`` change it, save it.

    With *menu_entries* false the rewrites do not see the menu's plain entries.
    """
    sheets: Sheets = {}
    for path in pages(Path(app.outdir)):
        _rewrite_page(app, path, rewrites, menu_entries, sheets)


# -- The pages are rewritten in parallel ----------------------------------------
# Each page is rewritten on its own, from its file, so pages can be shared out
# between processes: on the bench's 200-page site the rewrite was a third of
# the build. The workers are forked when the first page is about to be written,
# with the read build in memory, and each page goes to them as soon as it is
# written (Sphinx writes one page at a time, so when the next page's context is
# made the page before it is complete): the rewrite then runs on the processor
# that writing leaves idle. At build-finished the pages not yet given to them
# (the last one, those left unchanged) follow, and what a rewrite logged in a
# worker (a warning) is logged here, in the order of the pages, as if rewritten
# here.

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
    app, rewrites, menu_entries, sheets = _job
    collector = sphinx_logging.LogCollector()
    with collector.collect():
        _rewrite_page(app, path, rewrites, menu_entries, sheets)
    sphinx_logging.convert_serializable(collector.logs)
    return collector.logs


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

    def finish(self, paths: list[Path]) -> None:
        """Give every page not given yet, then log what the workers logged, page by page.

        The caller terminates the pool, whether this finishes or not."""
        for path in paths:
            if path not in self.given:
                self.give(path)
        self.pool.close()
        logs = {path: result.get() for path, result in self.given.items()}
        for path in paths:
            for record in logs[path]:
                logger.handle(record)


_workers: _Workers | None = None


def _start_workers(app: Sphinx, builder: object) -> None:
    global _job, _workers
    if not is_web_build(app):
        return
    processes = _processes(app, len(app.env.found_docs))
    if processes >= 2:
        rewrites, menu_entries = _registered(app)
        _job = (app, rewrites, menu_entries, {})
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


def add_rewrite(app: Sphinx, rewrite: Rewrite, order: int, *, menu_entries: bool = True) -> None:
    """Have *rewrite* run on every finished page, after those of lower *order*.

    ``menu_entries=False`` promises that *rewrite* changes nothing in, and
    reads nothing from, a menu entry that holds only an internal link (a
    ``<li>`` with its ``<a class="reference internal">``) whose text is not its
    address, and that it treats furo's icon sheet the same way on every page
    with the same sheet and the same references to its icons; such entries, and
    the sheet but once, are then not parsed (see ``MENU_ENTRY``, ``ICON_SHEET``).
    """
    registered: list[tuple[int, Rewrite, bool]] | None = getattr(app, _REWRITES, None)
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
    registered.append((order, rewrite, menu_entries))


def _registered(app: Sphinx) -> tuple[list[Rewrite], bool]:
    ordered = sorted(getattr(app, _REWRITES), key=lambda registered: registered[0])
    return [rewrite for _, rewrite, _ in ordered], any(menu for _, _, menu in ordered)


def _rewrite_all(app: Sphinx, exception: BaseException | None) -> None:
    global _job, _workers
    workers, _workers = _workers, None
    try:
        if exception is not None or not is_web_build(app):
            return
        if workers is None:
            rewrites, menu_entries = _registered(app)
            rewrite_pages(app, *rewrites, menu_entries=menu_entries)
            return
        workers.finish([path.resolve() for path in pages(Path(app.outdir))])
    finally:
        _job = None
        if workers is not None:
            workers.pool.terminate()
