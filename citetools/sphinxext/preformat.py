"""The .bib's entries formatted in a second process while the pages are read.

sphinxcontrib-bibtex formats the listed entries once every page is read
(``env-updated``): on the bench's 200-page site, 2,000 entries took 2.2 s on one
processor while the other had nothing to do. Which entries are listed is known
only then, but an entry's text depends only on the style, the label and the
entry. So just before the pages are read, a forked process (``forking``) formats
every entry of the .bib with the default style and writes the results to a file
as it goes; at ``env-updated`` the build takes the entries finished by then (it
never waits), stops the process and formats the rest itself, as before. An
entry whose formatting raised or logged anything is left to the build, which
reports it as it always has.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import pybtex.plugin
from pybtex.style import FormattedEntry
from sphinx.util import logging

from citetools.sphinxext import forking
from citetools.sphinxext.forking import BACKGROUND_NICENESS, Forked

#: (style name, label, key): what sphinxcontrib-bibtex's formatting depends on.
Formatted = dict[tuple[str, str, str], FormattedEntry]

# Entries per write: the build takes whole writes, so small enough that little
# finished work is left behind, large enough that writing costs little.
_BATCH = 20


def start(entries: Iterable[Any], style_name: str) -> Forked:
    """A forked process formatting *entries* (pybtex's) with the style *style_name*."""
    # The build takes what is finished and never waits: the child only uses spare time.
    return Forked(lambda results: _format_all(entries, style_name, results), BACKGROUND_NICENESS)


def take(formatting: Forked) -> Formatted:
    """What *formatting* has finished; it is stopped."""
    return read(formatting.written(wait=False))


def read(data: bytes) -> Formatted:
    """The entries in what ``_format_all`` wrote, up to the last whole write."""
    formatted: Formatted = {}
    for batch in forking.records(data):
        formatted.update(batch)
    return formatted


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
            forking.write_record(results, batch)
            batch = {}
    if batch:
        forking.write_record(results, batch)
