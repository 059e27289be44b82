# Two rewrites of the finished pages, registered out of order: each marks <body>;
# a third warns once per page when `warn_per_page` is set.
import os

from sphinx.util import logging

from citetools.sphinxext.html_pages import add_rewrite

extensions = ["myst_parser"]
exclude_patterns = ["_build"]
nitpicky = True
version = "1"
copyright = "2026, test"
warn_per_page = False


def early(app, page, soup):
    soup.body["data-rewrites"] = "early"


def late(app, page, soup):
    # Idempotent, as every rewrite must be: unchanged pages are rewritten again.
    soup.body["data-rewrites"] = f"{soup.body.get('data-rewrites', '')} late".strip()


def warn(app, page, soup):
    if app.config.warn_per_page:
        logging.getLogger(__name__).warning(f"rewrote {page} in process {os.getpid()}")


def setup(app):
    app.add_config_value("warn_per_page", False, "")
    add_rewrite(app, late, order=900)
    add_rewrite(app, early, order=100)
    add_rewrite(app, warn, order=500)
