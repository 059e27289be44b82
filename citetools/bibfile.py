"""Reading ``references.bib`` with the line of every entry and field.

bibtexparser v2 does the parsing; this module turns its blocks into 1-based
line numbers, which every message to a contributor names.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser.model import ParsingFailedBlock


@dataclass
class BibEntry:
    key: str
    type: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    field_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class BibFailure:
    line: int
    message: str


@dataclass
class BibFile:
    path: Path
    entries: list[BibEntry]
    failures: list[BibFailure]
    library: bibtexparser.Library


class UnreadableBibFile(Exception):
    """The file is missing or not UTF-8; ``line`` is where the bad byte is."""

    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


def read_text(path: Path) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise UnreadableBibFile(Path(path), 0, error.strerror or str(error)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UnreadableBibFile(
            Path(path), line, f"not UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        ) from None


def parse(text: str, path: Path = Path("references.bib")) -> BibFile:
    # bibtexparser logs each failed block itself; our callers report them.
    parser_log = logging.getLogger("bibtexparser")
    previous = parser_log.disabled
    parser_log.disabled = True
    try:
        library = bibtexparser.parse_string(text)
    finally:
        parser_log.disabled = previous
    entries = [
        BibEntry(
            key=entry.key,
            type=entry.entry_type.lower(),
            line=entry.start_line + 1,
            fields={f.key.lower(): str(f.value) for f in entry.fields},
            field_lines={f.key.lower(): f.start_line + 1 for f in entry.fields},
        )
        for entry in library.entries
    ]
    failures = [
        BibFailure(block.start_line + 1, str(block.error) or type(block.error).__name__)
        for block in library.failed_blocks
        if isinstance(block, ParsingFailedBlock)
    ]
    return BibFile(Path(path), entries, failures, library)


def read(path: Path) -> BibFile:
    return parse(read_text(path), Path(path))
