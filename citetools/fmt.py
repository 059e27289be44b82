"""``citetools fmt``: one canonical layout for ``references.bib``.

Layout: comments at the top of the file stay there; then ``@string`` and
``@preamble`` blocks in their order (a macro must be defined before use);
then the entries sorted by key, each keeping the comments written just above
it. Inside an entry: lowercase type and field names, fields in a fixed order,
two-space indent, every text value in braces, macros bare, a comma after every
field. Nothing is lost: the output is parsed again and compared with the input
before anything is written.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from citetools import bibfile, rules
from citetools.args import DEFAULT_BIB, add_bib_files
from citetools.bibfile import BibComment, BibEntry, BibFile, BibPreamble, BibString
from citetools.bibvalue import render
from citetools.findings import Finding, UnwritableFile, display_path

FIELD_ORDER = [
    "author", "editor", "title", "subtitle", "booktitle", "journal", "journaltitle", "year",
    "month", "day", "date", "volume", "number", "pages", "chapter", "edition", "series", "type",
    "institution", "organization", "school", "publisher", "address", "location", "howpublished",
    "isbn", "issn", "doi", "url", "urldate", "archiveurl", "archivedate", "urlstatus",
    "crossref", "note",
]  # fmt: skip
_RANK = {name: i for i, name in enumerate(FIELD_ORDER)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_bib_files(parser, default="references.bib")
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; show a diff and exit 1 if a file is not formatted",
    )


def field_sort_key(name: str) -> tuple[int, str]:
    return (_RANK.get(name, len(FIELD_ORDER)), name)


def format_entry(entry: BibEntry) -> str:
    lines = [f"@{entry.type}{{{entry.key.strip()},"]
    for name in sorted(entry.parts, key=field_sort_key):
        lines.append(f"  {name} = {render(entry.parts[name])},")
    lines.append("}")
    return "\n".join(lines)


def _format_block(block: bibfile.Block) -> str:
    if isinstance(block, BibEntry):
        return format_entry(block)
    if isinstance(block, BibString):
        return f"@string{{{block.name} = {render(block.parts)}}}"
    if isinstance(block, BibComment | BibPreamble):
        return block.raw if isinstance(block, BibPreamble) else block.text
    raise TypeError(block)


def format_bib(bib: BibFile) -> str:
    header: list[str] = []
    definitions: list[str] = []
    groups: list[tuple[str, int, list[str]]] = []  # (sort key, position, chunks)
    pending: list[str] = []
    started = False
    for position, block in enumerate(bib.blocks):
        if isinstance(block, BibComment):
            pending.append(_format_block(block))
            continue
        if not started:
            # Comments before the first block describe the file, not that block.
            header, pending, started = pending, [], True
        chunks = pending + [_format_block(block)]
        pending = []
        if isinstance(block, BibEntry):
            groups.append((block.key.strip().lower(), position, chunks))
        else:
            definitions += chunks
    if not started:
        header, pending = pending, []
    groups.sort(key=lambda g: (g[0], g[1]))
    chunks = header + definitions + [c for g in groups for c in g[2]] + pending
    return "\n\n".join(chunks) + "\n" if chunks else ""


def content(bib: BibFile) -> dict[str, Sequence[object]]:
    """What a layout must not change: entries, fields, values, macros, comments."""

    def comment_lines(text: str) -> list[str]:
        return [line.strip() for line in text.split("\n") if line.strip()]

    return {
        "entries": sorted(
            (e.key.strip(), e.type, tuple(sorted(e.parts.items()))) for e in bib.entries
        ),
        "strings": sorted((s.name, s.parts) for s in bib.blocks if isinstance(s, BibString)),
        "preambles": sorted(b.raw for b in bib.blocks if isinstance(b, BibPreamble)),
        "comments": sorted(
            line for b in bib.blocks if isinstance(b, BibComment) for line in comment_lines(b.text)
        ),
    }


class LayoutError(Exception):
    pass


def formatted(bib: BibFile) -> str:
    """The canonical text, verified to hold exactly what ``bib`` holds."""
    text = format_bib(bib)
    again = bibfile.parse(text, bib.path)
    if again.failures or content(again) != content(bib):
        raise LayoutError(
            f"{display_path(bib.path)}:1: fmt-internal the canonical layout would change the "
            "file's content, so nothing was written; please report this with the file"
        )
    return text


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file next to ``path``, then rename: never a half-written file.

    A symbolic link (to a reference manager's export, say) is followed: the file it
    points to is written, and the link stays."""
    shown = Path(path)
    path = shown.resolve()
    tmp: str | None = None
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as error:
        raise UnwritableFile(shown, (error.strerror or str(error)).lower()) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def _first_difference(old: str, new: str) -> int:
    for number, (a, b) in enumerate(zip(old.split("\n"), new.split("\n"), strict=False), 1):
        if a != b:
            return number
    return min(old.count("\n"), new.count("\n")) + 1


def run(args: argparse.Namespace) -> int:
    status = 0
    for path in args.bib or [DEFAULT_BIB]:
        shown = display_path(path)
        try:
            bib = bibfile.read(path)
            current = Path(path).read_bytes().decode("utf-8")
        except bibfile.UnreadableBibFile as error:
            print(Finding(display_path(error.path), error.line, error.code, error.message).text())
            status = max(status, 2)
            continue
        # Rewritten, an entry closed too early would have its last fields moved away.
        closed_early = [n for n in bib.notices if n.code in rules.CLOSED_EARLY]
        if bib.failures or closed_early:
            for failure in sorted(bib.failures + closed_early, key=lambda f: f.line):
                print(Finding(shown, failure.line, failure.code, failure.message).text())
            print(f"{shown}:0: left unchanged: fix the errors above first", file=sys.stderr)
            status = max(status, 1)
            continue
        try:
            text = formatted(bib)
        except LayoutError as error:
            print(error)
            status = max(status, 2)
            continue
        if text == current:
            continue
        if args.check:
            line = _first_difference(current, text)
            why = "not in the canonical layout from this line on"
            if "\r" in current:  # the diff would show lines that look the same
                line, why = 1, "Windows line endings (CRLF); the canonical layout has LF"
            print(Finding(shown, line, "fmt-layout", f"{why}: run `citetools fmt {shown}`").text())
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"{shown} (as written)",
                    f"{shown} (canonical)",
                )
            )
            status = max(status, 1)
        else:
            write_atomically(Path(path), text)
            print(f"{shown}:0: rewritten in the canonical layout", file=sys.stderr)
    return status
