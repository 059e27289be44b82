"""Reading ``references.bib`` with the line of every entry and field.

bibtexparser v2 splits the file into blocks; this module turns them into
1-based line numbers, which every message to a contributor names, and into
``failures``: the syntax faults a contributor has to fix before anything else
(unbalanced braces, a missing comma, a repeated field, a merge-conflict
marker, ...), read as BibTeX and pybtex read them. bibtexparser recovers from
some of these silently, so the blocks are checked again here. Text between
entries is a comment to BibTeX: it is kept as written and only noted
(``notices``), never a failure.

This is the one reading of a ``.bib`` file: ``citetools lint``, ``fmt``,
``add`` and the build's check (``sphinxext/bibfile_check.py``) all use it.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.model import Block as Block_
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ExplicitComment,
    Field,
    ImplicitComment,
    ParsingFailedBlock,
    Preamble,
    String,
)

from citetools.bibvalue import EMPTY_VALUE, ParsedValue, Part, parse_value, resolve

# A field name as BibTeX and pybtex read it: `__markedentry` (JabRef) and
# `date-added` (BibDesk) are names; it does not start with a digit.
_NAME = r"[A-Za-z@!$&*+\-./:;<>?\[\\\]^_`|~\x7f][\w@!$&*+\-./:;<>?\[\\\]^`|~\x7f]*"
_FIELD_NAME = re.compile(_NAME, re.ASCII)
# Where a field seems to start, to place a missing comma or brace: a name as fields
# are usually written, not every name pybtex reads (`$\alpha$ = 0.05` in a value).
_FIELD_START = re.compile(r"\s*([A-Za-z_][\w:.+-]*)\s*=", re.ASCII)
# pybtex starts a command at every `@` outside an entry, even in `@comment{...}`
# (as BibTeX does): with a name after it, or spaces and a name, it reads an entry.
_AT_NAME = re.compile(r"@\s*\w*")
_SPACED_ENTRY = re.compile(r"@\s+\w+\s*[{(]")
_BAD_KEY = re.compile(r"[\s,}]")  # pybtex's key stops at these
# A field that an entry closed too early left outside it: BibTeX drops it.
_STRAY_FIELD = re.compile(r"[A-Za-z][\w:.+-]*\s*=\s*[{\"\d]")
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?:\s|$)", re.MULTILINE)


@dataclass
class BibEntry:
    key: str
    type: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)  # what a reader sees: macros resolved
    field_lines: dict[str, int] = field(default_factory=dict)
    raw_fields: dict[str, str] = field(default_factory=dict)  # as written, delimiters included
    parts: dict[str, tuple[Part, ...]] = field(default_factory=dict)
    # Field names as written (`Title`), by lowercase name: pybtex keeps the case.
    written_names: dict[str, str] = field(default_factory=dict)

    @property
    def crossref(self) -> str:
        """The key its `crossref` names, in lower case (keys match in any case); or ""."""
        return self.fields.get("crossref", "").strip().lower()


@dataclass
class BibString:
    name: str
    line: int
    raw: str
    parts: tuple[Part, ...]


@dataclass
class BibComment:
    line: int
    text: str  # the whole block as written: `% ...` lines, or `@comment{...}`


@dataclass
class BibPreamble:
    line: int
    raw: str


@dataclass
class BibFailure:
    line: int
    message: str
    code: str = "syntax"


Block = BibEntry | BibString | BibComment | BibPreamble


@dataclass
class BibFile:
    path: Path
    entries: list[BibEntry]
    failures: list[BibFailure]  # what BibTeX cannot read: `fmt` refuses the file
    library: Library
    # Every block in file order, for `fmt`; failed blocks are not in it.
    blocks: list[Block] = field(default_factory=list)
    strings: dict[str, BibString] = field(default_factory=dict)  # by lowercase name
    notices: list[BibFailure] = field(default_factory=list)  # read, but worth a look
    # Every @string definition of the files read before this one, in the order written
    # (a later one may redefine a name): BibTeX, pybtex and sphinxcontrib-bibtex read a
    # site's .bib files as one (IEEEabrv.bib, then refs.bib).
    earlier: list[BibString] = field(default_factory=list)

    @functools.cached_property
    def earlier_strings(self) -> dict[str, BibString]:
        """The @strings of the files read before, by lowercase name: the last definition."""
        return {string.name.lower(): string for string in self.earlier}

    def strings_so_far(self) -> list[BibString]:
        """Every @string definition once this file is read, for the file read after it."""
        return [*self.earlier, *self.strings.values()]


class UnreadableBibFile(Exception):
    """The file is missing or not UTF-8; ``line`` is where the bad byte is."""

    def __init__(self, path: Path, line: int, message: str, code: str = "unreadable") -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message, self.code = path, line, message, code


def read_text(path: Path) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise UnreadableBibFile(
            Path(path),
            1,
            f"cannot open the file ({reason}): check the name, and run citetools "
            "in the project folder",
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UnreadableBibFile(
            Path(path),
            line,
            f"not UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8 "
            "(in your editor: Save As, encoding UTF-8) and check the accents on this line",
            code="not-utf8",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


@contextmanager
def _quiet_parser() -> Iterator[None]:
    # bibtexparser logs every failed block on its own (through child loggers,
    # which `disabled` does not reach); the level is inherited, so set it once.
    parser_log = logging.getLogger("bibtexparser")
    previous = parser_log.level
    parser_log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        parser_log.setLevel(previous)


# bibtexparser takes a brace after a backslash as escaped (`\{\&}`, as Papers
# exports `&`), even after `\\` (a LaTeX line break: `{Line one\\}`), and then
# finds the entry never closed; BibTeX and pybtex count every brace. Backslashes
# before a brace are held as a character the file does not use while
# bibtexparser splits the file, then given back.
# Not in `@comment{...}`, whose text pybtex skips: bibtexparser pairs its braces.
_ESCAPED_BACKSLASHES = re.compile(r"\\+(?=[{}])")
# A command at a line's start or after a block's end, not an `@` in a value.
_COMMAND = re.compile(r"(?:^|[})])[ \t]*(?P<at>@)\s*(\w+)\s*[{(]", re.M)
_HELD = "\ue000"


def _held(text: str) -> str | None:
    if _HELD in text or not _ESCAPED_BACKSLASHES.search(text):
        return None
    commands = [(m.start("at"), m[2].lower()) for m in _COMMAND.finditer(text)]
    starts = [start for start, _ in commands]

    def hold(match: re.Match[str]) -> str:
        before = bisect.bisect(starts, match.start()) - 1
        if before >= 0 and commands[before][1] == "comment":
            return match[0]
        return _HELD * len(match[0])

    return _ESCAPED_BACKSLASHES.sub(hold, text)


def _given_back(obj: object) -> None:
    """Every string bibtexparser made from the held text, with its backslashes back."""
    for name, value in vars(obj).items():
        if isinstance(value, str):
            setattr(obj, name, value.replace(_HELD, "\\"))
        elif isinstance(value, list):
            value[:] = [v.replace(_HELD, "\\") if isinstance(v, str) else v for v in value]
            for item in value:
                if hasattr(item, "__dict__"):
                    _given_back(item)
        elif type(value).__module__.startswith("bibtexparser."):
            _given_back(value)


def parse(
    text: str, path: Path = Path("references.bib"), earlier: list[BibString] | None = None
) -> BibFile:
    """*text* read as BibTeX reads it after files that defined the @strings *earlier*."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    held = _held(text)
    with _quiet_parser():
        try:
            # No middleware: values keep their delimiters, so `fmt` can keep them
            # exact and the checks can see how they were written.
            library = parse_string(held or text, parse_stack=[])
            if held is not None:
                for block in library.blocks:
                    _given_back(block)
        except Exception as error:  # a bibtexparser bug must still end in path:line
            empty = Library()
            message = f"the parser gave up ({type(error).__name__}: {error}); run `citetools lint`"
            return BibFile(Path(path), [], [BibFailure(1, message)], empty)
    bib = _Reader(Path(path), library, earlier or []).read()
    markers = [_conflict(text, match) for match in _CONFLICT.finditer(text)]
    hidden = [m for m in _COMMENTED_OUT.finditer(text) if m["type"].lower() != "comment"]
    if hidden:
        # Named once, at its `@`: not again at each `%` line of the entry below it.
        inside = {n for m in hidden for n in _commented_lines(text, m)}
        bib.failures = [
            f for f in bib.failures if not (f.code == "comment-in-entry" and f.line in inside)
        ]
        markers += [_commented_out(text, match) for match in hidden]
    if markers:
        bib.failures = sorted(bib.failures + markers, key=lambda f: f.line)
    return bib


