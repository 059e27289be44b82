"""The right-hand side of ``name = value`` in a .bib file.

A value is one or more parts joined by ``#``: ``{braced text}``, ``"quoted text"``,
a number, or the name of an ``@string`` macro. bibtexparser hands values over
as raw text; splitting them here lets ``lint`` find a missing comma (bibtexparser
silently glues the next field onto the value) and lets ``fmt`` rewrite the
delimiters without touching the text between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# BibTeX's own month macros; pybtex knows them without an @string.
MONTHS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}

_NUMBER = re.compile(r"\d+")
_MACRO = re.compile(r"[^\s#{}\"',=()%]+")
_BRACES = re.compile(r"[{}]")
_BRACES_OR_QUOTE = re.compile(r'[{}"]')


@dataclass(frozen=True, order=True)
class Part:
    kind: str  # "text" (braced, quoted or a number) or "macro"
    text: str


@dataclass(frozen=True)
class ParsedValue:
    parts: tuple[Part, ...]
    error_at: int | None  # offset of the first character that is not part of the value
    error: str = ""


def _closing(raw: str, start: int) -> int | None:
    """Offset of the ``}`` or ``"`` that closes the ``{`` or ``"`` at ``start``.

    Braces nest inside either and a ``"`` inside braces is text. As in BibTeX (and
    pybtex), a backslash escapes nothing: ``\\{`` opens a brace and ``\\"`` ends a
    quoted value."""
    closer = "}" if raw[start] == "{" else '"'
    depth = 0
    # Only these characters matter: the regex skips the text between them.
    for match in (_BRACES if closer == "}" else _BRACES_OR_QUOTE).finditer(raw, start + 1):
        char = match.group()
        if char == closer and depth == 0:
            return match.start()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
    return None


def _skip_space(raw: str, i: int) -> int:
    while i < len(raw) and raw[i].isspace():
        i += 1
    return i


EMPTY_VALUE = "the value is empty"


def parse_value(raw: str) -> ParsedValue:
    parts: list[Part] = []
    i = _skip_space(raw, 0)
    while True:
        if i >= len(raw):
            if not parts:
                return ParsedValue((), i, EMPTY_VALUE)
            return ParsedValue((), i, "the value ends with `#`")
        char = raw[i]
        if char in '{"':
            end = _closing(raw, i)
            if end is None:
                return ParsedValue(tuple(parts), i, f"the `{char}` is never closed")
            parts.append(Part("text", raw[i + 1 : end]))
        elif number := _NUMBER.match(raw, i):
            end = number.end() - 1
            parts.append(Part("text", number.group()))
        elif macro := _MACRO.match(raw, i):
            end = macro.end() - 1
            parts.append(Part("macro", macro.group()))
        else:
            return ParsedValue(tuple(parts), i, f"unexpected `{char}`")
        i = _skip_space(raw, end + 1)
        if i >= len(raw):
            return ParsedValue(tuple(parts), None)
        if raw[i] != "#":
            return ParsedValue(tuple(parts), i, "text after the value")
        i = _skip_space(raw, i + 1)


def resolve(parts: tuple[Part, ...], strings: dict[str, tuple[Part, ...]], depth: int = 0) -> str:
    """The text a reader sees: macros replaced by their @string (or month) value."""
    out: list[str] = []
    for part in parts:
        if part.kind == "text":
            out.append(part.text)
            continue
        name = part.text.lower()
        if name in strings and depth < 20:
            out.append(resolve(strings[name], strings, depth + 1))
        else:
            out.append(MONTHS.get(name, part.text))
    return "".join(out)


def render(parts: tuple[Part, ...]) -> str:
    """The canonical spelling: text in braces, macros bare, parts joined by `` # ``."""
    return " # ".join(f"{{{p.text}}}" if p.kind == "text" else p.text for p in parts)
