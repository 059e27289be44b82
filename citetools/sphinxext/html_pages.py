"""Rewriting the site's finished HTML pages, for the browser builders only.

Some fixes need the page as the theme rendered it (its head, its drawers, its
inline script), which no Sphinx event exposes; these extensions rewrite the
written files once the build has finished. Incremental builds leave unchanged
pages in place, so every rewrite must give the same result when run twice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

#: Builders that produce the website; the ePub and others are left alone.
WEB_BUILDERS = frozenset({"html", "dirhtml"})

Rewrite = Callable[[object, str, BeautifulSoup], None]


def is_web_build(app) -> bool:
    return app.builder.name in WEB_BUILDERS


def pages(outdir: Path):
    """Every page of the site; theme assets under ``_static`` are not pages."""
    for path in sorted(Path(outdir).rglob("*.html")):
        if not path.relative_to(outdir).parts[0].startswith("_"):
            yield path


def rewrite_pages(app, rewrite: Rewrite) -> None:
    """Parse each written page, let ``rewrite(app, relpath, soup)`` change it, save it."""
    outdir = Path(app.outdir)
    for path in pages(outdir):
        html = path.read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        rewrite(app, path.relative_to(outdir).as_posix(), soup)
        result = str(soup)
        if result != html:
            path.write_text(result, encoding="utf-8")
