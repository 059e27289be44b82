"""Rewriting the site's finished HTML pages, for the browser builders only.

Some fixes need the page as the theme rendered it (its head, its drawers, its
inline script), which no Sphinx event exposes; these extensions rewrite the
written files once the build has finished. Incremental builds leave unchanged
pages in place, so every rewrite must give the same result when run twice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bs4 import BeautifulSoup

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: Builders that produce the website; the ePub and others are left alone.
WEB_BUILDERS = frozenset({"html", "dirhtml"})

Rewrite = Callable[["Sphinx", str, BeautifulSoup], None]


def is_web_build(app) -> bool:
    return app.builder.name in WEB_BUILDERS


def pages(outdir: Path):
    """Every page of the site; theme assets under ``_static`` are not pages."""
    for path in sorted(Path(outdir).rglob("*.html")):
        if not path.relative_to(outdir).parts[0].startswith("_"):
            yield path


def rewrite_pages(app, *rewrites: Rewrite) -> None:
    """Parse each written page, let each ``rewrite(app, relpath, soup)`` change it, save it."""
    outdir = Path(app.outdir)
    for path in pages(outdir):
        html = path.read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        for rewrite in rewrites:
            rewrite(app, path.relative_to(outdir).as_posix(), soup)
        result = str(soup)
        if result != html:
            path.write_text(result, encoding="utf-8")


# -- One pass for every rewrite ------------------------------------------------
# Parsing and serialising a page costs far more than any rewrite, and every
# page carries the whole site menu, so a pass per extension grew with pages x
# pages (make bench: 200 pages, two passes, 17 s of a 33 s build). Extensions
# register their rewrite; one build-finished handler runs them all, in order,
# on one parse of each page.


def add_rewrite(app, rewrite: Rewrite, order: int) -> None:
    """Have *rewrite* run on every finished page, after those of lower *order*."""
    registered = getattr(app, "_citetools_page_rewrites", None)
    if registered is None:
        registered = app._citetools_page_rewrites = []
        # After every other extension has written its files.
        app.connect("build-finished", _rewrite_all, priority=900)
    registered.append((order, rewrite))


def _rewrite_all(app, exception) -> None:
    if exception is None and is_web_build(app):
        ordered = sorted(app._citetools_page_rewrites, key=lambda pair: pair[0])
        rewrite_pages(app, *(rewrite for _, rewrite in ordered))
