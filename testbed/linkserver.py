"""A web server on 127.0.0.1 with one path per behaviour a cited source can show.

Started by the link-checking tests, and by the link-check benchmark (bench/linkcheck.py);
counts the requests each path receives so that a test can tell whether a link was requested
at all (cache, dead originals). The query string is ignored: ``/ok?n=1`` and ``/ok?n=2``
are two links to one behaviour.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = b"<!doctype html><html><body><h1>A source</h1><h2 id='present'>Present</h2></body></html>"
SLOW_SECONDS = 4.0
REGISTERED_DOI = "10.5555/registered"


class LinkServer(ThreadingHTTPServer):
    daemon_threads = True
    # Linux drops connections beyond the backlog and the client retries after 1 s, which
    # a 1 s timeout would report as a timeout: leave room for every worker at once.
    request_queue_size = 1024

    def __init__(self, slow_seconds: float = SLOW_SECONDS):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.slow_seconds = slow_seconds
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def handle_error(self, request, client_address):
        pass  # a client that gave up on /slow closed its end: expected

    def count(self, path: str) -> int:
        with self.lock:
            self.hits[path] += 1
            return self.hits[path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LinkServer

    def log_message(self, format, *args):
        pass

    def do_HEAD(self):
        self._serve(body=False)

    def do_GET(self):
        self._serve(body=True)

    def _send(self, status, body=b"", headers=(), *, send_body=True, content_type="text/html"):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _serve(self, body: bool):
        path = self.path.split("?")[0]
        nth = self.server.count(path)
        send = {"send_body": body}
        if path.startswith("/api/handles/"):
            doi = path.removeprefix("/api/handles/")
            found = doi == REGISTERED_DOI
            answer = {"responseCode": 1 if found else 100, "handle": doi}
            return self._send(
                200 if found else 404,
                json.dumps(answer).encode(),
                **send,
                content_type="application/json",
            )
        match path:
            case (
                "/ok"
                | "/new-home"
                | "/anchors"
                | "/page-link"
                | "/archive/gone"
                | "/archive/dead-original"
            ):
                self._send(200, PAGE, **send)
            case "/moved":
                self._send(301, headers=[("Location", "/new-home")], **send)
            case "/temporary":
                self._send(302, headers=[("Location", "/ok")], **send)
            case "/loop":
                self._send(302, headers=[("Location", "/loop")], **send)
            case "/not-found" | "/dead-original":
                self._send(404, b"not found", **send)
            case "/gone":
                self._send(410, b"gone", **send)
            case "/challenge":
                self._send(403, b"checking your browser", [("cf-mitigated", "challenge")], **send)
            case "/busy" if nth == 1:
                self._send(429, b"slow down", [("Retry-After", "1")], **send)
            case "/always-busy":
                self._send(429, b"slow down", [("Retry-After", "1")], **send)
            case "/flaky" if nth == 1:
                self._send(500, b"oops", **send)
            case "/busy" | "/flaky":
                self._send(200, PAGE, **send)
            case "/slow":
                time.sleep(self.server.slow_seconds)
                self._send(200, PAGE, **send)
            case _:
                self._send(404, b"no such path", **send)


@contextmanager
def running(server):
    """Serve from a thread until the block ends; any test's loopback server."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def serving(slow_seconds: float = SLOW_SECONDS):
    return running(LinkServer(slow_seconds))


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
