"""The citation key convention: ``authoryearword``, e.g. ``rogers2019effectiveness``.

First author's surname (or the organisation's first word), the year, and the
first significant word of the title; lowercase ASCII letters and digits only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

_LETTER_COMMANDS = {
    "o": "o",
    "O": "o",
    "ss": "ss",
    "l": "l",
    "L": "l",
    "aa": "a",
    "AA": "a",
    "ae": "ae",
    "AE": "ae",
    "oe": "oe",
    "OE": "oe",
    "i": "i",
    "j": "j",
}
_STOPWORDS = {"a", "an", "the", "of", "on", "in", "and", "to", "for", "at"}
_YEAR = re.compile(r"\d{4}")


def key_pattern(year: str | None) -> re.Pattern[str]:
    """Keys must contain the entry's year when it has one."""
    found = _YEAR.search(year or "")
    year_part = found.group() if found else r"\d{4}"
    return re.compile(rf"[a-z][a-z0-9]*{year_part}[a-z0-9]+")


def follows_convention(key: str, year: str | None) -> bool:
    return bool(key_pattern(year).fullmatch(key))


def plain(text: str) -> str:
    """LaTeX-ish text as lowercase ASCII letters and digits: ``Ren{\\'e}e`` -> ``renee``."""
    text = re.sub(r"\\([a-zA-Z]+)", lambda m: _LETTER_COMMANDS.get(m.group(1), ""), text)
    text = re.sub(r"\\[^a-zA-Z]", "", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def split_names(value: str) -> list[str]:
    """BibTeX name lists: ``A and B``, ignoring ``and`` inside braces."""
    names: list[str] = []
    current: list[str] = []
    depth = 0
    for word in re.split(r"(\s+)", value):
        depth += word.count("{") - word.count("}")
        if depth == 0 and word.lower() == "and":
            names.append("".join(current).strip())
            current = []
        else:
            current.append(word)
    names.append("".join(current).strip())
    return [n for n in names if n]


def surname(name: str) -> str:
    name = name.strip()
    # An organisation is written in double braces: {{World Health Organization}}.
    if name.startswith("{") and name.endswith("}"):
        words = [plain(w) for w in name.strip("{}").split()]
        words = [w for w in words if w and w not in _STOPWORDS]
        return words[0] if words else ""
    if "," in name:
        return plain(name.split(",", 1)[0])
    words = name.split()
    return plain(words[-1]) if words else ""


def title_words(title: str) -> list[str]:
    words = [plain(w) for w in re.split(r"[\s\-/:]+", title)]
    return [w for w in words if w and w not in _STOPWORDS]


def suggest_key(fields: dict[str, str], taken: Collection[str] = frozenset()) -> str:
    """A key by the convention that is not in ``taken`` (compared lowercase)."""
    names = split_names(fields.get("author") or fields.get("editor") or "")
    author = surname(names[0]) if names else ""
    author = author or "anon"
    if not author[0].isalpha():
        author = "x" + author
    found = _YEAR.search(fields.get("year", "") or fields.get("date", ""))
    year = found.group() if found else "nd"
    words = title_words(fields.get("title", "")) or ["untitled"]
    taken = {k.lower() for k in taken}
    key = f"{author}{year}{words[0]}"
    for extra in words[1:3]:
        if key not in taken:
            break
        key += extra
    suffix = iter("bcdefghijklmnopqrstuvwxyz")
    base = key
    while key in taken:
        key = base + next(suffix)
    return key
