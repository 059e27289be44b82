"""``citetools archive [KEY ...]``: an archived copy for every web source.

For each entry with a ``url`` and no ``archiveurl`` (or only the KEYs named), asks the
Wayback Machine for the snapshot closest to the entry's ``urldate`` (the day the source
was read; today when it has none) and writes ``archiveurl`` and ``archivedate`` into
the file, changing nothing else in it (:mod:`citetools.bibinsert`). ``--save`` asks Save
Page Now to capture a source the archive has no snapshot of, one capture at a time;
``--dry-run`` prints the lines it would add and writes nothing.

``$CITETOOLS_WAYBACK_API`` and ``$CITETOOLS_WAYBACK_SAVE`` replace the archive's
addresses (see :mod:`citetools.linkcheck.wayback`).

Exit status: 0 every source has an archived copy, 1 some have none yet (listed), 2
unreadable input or an unknown key, 3 the archive did not answer (nothing written).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from citetools import bibfile, bibinsert
from citetools.args import DEFAULT_BIB
from citetools.bibfile import BibEntry
from citetools.findings import display_path, plural
from citetools.fmt import write_atomically
from citetools.linkcheck import wayback

OFFLINE = 3
#: Makes the Save Page Now client (tests give it short waits).
make_saver: Callable[[], wayback.SavePageNow] = wayback.SavePageNow


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "keys", nargs="*", metavar="KEY", help="only these entries (default: every web source)"
    )
    parser.add_argument(
        "--bib", type=Path, default=DEFAULT_BIB, help=f"the bibliography (default: {DEFAULT_BIB})"
    )
    parser.add_argument(
        "--save",
        action="store_true",
        help="ask Save Page Now to capture sources the archive has no snapshot of",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the lines that would be added; write nothing"
    )


def archive_fields(snapshot: wayback.Snapshot) -> dict[str, str]:
    return {"archiveurl": snapshot.url, "archivedate": snapshot.date}


def _candidates(
    entries: list[BibEntry], keys: list[str], shown: str
) -> tuple[list[BibEntry], list[str]]:
    """The entries to look up, and a message for each named key that is not one."""
    if not keys:
        return [e for e in entries if e.fields.get("url") and not e.fields.get("archiveurl")], []
    by_key = {e.key.strip(): e for e in entries}
    chosen, notes = [], []
    for key in keys:
        entry = by_key[key]
        if not entry.fields.get("url"):
            notes.append(f"{shown}:{entry.line}: {key}: no url, so nothing to archive")
        elif entry.fields.get("archiveurl"):
            line = entry.field_lines["archiveurl"]
            notes.append(f"{shown}:{line}: {key}: already has an archiveurl")
        else:
            chosen.append(entry)
    return chosen, notes


def run(args: argparse.Namespace) -> int:
    path: Path = args.bib
    shown = display_path(path)
    try:
        bib = bibfile.read(path)
    except bibfile.UnreadableBibFile as error:
        print(f"{display_path(error.path)}:{error.line}: {error.message}", file=sys.stderr)
        return 2
    if bib.failures:
        for failure in bib.failures:
            print(f"{shown}:{failure.line}: {failure.message}", file=sys.stderr)
        print(f"{shown}:0: nothing was written: fix the errors above first", file=sys.stderr)
        return 2
    unknown = [key for key in args.keys if key not in {e.key.strip() for e in bib.entries}]
    if unknown:
        print(f"{shown}:0: no entry {', '.join(unknown)} (nothing was written)", file=sys.stderr)
        return 2
    entries, notes = _candidates(bib.entries, args.keys, shown)
    for note in notes:
        print(note)

    additions: dict[str, dict[str, str]] = {}
    missing = 0
    saver = make_saver() if args.save else None
    for entry in entries:
        key, url = entry.key.strip(), entry.fields["url"].strip()
        line = entry.field_lines["url"]
        try:
            snapshot = wayback.closest(url, wayback.read_day(entry.fields.get("urldate", "")))
            if snapshot is None and saver is not None:
                print(f"{shown}:{line}: {key}: no snapshot yet: asking Save Page Now for one")
                snapshot = saver.capture(url)
        except wayback.Unreachable as error:
            print(
                f"{shown}:0: the Wayback Machine did not answer ({error}): network unreachable; "
                "nothing was written",
                file=sys.stderr,
            )
            return OFFLINE
        except wayback.ArchiveError as error:
            print(f"{shown}:{line}: {key}: {error}")
            missing += 1
            continue
        if snapshot is None:
            print(
                f"{shown}:{line}: {key}: the archive has no snapshot of {url} yet: "
                f"`citetools archive --save {key}` asks Save Page Now to make one"
            )
            missing += 1
            continue
        additions[key] = archive_fields(snapshot)

    if additions:
        try:
            text, inserted = bibinsert.add_fields(path, additions)
        except bibinsert.InsertError as error:
            print(f"{shown}:{error.line}: {error.message}", file=sys.stderr)
            return 2
        verb = "would add" if args.dry_run else "added"
        for done in inserted:
            fields = additions[done.key]
            print(
                f"{shown}:{done.line}: {done.key}: {verb} the snapshot of {fields['archivedate']}:"
            )
            for new_line in done.lines:
                print(new_line)
        if not args.dry_run:
            write_atomically(path, text)
    summary = f"archive: {plural(len(additions), 'snapshot')} "
    summary += "to add" if args.dry_run else "added"
    if missing:
        summary += f"; {plural(missing, 'web source')} still without an archived copy"
    if args.dry_run:
        summary += " (dry run: nothing was written)"
    print(summary)
    return 1 if missing else 0
