"""Work done in a forked process while the build goes on, for the build's extensions.

A build has two processors and uses one: what does not depend on the pages can
run in a child forked from the build, which has the build's modules and
settings already loaded. Forking is safe only where nothing else runs in the
process (another thread could hold a lock the child would need), so callers do
the work themselves when other threads are alive (``citetools links --check``
checks links in threads) or where the platform cannot fork.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import tempfile
import threading
from collections.abc import Callable
from typing import IO, Any

#: How much lower than the build's a child's priority is when the build does not
#: wait for it (see nice(1)): on a busy machine it then slows the build least.
BACKGROUND_NICENESS = 10


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


class Unavailable(Exception):
    """No child could be forked, or it failed or was stopped before its result was written."""


class Forked:
    """*work(results)* running in a forked child, writing to the file *results*.

    A child whose work the build does not wait for runs at a lower priority
    (*niceness*: ``BACKGROUND_NICENESS``).
    """

    def __init__(self, work: Callable[[IO[bytes]], None], niceness: int = 0) -> None:
        # No temporary file, or no process to spare: the caller does the work itself.
        try:
            self._results = tempfile.TemporaryFile()
        except OSError:
            raise Unavailable from None
        self._failed = False
        try:
            self._pid = os.fork()
        except OSError:
            self._results.close()
            raise Unavailable from None
        if self._pid == 0:  # the child: work, and leave without running any exit code
            status = 1
            try:
                os.nice(niceness)
                work(self._results)
                self._results.flush()
                status = 0
            finally:
                os._exit(status)

    def finished(self) -> bool:
        """Whether the child has exited, without waiting for it."""
        return self._reap(os.WNOHANG)

    def _reap(self, options: int) -> bool:
        """Whether the child has exited (``waitpid``'s *options*), and if it failed."""
        if self._pid:
            pid, status = os.waitpid(self._pid, options)
            if pid == 0:
                return False
            self._pid = 0
            self._failed = os.waitstatus_to_exitcode(status) != 0
        return True

    def so_far(self) -> bytes:
        """What the child has written so far; it goes on."""
        fileno = self._results.fileno()
        return os.pread(fileno, os.fstat(fileno).st_size, 0)

    def written(self, *, wait: bool) -> bytes:
        """What the child wrote: once it has finished (*wait*), or so far, stopping it."""
        try:
            if not wait:
                self._kill()
            else:
                self._reap(0)
                if self._failed:
                    raise Unavailable
            return self.so_far()
        finally:
            self._results.close()

    def stop(self) -> None:
        """Stop the child, what it wrote unread."""
        self._kill()
        self._results.close()

    def _kill(self) -> None:
        if self._pid:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self._pid, 0)
            self._pid = 0


_LENGTH = struct.Struct("<Q")


def write_record(results: IO[bytes], value: Any) -> None:
    """Add *value* to *results*, pickled, so that a reader sees it whole or not at all."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    results.write(_LENGTH.pack(len(payload)) + payload)
    results.flush()


def records(data: bytes) -> list[Any]:
    """The values :func:`write_record` wrote in *data*, up to the last whole one."""
    found = []
    offset = 0
    while offset + _LENGTH.size <= len(data):
        (size,) = _LENGTH.unpack_from(data, offset)
        offset += _LENGTH.size
        if offset + size > len(data):
            break  # stopped while writing
        found.append(pickle.loads(data[offset : offset + size]))
        offset += size
    return found
