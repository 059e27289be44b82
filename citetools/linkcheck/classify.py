"""What one line of Sphinx's ``output.json`` means for a source.

Sphinx knows ``working``, ``redirected``, ``broken``, ``timeout``, ``ignored`` and
``unchecked``; a maintainer needs more: a 403 is a site refusing robots, not a dead
page; a 429 that outlasted the wait is not the source's fault; a temporary redirect or
an upgrade to https leaves the entry correct. Sphinx's result carries the HTTP status
only inside its message, so it is read from there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

WORKING = "working"
REDIRECTED = "redirected"
BROKEN = "broken"
TIMEOUT = "timeout"
RATE_LIMITED = "rate-limited"
BLOCKED = "blocked"
IGNORED = "ignored"
#: Most urgent first: the order of the report.
STATUSES = (BROKEN, REDIRECTED, BLOCKED, RATE_LIMITED, TIMEOUT, IGNORED, WORKING)

_TEMPORARY_REDIRECTS = {302, 303, 307}
_HTTP_ERROR = re.compile(
    r"\b(?P<code>[1-5]\d\d) (?:Client|Server) Error: (?P<reason>[^\n]*?) for url"
)
_ANCHOR = re.compile(r"Anchor '(?P<anchor>[^']*)' not found")
_REDIRECT_LOOP = re.compile(r"Exceeded \d+ redirects")
_IGNORED_REDIRECT = re.compile(r"ignored redirect: (?P<target>\S+)")
# How requests and urllib3 word a host that never answered: no name, no route, no listener.
_NO_ANSWER = {
    "name not found": re.compile(
        r"NameResolutionError|Failed to resolve|Name or service not known|"
        r"Temporary failure in name resolution|nodename nor servname|getaddrinfo failed"
    ),
    "connection refused": re.compile(r"Connection refused|ECONNREFUSED"),
    "network unreachable": re.compile(r"Network is unreachable|No route to host"),
    "no answer to connect": re.compile(r"ConnectTimeout|connect timeout", re.IGNORECASE),
}


@dataclass(frozen=True)
class Outcome:
    status: str
    code: int = 0  # the HTTP status where known, else 0
    detail: str = ""  # what happened, in words
    target: str = ""  # where a redirect leads
    no_answer: bool = False  # the host never answered: no name, no route, refused


def _no_answer(info: str) -> str | None:
    for reason, pattern in _NO_ANSWER.items():
        if pattern.search(info):
            return reason
    return None


def redirect(uri: str, target: str, code: int) -> Outcome:
    if uri.startswith("http://") and target.rstrip("/") == "https://" + uri[7:].rstrip("/"):
        return Outcome(WORKING, code, f"redirects to https ({target}); the entry may use it")
    if code in _TEMPORARY_REDIRECTS:
        return Outcome(WORKING, code, f"temporary redirect ({code}) to {target}")
    return Outcome(
        REDIRECTED, code, f"moved permanently ({code or 'redirect'}) to {target}", target
    )


def _broken(info: str) -> Outcome:
    if match := _ANCHOR.search(info):
        return Outcome(BROKEN, 200, f"the page has no anchor #{match['anchor']}")
    if info == "unauthorized":
        return Outcome(BLOCKED, 401, "the site asks for a login (401)")
    if match := _HTTP_ERROR.search(info):
        code, reason = int(match["code"]), match["reason"]
        if code == 429:
            return Outcome(RATE_LIMITED, code, "still 429 Too Many Requests after the allowed wait")
        if code == 403:
            return Outcome(BLOCKED, code, "403 Forbidden: the site refuses automated checks")
        return Outcome(BROKEN, code, f"{code} {reason}")
    if _REDIRECT_LOOP.search(info):
        return Outcome(BROKEN, 0, "too many redirects (a redirect loop)")
    if reason := _no_answer(info):
        return Outcome(BROKEN, 0, f"the host did not answer ({reason})", no_answer=True)
    if "SSLError" in info or "CERTIFICATE" in info:
        return Outcome(BROKEN, 0, "the site's TLS certificate was refused")
    return Outcome(BROKEN, 0, info.splitlines()[0] if info else "broken")


def classify(result: dict[str, Any]) -> Outcome:
    """The outcome of one ``output.json`` line."""
    status = result.get("status", "")
    info = str(result.get("info") or "")
    code = int(result.get("code") or 0)
    uri = str(result.get("uri", ""))
    if status == "working":
        return Outcome(WORKING, code)
    if status == "redirected":
        return redirect(uri, info, code)
    if status == "broken":
        return _broken(info)
    if status == "timeout":
        if reason := _no_answer(info):
            return Outcome(TIMEOUT, 0, f"the host did not answer ({reason})", no_answer=True)
        return Outcome(TIMEOUT, 0, "no answer within the timeout")
    if status == "ignored":
        if match := _IGNORED_REDIRECT.search(info):
            # The target is in linkcheck_ignore, often because the cache has it as working.
            return redirect(uri, match["target"], code)
        if info == "service unavailable":
            return Outcome(
                BLOCKED, 503, "503 Service Unavailable: the site is down or shows a bot challenge"
            )
        return Outcome(IGNORED, code, info or "matches linkcheck_ignore in conf.py")
    return Outcome(IGNORED, code, info or f"not checked ({status or 'no status'})")
