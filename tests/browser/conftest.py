"""The built site served on 127.0.0.1, and Debian's Chromium driven by Playwright.

Where Chromium or Playwright is missing the browser tests skip and say why;
under ``CI=true`` they fail instead, since CI installs Chromium (.ci/run).

Every page a test opens is watched: a request to any host but the test server
is blocked and recorded, and so are Content-Security-Policy violations and
console errors; the ``page`` fixture fails the test if any happened.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from testbed.linkserver import running

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium calls home for updates and field trials.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT / "_build" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

# Records what the page reports, before any of its own scripts run.
WATCH_SCRIPT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def browser_unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run installs chromium, so this is an error)")
    pytest.skip(reason)


def _site_prefix(site: Path) -> str:
    """The path the site lives under, from its canonical links: '/co-responder-faq/'."""
    soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    canonical = soup.find("link", rel="canonical")
    path = urlsplit(canonical["href"]).path if canonical else "/"
    return path.rsplit("/", 1)[0] + "/"


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves the site under its prefix; anything else gets 404.html, as a host would."""

    prefix = "/"

    def translate_path(self, path):
        local = urlsplit(path).path
        if not local.startswith(self.prefix):
            return str(Path(self.directory) / "does-not-exist")
        return super().translate_path("/" + local[len(self.prefix) :])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(site_html):
    """The address of the built site's root page directory on 127.0.0.1."""
    prefix = _site_prefix(site_html)
    handler = type("Handler", (SiteHandler,), {"prefix": prefix})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site_html))
    )
    with running(server):
        yield f"http://127.0.0.1:{server.server_port}{prefix}"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        browser_unavailable(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("playwright is not installed: make venv")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@dataclass
class Watch:
    """What a page did that a reader must never be exposed to."""

    outside_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def problems(self, page) -> list[str]:
        found = [f"request left 127.0.0.1: {url}" for url in self.outside_requests]
        found += [f"console error: {text}" for text in self.console_errors]
        if not page.is_closed():
            found += [f"CSP violation: {v}" for v in page.evaluate("window.__cspViolations")]
        return found


@pytest.fixture
def open_page(browser, site_url):
    """``open_page(path, **context_options) -> (page, watch)``; checks the watch at the end."""
    opened = []

    def open_(path: str = "", **options):
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        watch = Watch()

        def route(route):
            if route.request.url.startswith("http://127.0.0.1:"):
                return route.continue_()
            watch.outside_requests.append(route.request.url)
            return route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.add_init_script(WATCH_SCRIPT)

        def console(message):
            if message.type == "error" and not _expected_404(message, path):
                watch.console_errors.append(message.text)

        page.on("console", console)
        page.goto(site_url + path)
        opened.append((context, page, watch))
        return page, watch

    yield open_
    problems = []
    for context, page, watch in opened:
        problems += watch.problems(page)
        context.close()
    assert not problems, "\n".join(problems)


def _expected_404(message, path: str) -> bool:
    # Opening a missing page is how the 404 page is reached.
    return path.startswith("missing") and "404" in message.text
