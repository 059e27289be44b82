"""The Internet Archive's Wayback Machine: the snapshot of a page closest to a date, and
Save Page Now for a page it has no snapshot of.

Availability API: ``GET {api}/wayback/available?url=<url>&timestamp=YYYYMMDD`` answers
``{"url": ..., "archived_snapshots": {"closest": {"available": true, "status": "200",
"url": "http://web.archive.org/web/<timestamp>/<url>", "timestamp": "YYYYMMDDhhmmss"}}}``,
or an empty ``archived_snapshots`` when there is none.

Save Page Now (version 2): ``POST {save}/save`` with the form field ``url`` and
``Accept: application/json`` answers ``{"url": ..., "job_id": ...}``; ``GET
{save}/save/status/<job_id>`` then answers ``{"status": "pending"}`` until ``"success"``
(with ``timestamp``) or ``"error"`` (with ``message``). Its limits: captures one at a
time per client, spaced, and a 429 (with or without ``Retry-After``) when asked too
often. ``$CITETOOLS_WAYBACK_KEYS`` (``access:secret``, an archive.org account's S3 keys)
is sent as ``Authorization: LOW access:secret`` when set, which raises those limits.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode, urlsplit, urlunsplit

API_VARIABLE = "CITETOOLS_WAYBACK_API"
SAVE_VARIABLE = "CITETOOLS_WAYBACK_SAVE"
KEYS_VARIABLE = "CITETOOLS_WAYBACK_KEYS"
DEFAULT_API = "https://archive.org"
DEFAULT_SAVE = "https://web.archive.org"
USER_AGENT = "co-responder-faq-citetools (archive lookups for a bibliography)"
TIMEOUT = 30.0


class Unreachable(Exception):
    """The archive did not answer at all (no name, no route, refused, timed out)."""


class ArchiveError(Exception):
    """The archive answered, but not with what its API promises."""


@dataclass(frozen=True)
class Snapshot:
    url: str
    timestamp: str  # YYYYMMDDhhmmss

    @property
    def date(self) -> str:
        """The capture's day, as ``archivedate`` holds it: YYYY-MM-DD."""
        stamp = self.timestamp
        return f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]}"


def api_base() -> str:
    return (os.environ.get(API_VARIABLE) or DEFAULT_API).rstrip("/")


def save_base() -> str:
    return (os.environ.get(SAVE_VARIABLE) or DEFAULT_SAVE).rstrip("/")


def _reader_link(url: str) -> str:
    """The API names snapshots with http://web.archive.org; readers get https."""
    parts = urlsplit(url)
    if parts.scheme == "http" and parts.hostname == "web.archive.org":
        return urlunsplit(("https", *parts[1:]))
    return url


class _Response:
    def __init__(self, status: int, body: bytes, retry_after: str | None) -> None:
        self.status, self.body, self.retry_after = status, body, retry_after

    def json(self) -> dict[str, object]:
        try:
            data = json.loads(self.body)
        except ValueError:
            raise ArchiveError(f"not JSON (HTTP {self.status})") from None
        if not isinstance(data, dict):
            raise ArchiveError(f"not a JSON object (HTTP {self.status})")
        return data


def _request(url: str, form: dict[str, str] | None = None) -> _Response:
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if keys := os.environ.get(KEYS_VARIABLE):
        headers["Authorization"] = f"LOW {keys}"
    data = urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return _Response(response.status, response.read(), response.headers["Retry-After"])
    except urllib.error.HTTPError as error:
        return _Response(error.code, error.read(), error.headers["Retry-After"])
    except (urllib.error.URLError, OSError) as error:
        raise Unreachable(str(getattr(error, "reason", error))) from None


def read_day(value: str) -> date | None:
    """A ``urldate`` as a day, or None when it is not YYYY-MM-DD."""
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _stamp(day: date | None) -> str:
    return (day or date.today()).strftime("%Y%m%d")


def closest(url: str, day: date | None) -> Snapshot | None:
    """The capture of ``url`` closest to ``day`` (today if None) that showed the page
    (HTTP 200), or None when the archive has none."""
    query = urlencode({"url": url, "timestamp": _stamp(day)})
    response = _request(f"{api_base()}/wayback/available?{query}")
    if response.status != 200:
        raise ArchiveError(f"the availability API answered HTTP {response.status}")
    snapshots = response.json().get("archived_snapshots")
    found = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(found, dict) or not found.get("available"):
        return None
    if str(found.get("status", "")) != "200" or not found.get("url"):
        return None
    return Snapshot(_reader_link(str(found["url"])), str(found["timestamp"]))


@dataclass
class SavePageNow:
    """One capture at a time, each asked for ``interval`` seconds after the previous
    request was answered, with the service's 429s obeyed.

    ``sleep`` and ``clock`` are the waits' and the spacing's clock (tests pass fakes).
    """

    interval: float = 10.0
    poll: float = 5.0
    max_polls: int = 60
    max_busy: int = 3
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last_answer: float | None = None

    def _space(self) -> None:
        if self._last_answer is not None:
            wait = self._last_answer + self.interval - self.clock()
            if wait > 0:
                self.sleep(wait)

    def capture(self, url: str) -> Snapshot:
        """Ask for a capture of ``url`` and wait for it; ArchiveError if it fails."""
        base = save_base()
        for attempt in range(self.max_busy + 1):
            self._space()
            response = _request(f"{base}/save", {"url": url})
            self._last_answer = self.clock()
            if response.status != 429:
                break
            if attempt == self.max_busy:
                raise ArchiveError("Save Page Now is still busy (429): try again tomorrow")
            # Without a Retry-After in seconds, a minute: the service counts per minute.
            self.sleep(_seconds(response.retry_after, 60.0))
        if response.status != 200:
            raise ArchiveError(f"Save Page Now answered HTTP {response.status}")
        job_id = response.json().get("job_id")
        if not job_id:
            raise ArchiveError(f"Save Page Now gave no job: {response.json().get('message', '')}")
        for _ in range(self.max_polls):
            self.sleep(self.poll)
            status = _request(f"{base}/save/status/{job_id}").json()
            if status.get("status") == "success" and status.get("timestamp"):
                stamp = str(status["timestamp"])
                original = str(status.get("original_url") or url)
                # Snapshots are served from Save Page Now's host: web.archive.org.
                return Snapshot(f"{base}/web/{stamp}/{original}", stamp)
            if status.get("status") == "error":
                raise ArchiveError(f"Save Page Now could not capture it: {status.get('message')}")
        raise ArchiveError("Save Page Now did not finish the capture in time")


def _seconds(retry_after: str | None, default: float) -> float:
    try:
        return max(0.0, float(retry_after or ""))
    except ValueError:
        return default