# `% @misc{key,`: an entry someone meant to hide with `%`, which BibTeX still reads.
_COMMENTED_OUT = re.compile(r"^[ \t]*%[^\n@]*(?P<at>@[ \t]*(?P<type>[A-Za-z]+)[ \t]*[{(].*)$", re.M)


def _commented_lines(text: str, match: re.Match[str]) -> range:
    """The `%` lines that follow the commented-out `@` line, with it (1-based)."""
    first = _line_of(text, match.start(), 1)
    lines = text.split("\n")
    last = first
    while last < len(lines) and lines[last].lstrip().startswith("%"):
        last += 1
    return range(first, last + 1)


def _commented_out(text: str, match: re.Match[str]) -> BibFailure:
    hidden = match["at"].strip()
    return BibFailure(
        _line_of(text, match.start(), 1),
        f"`{hidden[:40]}` is commented out with `%`, but `%` hides nothing from BibTeX: its "
        f"`@` still starts an entry. To leave the entry out, delete it, or delete the `@` too "
        f"(`% {hidden[1:].strip()[:40]}`)",
        "commented-out-entry",
    )


def _conflict(text: str, match: re.Match[str]) -> BibFailure:
    line = _line_of(text, match.start(), 1)
    what = {"<": "start", "=": "middle", ">": "end", "|": "base"}[match.group(1)[0]]
    return BibFailure(
        line,
        f"merge-conflict marker `{match.group(1)}` ({what} of a conflict): keep the version "
        "you want, then delete the marker lines",
        "conflict-marker",
    )


