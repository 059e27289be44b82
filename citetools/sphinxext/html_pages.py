"""Rewriting the site's finished HTML pages, for the browser builders only.

Some fixes need the page as the theme rendered it (its head, its drawers, its
inline script), which no Sphinx event exposes; these extensions rewrite the
written files once the build has finished. Incremental builds leave unchanged
pages in place, so every rewrite must give the same result when run twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from bs4 import BeautifulSoup
from sphinx.application import Sphinx

#: Builders that produce the website; the ePub and others are left alone.
WEB_BUILDERS = frozenset({"html", "dirhtml"})

Rewrite = Callable[[Sphinx, str, BeautifulSoup], None]


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
# they are, so while only those run, each entry is replaced by a comment before
# the page is parsed and put back, as it was, after the page is written out.
# An entry as the theme writes it (BeautifulSoup writes it back the same):
MENU_ENTRY = re.compile(
    r'<li class="toctree-l\d+"><a class="reference internal" href="([^"&<>:#]*)">'
    r"([^<&]*)</a></li>"
)
_SET_ASIDE = "<!--citetools-menu-entry-{}-->"
_PUT_BACK = re.compile(r"<!--citetools-menu-entry-(\d+)-->")


def _set_aside(html: str) -> tuple[str, list[str]]:
    entries: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match[1] == match[2].strip():  # a link shown as its own address: rewrites mark it
            return match[0]
        entries.append(match[0])
        return _SET_ASIDE.format(len(entries) - 1)

    if "citetools-menu-entry-" in html:
        return html, []
    return MENU_ENTRY.sub(replace, html), entries


def _put_back(html: str, entries: list[str]) -> str:
    if not entries:
        return html
    return _PUT_BACK.sub(lambda match: entries[int(match[1])], html)


def rewrite_pages(app: Sphinx, *rewrites: Rewrite, menu_entries: bool = True) -> None:
    """Parse each written page, let each ``rewrite(app, relpath, soup)`` change it, save it.

    With *menu_entries* false the rewrites do not see the menu's plain entries.
    """
    outdir = Path(app.outdir)
    for path in pages(outdir):
        html = path.read_text(encoding="utf-8")
        parsed, entries = (html, []) if menu_entries else _set_aside(html)
        soup = BeautifulSoup(parsed, "html.parser")
        for rewrite in rewrites:
            rewrite(app, path.relative_to(outdir).as_posix(), soup)
        result = _put_back(str(soup), entries)
        if result != html:
            path.write_text(result, encoding="utf-8")


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
    address; such entries are then not parsed (see ``MENU_ENTRY``).
    """
    registered: list[tuple[int, Rewrite, bool]] | None = getattr(app, _REWRITES, None)
    if registered is None:
        registered = []
        setattr(app, _REWRITES, registered)
        # After every other extension has written its files.
        app.connect("build-finished", _rewrite_all, priority=900)
    registered.append((order, rewrite, menu_entries))


def _rewrite_all(app: Sphinx, exception: BaseException | None) -> None:
    if exception is None and is_web_build(app):
        ordered = sorted(getattr(app, _REWRITES), key=lambda registered: registered[0])
        rewrite_pages(
            app,
            *(rewrite for _, rewrite, _ in ordered),
            menu_entries=any(menu_entries for _, _, menu_entries in ordered),
        )
