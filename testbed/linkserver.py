"""A web server on loopback with one path per behaviour a cited source can show, and a
fake Internet Archive.

Started by the link-checking tests, and by the link-check benchmark (bench/linkcheck.py);
counts the requests each path receives so that a test can tell whether a link was
requested at all (cache, dead originals), and per host (the Host header) how many
requests were in flight at once (and how many in all), when each started (on the
monotonic clock, which other processes on the machine share) and which User-Agent
sent it. The
query string is ignored: ``/ok?n=1`` and ``/ok?n=2`` are two links to one behaviour.
``web()`` serves the same paths on many loopback addresses (127.0.0.2, 127.0.0.3, ...:
every 127/8 address reaches this machine), so that one process plays many hosts.

``FakeArchive`` answers as the Wayback Machine's availability API
(``/wayback/available?url=...&timestamp=YYYYMMDD``) and Save Page Now's API (``POST
/save``, then ``/save/status/<job_id>``) answer, in their JSON shapes, and serves the
snapshots it lists at ``/web/<timestamp>/<url>``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter, defaultdict
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PAGE = b"<!doctype html><html><body><h1>A source</h1><h2 id='present'>Present</h2></body></html>"
SLOW_SECONDS = 4.0
REGISTERED_DOI = "10.5555/registered"


class HostStats:
    """Per host: requests in flight now and at most, start times, User-Agents."""

    def __init__(self):
        self.lock = threading.Lock()
        self.in_flight: Counter[str] = Counter()
        self.most_in_flight: Counter[str] = Counter()
        self.most_in_flight_in_all = 0  # every host together
        self.starts: defaultdict[str, list[float]] = defaultdict(list)
        self.user_agents: set[str] = set()

    @contextmanager
    def request(self, host: str, user_agent: str):
        with self.lock:
            self.in_flight[host] += 1
            self.most_in_flight[host] = max(self.most_in_flight[host], self.in_flight[host])
            self.most_in_flight_in_all = max(
                self.most_in_flight_in_all, sum(self.in_flight.values())
            )
            self.starts[host].append(time.monotonic())
            self.user_agents.add(user_agent)
        try:
            yield
        finally:
            with self.lock:
                self.in_flight[host] -= 1

    def shortest_interval(self, host: str) -> float:
        starts = sorted(self.starts[host])
        return min((b - a for a, b in zip(starts, starts[1:], strict=False)), default=float("inf"))


class LinkServer(ThreadingHTTPServer):
    daemon_threads = True
    # Linux drops connections beyond the backlog and the client retries after 1 s, which
    # a 1 s timeout would report as a timeout: leave room for every worker at once.
    request_queue_size = 1024

    def __init__(
        self,
        slow_seconds: float = SLOW_SECONDS,
        address: str = "127.0.0.1",
        port: int = 0,
        stats: HostStats | None = None,
    ):
        super().__init__((address, port), _Handler)
        self.slow_seconds = slow_seconds
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stats = stats or HostStats()

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
        with self.server.stats.request(self.headers["Host"], self.headers["User-Agent"]):
            self._serve(body=False)

    def do_GET(self):
        with self.server.stats.request(self.headers["Host"], self.headers["User-Agent"]):
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


@contextmanager
def web(hosts: int, slow_seconds: float = SLOW_SECONDS):
    """The same paths on ``hosts`` loopback addresses from 127.0.0.2, one port, shared
    per-host counts: yields the servers, the first one's port is every one's."""
    stats = HostStats()
    with ExitStack() as stack:
        first = stack.enter_context(running(LinkServer(slow_seconds, "127.0.0.2", 0, stats)))
        servers = [first] + [
            stack.enter_context(
                running(LinkServer(slow_seconds, f"127.0.0.{2 + i}", first.port, stats))
            )
            for i in range(1, hosts)
        ]
        yield servers


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeArchive(ThreadingHTTPServer):
    """The Wayback Machine's two APIs on 127.0.0.1, with the snapshots a test gives it.

    ``snapshots``: original URL -> capture timestamps (YYYYMMDDhhmmss). Save Page Now
    captures at ``capture_timestamp``; its first ``busy_saves`` requests get a 429 with
    ``Retry-After: 1``; ``in_flight_saves`` and ``save_starts`` record how it was asked.
    """

    daemon_threads = True

    def __init__(self, snapshots: dict[str, list[str]] | None = None, busy_saves: int = 0):
        super().__init__(("127.0.0.1", 0), _ArchiveHandler)
        self.snapshots = {url: list(stamps) for url, stamps in (snapshots or {}).items()}
        self.busy_saves = busy_saves
        self.capture_timestamp = "20261130120000"
        self.lock = threading.Lock()
        self.lookups: list[tuple[str, str]] = []  # (url, timestamp asked for)
        self.jobs: dict[str, tuple[str, int]] = {}  # job id -> (url, status polls so far)
        self.save_starts: list[float] = []
        self.in_flight_saves = 0
        self.most_in_flight_saves = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def snapshot_url(self, url: str, stamp: str) -> str:
        return f"{self.base}/web/{stamp}/{url}"

    def handle_error(self, request, client_address):
        pass

    def closest(self, url: str, timestamp: str) -> str | None:
        stamps = self.snapshots.get(url)
        if not stamps:
            return None
        wanted = int(timestamp.ljust(14, "0")) if timestamp else 99999999999999
        return min(stamps, key=lambda stamp: abs(int(stamp) - wanted))


class _ArchiveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeArchive

    def log_message(self, format, *args):
        pass

    def _json(self, status: int, data: dict, headers=()) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        archive = self.server
        parts = urlsplit(self.path)
        if parts.path == "/wayback/available":
            query = {name: values[0] for name, values in parse_qs(parts.query).items()}
            url, timestamp = query.get("url", ""), query.get("timestamp", "")
            with archive.lock:
                archive.lookups.append((url, timestamp))
                stamp = archive.closest(url, timestamp)
            answer: dict = {"url": url, "archived_snapshots": {}}
            if timestamp:
                answer["timestamp"] = timestamp
            if stamp:
                answer["archived_snapshots"]["closest"] = {
                    "status": "200",
                    "available": True,
                    "url": archive.snapshot_url(url, stamp),
                    "timestamp": stamp,
                }
            return self._json(200, answer)
        if parts.path.startswith("/save/status/"):
            job_id = parts.path.removeprefix("/save/status/")
            with archive.lock:
                if job_id not in archive.jobs:
                    return self._json(404, {"status": "error", "message": "no such job"})
                url, polls = archive.jobs[job_id]
                archive.jobs[job_id] = (url, polls + 1)
            if polls == 0:
                return self._json(200, {"status": "pending", "job_id": job_id, "resources": []})
            return self._json(
                200,
                {
                    "status": "success",
                    "job_id": job_id,
                    "original_url": url,
                    "timestamp": archive.capture_timestamp,
                    "duration_sec": 1.2,
                },
            )
        if parts.path.startswith("/web/"):
            body = PAGE if self.command == "GET" else b""
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(body)
            return None
        return self._json(404, {"message": "not found"})

    def do_POST(self):
        archive = self.server
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if self.path != "/save":
            return self._json(404, {"message": "not found"})
        with archive.lock:
            archive.in_flight_saves += 1
            archive.most_in_flight_saves = max(
                archive.most_in_flight_saves, archive.in_flight_saves
            )
            archive.save_starts.append(time.monotonic())
            busy = archive.busy_saves > 0
            archive.busy_saves -= 1 if busy else 0
        try:
            time.sleep(0.05)  # a capture request takes a moment: overlapping ones would show
            if busy:
                return self._json(
                    429,
                    {"status": "error", "status_ext": "error:too-many-daily-captures"},
                    [("Retry-After", "1")],
                )
            url = form.get("url", "")
            job_id = f"spn2-{len(archive.jobs) + 1:040x}"
            with archive.lock:
                archive.jobs[job_id] = (url, 0)
                archive.snapshots.setdefault(url, []).append(archive.capture_timestamp)
            return self._json(200, {"url": url, "job_id": job_id})
        finally:
            with archive.lock:
                archive.in_flight_saves -= 1