def read(path: Path, earlier: list[BibString] | None = None) -> BibFile:
    return parse(read_text(path), Path(path), earlier)


def read_in_order(paths: Iterable[Path]) -> list[BibFile | UnreadableBibFile]:
    """Each file, read after the ones before it (their @strings hold in it), or why it
    cannot be read."""
    readings: list[BibFile | UnreadableBibFile] = []
    earlier: list[BibString] = []
    for path in paths:
        try:
            bib = read(path, earlier)
        except UnreadableBibFile as error:
            readings.append(error)
            continue
        readings.append(bib)
        earlier = bib.strings_so_far()
    return readings


def _start(item: Block_ | Field) -> int:
    """The 1-based line where a bibtexparser block or field starts."""
    return (item.start_line or 0) + 1


def _line_of(raw: str, offset: int, first_line: int) -> int:
    return first_line + raw.count("\n", 0, offset)


class _Reader:
    def __init__(self, path: Path, library: Library, earlier: list[BibString]) -> None:
        self.path = path
        self.library = library
        self.earlier = earlier
        self.entries: list[BibEntry] = []
        self.failures: list[BibFailure] = []
        self.notices: list[BibFailure] = []
        self.blocks: list[Block] = []
        self.strings: dict[str, BibString] = {}

    def read(self) -> BibFile:
        previous: object = None
        for block in self.library.blocks:
            line = _start(block)
            if isinstance(block, DuplicateFieldKeyBlock):
                self._duplicate_fields(block)
            elif isinstance(block, DuplicateBlockKeyBlock):
                self._duplicate_block(block)
            elif isinstance(block, ParsingFailedBlock):
                self.failures.append(_diagnose(block))
            elif isinstance(block, Entry):
                self._entry(block)
            elif isinstance(block, String):
                self._string(block, line)
            elif isinstance(block, Preamble):
                self.blocks.append(BibPreamble(line, block.raw or ""))
            elif isinstance(block, ExplicitComment):
                self._explicit_comment(block, line)
            elif isinstance(block, ImplicitComment):
                # Text right after a failed block is the rest of that block:
                # the failure already names it.
                self._implicit_comment(block, line, report=not _is_broken(previous))
            previous = block
        macros = {string.name.lower(): string.parts for string in self.earlier}
        macros.update((name, string.parts) for name, string in self.strings.items())
        for entry in self.entries:
            entry.fields = {name: resolve(parts, macros) for name, parts in entry.parts.items()}
        self.failures.sort(key=lambda f: f.line)
        return BibFile(
            self.path,
            self.entries,
            self.failures,
            self.library,
            self.blocks,
            self.strings,
            self.notices,
            list(self.earlier),
        )

    def _entry(self, block: Entry) -> BibEntry:
        line = _start(block)
        entry = BibEntry(key=block.key, type=block.entry_type.lower(), line=line)
        if not block.key.strip():
            self.failures.append(
                BibFailure(
                    line,
                    f"@{entry.type} entry has no key: write `@{entry.type}{{authoryearword,` "
                    "(e.g. `rogers2019effectiveness`) on its first line",
                    "missing-key",
                )
            )
        elif _BAD_KEY.search(block.key.strip()):
            self.failures.append(
                BibFailure(
                    line,
                    f"key `{block.key.strip()}` contains a space, comma or brace, where BibTeX "
                    "ends the key: write it as one word (letters, digits, `-`, `_`, `:`)",
                    "syntax",
                )
            )
        for f in block.fields:
            field_line = _start(f)
            key = self._field_name(f.key, field_line)
            if key is None:
                continue
            for written, raw, value_line, parts in self._values(key, f.value, field_line):
                name = written.lower()
                if name in entry.raw_fields:
                    # BibTeX keeps one of the two and pybtex refuses the file; either
                    # way a value would be lost, so it is a failure `fmt` refuses.
                    self.failures.append(
                        BibFailure(
                            value_line,
                            f"field `{name}` appears twice in `{entry.key}` (first on line "
                            f"{entry.field_lines[name]}, names ignore case): keep one and "
                            "delete the other",
                            "duplicate-field",
                        )
                    )
                    continue
                entry.raw_fields[name] = raw
                entry.field_lines[name] = value_line
                entry.parts[name] = parts
                entry.written_names[name] = written
        self.entries.append(entry)
        self.blocks.append(entry)
        return entry

    def _field_name(self, key: str, line: int) -> str | None:
        """The field's name; `%` comments and words without `=` before it are failures.

        bibtexparser reads everything between a comma and the next `=` as the name,
        and ``line`` is the line of its last word."""
        lines = key.split("\n")
        first = line - len(lines) + 1
        for offset, text in enumerate(lines[:-1]):
            text = text.strip()
            if text.startswith("%"):
                self.failures.append(_comment_in_entry(text, first + offset))
            elif text:
                self.failures.append(_no_equals(text, first + offset))
        name = lines[-1].strip()
        if _FIELD_NAME.fullmatch(name):
            return name
        if name.startswith("%"):
            self.failures.append(_comment_in_entry(name, line))
        else:
            message = (
                f"`{name}` is not a field name: a field is written `name = {{value}},` "
                "(letters only, no spaces, a comma after each value)"
            )
            self.failures.append(BibFailure(line, message, "syntax"))
        return None

    def _values(
        self, name: str, raw: str, line: int
    ) -> Iterator[tuple[str, str, int, tuple[Part, ...]]]:
        """The field as (name as written, raw, line, parts), and the fields a missing comma
        glued to it."""
        parsed = parse_value(raw)
        error_at = parsed.error_at
        next_field = _FIELD_START.match(raw[error_at:]) if error_at is not None else None
        if error_at is None or not (parsed.parts and next_field):
            yield name, raw, line, self._value(name, raw, line, parsed)
            return
        rest = raw[error_at:]
        end = _line_of(raw, len(raw[:error_at].rstrip()) - 1, line)
        message = (
            f"missing comma after the value of `{name}`: add `,` at the end of line "
            f"{end}, before `{next_field.group(1)} =`"
        )
        self.failures.append(BibFailure(end, message, "missing-comma"))
        yield name, raw[:error_at].rstrip(), line, parsed.parts
        yield from self._values(
            next_field.group(1), rest[next_field.end() :], _line_of(raw, error_at, line)
        )

    def _value(
        self, name: str, raw: str, line: int, parsed: ParsedValue | None = None
    ) -> tuple[Part, ...]:
        if parsed is None:
            parsed = parse_value(raw)
        if parsed.error_at is None:
            return parsed.parts
        where = _line_of(raw, parsed.error_at, line)
        rest = raw[parsed.error_at :]
        before = raw[: parsed.error_at].rstrip()
        if rest.lstrip().startswith("%"):
            comment = rest.strip().split("\n")[0]
            self.failures.append(
                _comment_in_entry(comment, _line_of(raw, raw.index(comment), line))
            )
            return parsed.parts
        if before.endswith('\\"') and parsed.parts:
            self.failures.append(
                BibFailure(
                    _line_of(raw, len(before) - 1, line),
                    f'`\\"` ends the quoted value of `{name}` here, as BibTeX reads it: '
                    f'write the value in braces, `{name} = {{...}}`, so `\\"` stays an umlaut',
                    "quote-in-value",
                )
            )
        elif "{" in parsed.error or '"' in parsed.error:
            self.failures.append(
                BibFailure(
                    where,
                    f"unbalanced braces in `{name}`: {parsed.error}; add the missing "
                    "closing brace or quote",
                    "unbalanced-braces",
                )
            )
        elif parsed.error == EMPTY_VALUE:
            message = (
                f"`{name}` has no value after `=`: write it in braces, `{name} = {{...}}`, "
                "or delete the line"
            )
            self.failures.append(BibFailure(where, message, "value-syntax"))
        else:
            snippet = " ".join(rest.split())[:40]
            message = (
                f"`{name}`: {parsed.error} (`{snippet}`): put the whole value inside one "
                "pair of braces, `{...}`, or add the missing comma"
            )
            self.failures.append(BibFailure(where, message, "value-syntax"))
        # Keep the text as written so nothing is lost; `fmt` refuses files with failures.
        return (Part("text", raw.strip()),)

    def _duplicate_fields(self, block: DuplicateFieldKeyBlock) -> None:
        entry_block = block.ignore_error_block
        if isinstance(entry_block, Entry):
            self._entry(entry_block)  # which reports the repeated field
        else:
            self.failures.append(_diagnose(block))

    def _duplicate_block(self, block: DuplicateBlockKeyBlock) -> None:
        duplicate = block.ignore_error_block
        if isinstance(duplicate, Entry):
            # `lint` reports duplicate keys itself, case-insensitively.
            self._entry(duplicate)
        elif isinstance(duplicate, String):
            line = _start(block)
            first = self.strings.get(duplicate.key.lower())
            where = f" (first on line {first.line})" if first else ""
            self.failures.append(
                BibFailure(
                    line,
                    f"@string `{duplicate.key}` is defined twice{where}: delete one",
                    "duplicate-string",
                )
            )
        else:
            self.failures.append(_diagnose(block))

    def _string(self, block: String, line: int) -> None:
        parts = self._value(block.key, block.value, line)
        string = BibString(block.key, line, block.value, parts)
        first = self.strings.setdefault(block.key.lower(), string)
        if first is not string:  # bibtexparser tells apart only names written alike
            self.failures.append(
                BibFailure(
                    line,
                    f"@string `{block.key}` is defined twice, as `{first.name}` on line "
                    f"{first.line} (BibTeX ignores letter case in these names): delete one",
                    "duplicate-string",
                )
            )
        self.blocks.append(string)

    def _explicit_comment(self, block: ExplicitComment, line: int) -> None:
        raw = block.raw or ""
        body = raw[raw.index("@") + 1 :] if "@" in raw else raw
        for offset, text in enumerate(body.split("\n")):
            at = _AT_NAME.search(text)
            if at:
                message = (
                    f"`{at.group().strip()}` inside `@comment{{...}}` starts an entry for "
                    "BibTeX all the same: write it without the `@` (`jane at example.org`)"
                )
                self.failures.append(BibFailure(line + offset, message, "syntax"))
        self.blocks.append(BibComment(line, raw))

    def _implicit_comment(self, block: ImplicitComment, line: int, report: bool) -> None:
        """Text between entries: a comment to BibTeX, kept as written."""
        noticed = False  # one notice per stretch of prose; every `@` is reported
        raw = block.raw or ""
        for offset, text in enumerate(raw.split("\n")):
            stripped = text.strip()
            conflict = _CONFLICT.match(stripped)
            at = _AT_NAME.search(stripped)
            if at and _braced_on_a_later_line(raw, offset, at):
                at = None  # `@comment` with its `{` on the next line: pybtex reads it so
            if at and not conflict:
                # BibTeX has no comment syntax outside entries: `@` starts an entry,
                # and its fix is the line's (a `%` would not hide the `@`).
                self.failures.append(BibFailure(line + offset, _at_message(at), "syntax"))
                noticed = True
                continue
            if not report or not stripped or stripped.startswith("%") or noticed:
                continue
            if conflict:
                continue  # reported for the whole file
            if set(stripped) <= {"}", ")", ",", " "}:
                self.notices.append(_extra_brace(stripped, line + offset))
            elif _STRAY_FIELD.match(stripped):
                message = (
                    f"`{stripped[:40]}` is a field outside any entry, which BibTeX ignores: "
                    "the entry above was closed too early (look for a `}` too many) or "
                    "this line belongs inside an entry"
                )
                self.notices.append(BibFailure(line + offset, message, "field-outside-entry"))
            else:
                message = (
                    f"text outside an entry (`{stripped[:40]}`) is a comment to BibTeX: "
                    "start the line with `%` to say so"
                )
                self.notices.append(BibFailure(line + offset, message, "text-outside-entry"))
                noticed = True
        self.blocks.append(BibComment(line, block.raw or ""))


