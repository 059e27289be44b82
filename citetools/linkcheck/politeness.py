"""Per-host politeness: at most N requests at once to one host, and a minimum interval
between the starts of two requests to it.

A bibliography cites one newspaper or one agency many times; with every worker free to
ask any host, such a host receives a burst, which is how a checker earns a 429 or a bot
wall. The gate is shared by Sphinx's linkcheck workers (see
:mod:`citetools.sphinxext.linkcheck_sources`); it imports no Sphinx.

A worker asks for a slot before each check of a link. The answer is either "go after
this short wait" (the slot is then reserved: the host's next start moves one interval
on) or "come back later" when the host already has N requests in flight or its next
free start is further off than ``max_wait``: the worker then puts the link back in the
queue, due when its start is ``max_wait`` away, and checks another host's link
meanwhile, instead of sleeping on this one. When
the wait is over, ``begin`` checks the interval against the requests that really
started (a worker may wake late on a busy machine) before the request goes out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Seconds after which a link refused because its host is busy is tried again.
RECHECK_BUSY = 0.1


@dataclass
class _Host:
    in_flight: int = 0
    next_start: float = 0.0  # the earliest start a new reservation may get
    last_start: float = float("-inf")  # when the last request really started


@dataclass(frozen=True)
class Slot:
    granted: bool
    #: granted: seconds to wait before starting; refused: seconds until a retry may succeed
    wait: float


class HostGate:
    def __init__(
        self,
        concurrency: int,
        interval: float,
        max_wait: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.concurrency = concurrency
        self.interval = max(0.0, interval)
        self.max_wait = max_wait
        self.clock = clock
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()
        #: Set when the run ends early: a worker waiting for its slot then makes no request.
        self.closed = False

    def reserve(self, host: str) -> Slot:
        with self._lock:
            state = self._hosts.setdefault(host, _Host())
            now = self.clock()
            if state.in_flight >= self.concurrency:
                # A slot frees when a request ends, which cannot be known: look again soon.
                return Slot(False, RECHECK_BUSY)
            start = max(now, state.next_start)
            if start - now > self.max_wait:
                # Back once the start is max_wait away, to be reserved before it comes:
                # a link that came back at its start itself would start as late as a
                # worker was to take it up, and every later start of the host with it.
                return Slot(False, start - now - self.max_wait)
            state.in_flight += 1
            state.next_start = start + self.interval
            return Slot(True, start - now)

    def begin(self, host: str) -> float:
        """Called when a reserved slot's wait is over: 0 if the request may start now
        (recorded as its start), else how much longer to wait. A worker that slept past
        its slot must not bring the next one's start closer than the interval."""
        with self._lock:
            state = self._hosts.setdefault(host, _Host())
            now = self.clock()
            wait = state.last_start + self.interval - now
            if wait > 0:
                state.next_start = max(state.next_start, now + wait + self.interval)
                return wait
            state.last_start = now
            state.next_start = max(state.next_start, now + self.interval)
            return 0.0

    def release(self, host: str) -> None:
        with self._lock:
            state = self._hosts.get(host)
            if state is not None and state.in_flight > 0:
                state.in_flight -= 1
