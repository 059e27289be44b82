"""The .bib's entries formatted in a second process while the pages are read.

sphinxcontrib-bibtex formats the listed entries once every page is read
(``env-updated``): on the bench's 200-page site, 2,000 entries took 2.2 s on one
processor while the other had nothing to do. Which entries are listed is known
only then, but an entry's text depends only on the style, the label and the
entry. So just before the pages are read, a forked process formats every entry
of the .bib with the default style and writes the results to a file as it goes;
at ``env-updated`` the build takes the entries finished by then (it never waits),
stops the process and formats the rest itself, as before. An entry whose
formatting raised or logged anything is left to the build, which reports it as
it always has.

Forking is safe only where nothing else runs in the process (another thread
could hold a lock the child would need), so it is skipped when other threads
are alive (``citetools links --check`` checks links in threads) and where the
platform cannot fork.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import tempfile
import threading
from collections.abc import Iterable
from typing import IO, Any

import pybtex.plugin
from pybtex.style import FormattedEntry
from sphinx.util import logging

#: (style name, label, key): what sphinxcontrib-bibtex's formatting depends on.
Formatted = dict[tuple[str, str, str], FormattedEntry]

# Entries per write: the build takes whole writes, so small enough that little
# finished work is left behind, large enough that writing costs little.
_BATCH = 20
_LENGTH = struct.Struct("<Q")


class Preformatting:
    """A forked process formatting *entries*, and the file it writes them to."""

    def __init__(self, pid: int, results: IO[bytes]) -> None:
        self._pid = pid
        self._results = results

    def take(self) -> Formatted:
        """What the process has finished; the process is stopped."""
        self.stop()
        data = os.pread(self._results.fileno(), os.fstat(self._results.fileno()).st_size, 0)
        self._results.close()
        formatted: Formatted = {}
        offset = 0
        while offset + _LENGTH.size <= len(data):
            (size,) = _LENGTH.unpack_from(data, offset)
            offset += _LENGTH.size
            if offset + size > len(data):
                break  # stopped while writing
            formatted.update(pickle.loads(data[offset : offset + size]))
            offset += size
        return formatted

    def stop(self) -> None:
        if self._pid:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self._pid, 0)
            self._pid = 0


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def start(entries: Iterable[Any], style_name: str) -> Preformatting:
    """Fork a process that formats *entries* (pybtex's) with the style *style_name*."""
    results = tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:  # the child: format, write, and leave without running any exit code
        try:
            _format_all(entries, style_name, results)
        finally:
            os._exit(0)
    return Preformatting(pid, results)


def _format_all(entries: Iterable[Any], style_name: str, results: IO[bytes]) -> None:
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", style_name)()
    batch: Formatted = {}
    for entry in entries:
        collector = logging.LogCollector()
        try:
            with collector.collect():
                (label,) = style.format_labels([entry])
                formatted = style.format_entry(label, entry)
        except Exception:  # noqa: BLE001 (the build formats it again and reports it)
            continue
        if collector.logs:
            continue
        batch[style_name, label, entry.key] = formatted
        if len(batch) == _BATCH:
            _write(results, batch)
            batch = {}
    if batch:
        _write(results, batch)


def _write(results: IO[bytes], batch: Formatted) -> None:
    payload = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
    results.write(_LENGTH.pack(len(payload)) + payload)
    results.flush()
