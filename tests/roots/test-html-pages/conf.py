# Two rewrites of the finished pages, registered out of order: each marks <body>;
# a third warns once per page when `warn_per_page` is set.
import os
import time

from sphinx.util import logging

from citetools.sphinxext.html_pages import add_rewrite

extensions = ["myst_parser"]
exclude_patterns = ["_build"]
nitpicky = True
version = "1"
copyright = "2026, test"
warn_per_page = False
timeline = ""  # a file: when each page's context was made and when each was rewritten
rewrites_log = ""  # a file: each page rewritten, in turn


def early(app, page, soup):
    soup.body["data-rewrites"] = "early"
    if app.config.rewrites_log:
        with open(app.config.rewrites_log, "a") as log:
            log.write(f"{page}\n")


def late(app, page, soup):
    # Idempotent, as every rewrite must be: unchanged pages are rewritten again.
    soup.body["data-rewrites"] = f"{soup.body.get('data-rewrites', '')} late".strip()


def warn(app, page, soup):
    if app.config.warn_per_page:
        logging.getLogger(__name__).warning(f"rewrote {page} in process {os.getpid()}")
    _note(app, f"rewrote {page}")


def context_made(app, pagename, *_):
    if app.config.timeline:
        time.sleep(0.3)
    _note(app, f"context {pagename}")


def _note(app, event):
    if app.config.timeline:
        with open(app.config.timeline, "a") as timeline:
            timeline.write(f"{time.monotonic()} {event}\n")


def setup(app):
    app.add_config_value("warn_per_page", False, "")
    app.add_config_value("timeline", "", "")
    app.add_config_value("rewrites_log", "", "")
    app.connect("html-page-context", context_made)
    add_rewrite(app, late, order=900)
    add_rewrite(app, early, order=100)
    add_rewrite(app, warn, order=500)