def _braced_on_a_later_line(raw: str, offset: int, at: re.Match[str]) -> bool:
    """Whether the `@comment` ending line *offset* of *raw* has its braces below it."""
    if at.group()[1:].strip().lower() != "comment" or at.end() != len(at.string):
        return False
    below = "\n".join(raw.split("\n")[offset + 1 :])
    return below.lstrip().startswith(("{", "("))


def _at_message(at: re.Match[str]) -> str:
    written = at.group()
    if written[1:].strip().lower() == "comment":
        return (
            f"`{written.strip()}` without braces: pybtex, which the build reads the file "
            "with, stops there; write `@comment{...}` around the text, or drop the `@`"
        )
    if _SPACED_ENTRY.match(at.string, at.start()):
        entry = "@" + written[1:].strip()
        return (
            f"`{written.strip()}` has a space after `@`: BibTeX reads it as an entry all the "
            f"same, citetools does not; write `{entry}` (or, in a comment, drop the `@`)"
        )
    return (
        f"`{written.strip()}` starts an entry for BibTeX, even in a comment or an address: "
        "write it without the `@` (`jane at example.org`)"
    )


def _comment_in_entry(text: str, line: int) -> BibFailure:
    message = (
        f"`{text[:40]}` is a `%` comment inside an entry, which BibTeX reads as part of a "
        f"field: delete it from line {line}, or move it above the entry"
    )
    return BibFailure(line, message, "comment-in-entry")


