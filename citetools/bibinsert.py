"""Adding fields to entries of a ``.bib`` file, and changing nothing else in it.

``citetools archive`` and ``citetools links --fix`` add ``archiveurl``, ``archivedate``
and ``urlstatus`` to entries that a person wrote and formatted: the rest of the file must
stay byte for byte as it was (comments, spacing, line endings, the order of entries).
Each new field goes on a line of its own, in the place and the form ``citetools fmt``
gives it (two-space indent, braces, a comma), right after the entry's field that comes
before it in the canonical order. The result is read back and compared with what was
meant before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from citetools import bibfile
from citetools.bibfile import BibEntry, BibFile
from citetools.bibvalue import Part, render
from citetools.fmt import field_sort_key


class InsertError(Exception):
    """The fields cannot be added without changing something else; nothing was written."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


@dataclass(frozen=True)
class Inserted:
    key: str
    line: int  # where the first new field of the entry now is (1-based)
    lines: tuple[str, ...]  # the new lines, as written


def field_line(name: str, value: str) -> str:
    """One field in the canonical layout."""
    return f"  {name} = {render((Part('text', value),))},"


def _closing_line(bib: BibFile, entry: BibEntry) -> int:
    """The 1-based line of the entry's closing brace."""
    for block in bib.library.entries:
        start, raw = block.start_line, block.raw
        if (
            start is not None
            and raw is not None
            and start + 1 == entry.line
            and block.key == entry.key
        ):
            return entry.line + raw.rstrip().count("\n")
    raise InsertError(entry.line, f"`{entry.key}`: cannot find where the entry ends")


def _end_lines(bib: BibFile, entry: BibEntry) -> dict[str, int]:
    """Each field's last line: the line before the next field, or before the closing brace."""
    starts = sorted(entry.field_lines.items(), key=lambda item: item[1])
    ends = [line - 1 for _, line in starts[1:]] + [_closing_line(bib, entry) - 1]
    return {name: end for (name, _), end in zip(starts, ends, strict=True)}


def plan(bib: BibFile, lines: list[str], key: str, fields: dict[str, str]) -> list[tuple[int, str]]:
    """(0-based index to insert before, new line) for each field added to ``key``."""
    entry = next((e for e in bib.entries if e.key.strip() == key), None)
    if entry is None:
        raise InsertError(0, f"no entry `{key}`")
    taken = [name for name in fields if name in entry.parts]
    if taken:
        raise InsertError(
            entry.field_lines[taken[0]], f"`{key}` already has `{taken[0]}`: left as it is"
        )
    ends = _end_lines(bib, entry)
    inserts = []
    for name in sorted(fields, key=field_sort_key):
        before = [f for f in ends if field_sort_key(f) < field_sort_key(name)]
        if before:
            previous = max(before, key=field_sort_key)
            after = ends[previous]
            if not lines[after - 1].rstrip().endswith(","):
                raise InsertError(
                    after,
                    f"`{key}`: no comma after `{previous}` on line {after}: run "
                    "`citetools fmt` first",
                )
            index = after
        elif entry.field_lines:
            index = min(entry.field_lines.values()) - 1
        else:
            index = _closing_line(bib, entry) - 1
        if index <= entry.line - 1:
            raise InsertError(
                entry.line, f"`{key}`: a field on the entry's first line: run `citetools fmt`"
            )
        inserts.append((index, field_line(name, fields[name])))
    return inserts


def add_fields(path: Path, additions: dict[str, dict[str, str]]) -> tuple[str, list[Inserted]]:
    """The file's text with ``additions`` (key -> field -> value) made, checked by reading
    it back. Raises :class:`InsertError` (or ``bibfile.UnreadableBibFile``)."""
    raw = Path(path).read_bytes().decode("utf-8")
    newline = "\r\n" if "\r\n" in raw else "\n"
    bib = bibfile.parse(raw, Path(path))
    if bib.failures:
        first = bib.failures[0]
        raise InsertError(first.line, f"{first.message} (fix this first: nothing was written)")
    lines = raw.split(newline)
    rest = raw.replace("\r\n", "")
    if "\r" in rest or (newline == "\r\n" and "\n" in rest):
        raise InsertError(0, "mixed line endings: run `citetools fmt` first")
    inserts: list[tuple[int, str]] = []
    for key, fields in additions.items():
        inserts += plan(bib, lines, key, fields)
    # Bottom up, so that earlier indexes stay right; at one place, last field first.
    order = sorted(range(len(inserts)), key=lambda i: (inserts[i][0], i), reverse=True)
    for i in order:
        lines.insert(*inserts[i])
    new_text = newline.join(lines)
    _verify(bib, new_text, Path(path), additions)
    again = bibfile.parse(new_text, Path(path))
    report = []
    for key, fields in additions.items():
        entry = next(e for e in again.entries if e.key.strip() == key)
        names = sorted(fields, key=field_sort_key)
        written = tuple(field_line(name, fields[name]) for name in names)
        report.append(Inserted(key, min(entry.field_lines[n] for n in names), written))
    return new_text, report


def _verify(old: BibFile, new_text: str, path: Path, additions: dict[str, dict[str, str]]) -> None:
    new = bibfile.parse(new_text, path)
    expected = [
        (
            e.key,
            {
                **e.parts,
                **{n: (Part("text", v),) for n, v in additions.get(e.key.strip(), {}).items()},
            },
        )
        for e in old.entries
    ]
    if new.failures or [(e.key, e.parts) for e in new.entries] != expected:
        raise InsertError(0, "the new fields would not read back as written: nothing was written")
