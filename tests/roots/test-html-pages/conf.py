# Two rewrites of the finished pages, registered out of order: each marks <body>.
from citetools.sphinxext.html_pages import add_rewrite

extensions = ["myst_parser"]
exclude_patterns = ["_build"]
nitpicky = True
version = "1"
copyright = "2026, test"


def early(app, page, soup):
    soup.body["data-rewrites"] = "early"


def late(app, page, soup):
    # Idempotent, as every rewrite must be: unchanged pages are rewritten again.
    soup.body["data-rewrites"] = f"{soup.body.get('data-rewrites', '')} late".strip()


def setup(app):
    add_rewrite(app, late, order=900)
    add_rewrite(app, early, order=100)