def _no_equals(text: str, line: int) -> BibFailure:
    message = (
        f"`{text[:40]}` has no `=`: every field is written `name = {{value}},` (or delete "
        "the stray word)"
    )
    return BibFailure(line, message, "syntax")


def _is_broken(block: object) -> bool:
    """A block bibtexparser could not read at all (duplicates are read, and kept)."""
    return isinstance(block, ParsingFailedBlock) and not isinstance(
        block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock
    )


def _extra_brace(text: str, line: int) -> BibFailure:
    message = (
        f"`{text}` outside any entry: an entry was closed too early or has one `}}` "
        "too many; delete it, or check the braces of the entry above"
    )
    return BibFailure(line, message, "stray-brace")


def _diagnose(block: ParsingFailedBlock) -> BibFailure:
    """Name the line and the fix for a block bibtexparser could not read."""
    raw = block.raw or ""
    first = _start(block)
    reason = (getattr(block.error, "abort_reason", "") or str(block.error)).strip()
    header = raw.split("{", 1)[0].split("(", 1)[0].strip() or "@"
    key = raw.split("{", 1)[1].split(",", 1)[0].strip() if "{" in raw else ""
    what = f"{header}{{{key}" if key and "\n" not in key and "=" not in key else header
    # bibtexparser ran on into the next entry or the end of the file: something
    # was left open. Otherwise it stopped at the character it names.
    ran_on = "found `@" in reason or "block start" in reason or "end of file" in reason
    if ran_on or not reason:
        if raw.count('"') % 2:
            return BibFailure(
                _line_of(raw, raw.rfind('"'), first),
                'a `"` is never closed: add the closing `"`, or write the value in braces `{...}`',
                "unbalanced-braces",
            )
        unclosed = _unclosed_brace(raw)
        if unclosed is not None:
            return BibFailure(
                _line_of(raw, unclosed, first),
                "unbalanced braces: a `{` on this line is never closed; add the missing `}` "
                "(each `{` needs its `}`)",
                "unbalanced-braces",
            )
        return BibFailure(
            first,
            f"`{what}` is never closed: add `}}` on a line of its own after its last field",
            "unbalanced-braces",
        )
    line = _line_of(raw, len(raw.rstrip()), first)
    no_equals = re.search(r"`=` after entry key `(.*?)`", reason, re.DOTALL)
    if no_equals:
        word = no_equals.group(1).strip().split("\n")[-1].strip()
        at = raw.rfind(word) if word else -1
        where = _line_of(raw, at, first) if at >= 0 else line
        if word.startswith("%"):
            return _comment_in_entry(word, where)
        return _no_equals(word, where)
    comment = _comment_between_fields(raw)
    if comment is not None and "`=`" in reason:  # its commas split it into words without `=`
        text = raw[comment:].split("\n", 1)[0].strip()
        return _comment_in_entry(text, _line_of(raw, comment, first))
    if "comma after entry key" in reason:
        message = (
            f"cannot read `{what}`: the first line must be `@type{{key,` with a key of "
            "letters and digits only, then a comma"
        )
    elif "`=`" in reason:
        message = (
            f"cannot read `{what}`: a field name without `=` after it; every field is "
            "written `name = {value},`"
        )
    else:
        message = f"cannot read `{what}`: {reason}"
    return BibFailure(line, message, "syntax")


def _comment_between_fields(raw: str) -> int | None:
    """Where a `%` in the entry *raw* stands outside every value (`}, % note`), if one does."""
    # An entry in parentheses, `@article(key, ...)`, has its fields at depth 0.
    opening = re.search(r"[{(]", raw)
    top = 0 if opening and opening[0] == "(" else 1
    depth, quoted = 0, False
    for i, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == top and char == '"':
            quoted = not quoted
        elif depth == top and not quoted and char == "%":
            return i
    return None


def _unclosed_brace(raw: str) -> int | None:
    """Offset of the value brace left open when the next field (or the entry's end) starts."""
    open_braces: list[int] = []
    line_start = True
    for i, char in enumerate(raw):
        if line_start and len(open_braces) >= 2:
            rest = raw[i : raw.find("\n", i) if "\n" in raw[i:] else len(raw)]
            if _FIELD_START.match(rest) or rest.strip() == "}":
                return open_braces[-1]
        line_start = char == "\n"
        if char == "{":  # BibTeX counts every brace, `\{` too
            open_braces.append(i)
        elif char == "}" and open_braces:
            open_braces.pop()
    return open_braces[-1] if len(open_braces) >= 2 else None
