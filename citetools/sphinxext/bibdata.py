"""pybtex's reading of a .bib, made from lint's, so the build parses the file once.

The build reads ``references.bib`` with lint's reader to stop on what would break
it (``bibfile_check``), then needs the file as pybtex reads it, for
sphinxcontrib-bibtex. Parsing it a second time cost 0.9 s on a 2,000-entry file.
Lint's reading already holds every value as written, split into its parts, so
pybtex's entries are put together from it here, with pybtex's own classes and
the rules of pybtex's parser: macros replaced by the ``@string`` defined before
them or a month name, whitespace collapsed, ``author`` and ``editor`` split into
persons, field names and keys as written.

Wherever the two readers could disagree (anything lint reports as a failure, a
preamble, a repeated key, an undefined macro, an ``@`` inside a comment, digits
pybtex would not read as a number), :func:`from_bibfile` gives ``None`` and
pybtex parses the file, as it would without this module. Written for pybtex
0.26.1 (``upstream_versions``): on another version pybtex always parses.
``test_bibdata`` compares the two readings on the site's file, a generated one
and the real ``.bib`` files of the test corpus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pybtex.errors
from pybtex.bibtex.utils import split_name_list
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.input.bibtex import LowLevelParser, month_names
from pybtex.textutils import normalize_whitespace

from citetools.bibfile import BibComment, BibEntry, BibFile, BibString
from citetools.sphinxext import upstream_versions

if TYPE_CHECKING:
    from citetools.bibvalue import Part

_PERSON_ROLES = frozenset(role.lower() for role in Person.valid_roles)


class _Differs(Exception):
    """pybtex's parser could read this file differently: let it parse."""


def from_bibfile(bib: BibFile) -> BibliographyData | None:
    """What ``pybtex.database.input.bibtex.Parser().parse_string`` gives for the text
    *bib* was read from, or ``None`` where that is not certain."""
    if bib.failures or upstream_versions.untested(upstream_versions.BIBTEX):
        return None
    try:
        return _Builder(bib.earlier).build(bib)
    except _Differs:
        return None


class _Builder:
    def __init__(self, earlier: list[BibString]) -> None:
        self.data = BibliographyData()
        # pybtex's parser knows the month names, the @strings of the files read
        # before (each definition in turn), then each @string from where it is defined.
        self.macros = {name.lower(): value for name, value in month_names.items()}
        for string in earlier:
            self.macros[string.name.lower()] = self._value(string.parts, string.raw)
        self.keys: set[str] = set()
        # Each name as pybtex's Person parsed it: authors recur (on the bench's file,
        # 5,986 names and 1,759 different ones), and parsing a name is most of the work.
        self.persons: dict[str, Person] = {}

    def build(self, bib: BibFile) -> BibliographyData:
        for block in bib.blocks:
            if isinstance(block, BibEntry):
                self._entry(block)
            elif isinstance(block, BibString):
                self.macros[block.name.lower()] = self._value(block.parts, block.raw)
            elif isinstance(block, BibComment):
                # pybtex skips to the next "@" after `@comment{`, even one inside it.
                if "@" in block.text[1:]:
                    raise _Differs
            else:  # a preamble
                raise _Differs
        return self.data

    def _entry(self, block: BibEntry) -> None:
        key = block.key
        if not key or key != key.strip() or key.lower() in self.keys:
            raise _Differs  # pybtex reads keys its own way, and refuses a repeated one
        self.keys.add(key.lower())
        entry = Entry(block.type)
        for name, parts in block.parts.items():
            written = block.written_names[name]
            value = normalize_whitespace(self._value(parts, block.raw_fields[name]))
            if name in _PERSON_ROLES:
                for person in split_name_list(value):
                    entry.add_person(self._person(person), written)
            else:
                entry.fields[written] = value
        self.data.add_entry(key, entry)

    def _person(self, name: str) -> Person:
        """``Person(name)``, copied from the first parse of the same name."""
        if not pybtex.errors.strict:
            return Person(name)  # pybtex then warns for a bad name each time it parses it
        parsed = self.persons.get(name)
        if parsed is None:
            parsed = self.persons[name] = Person(name)
        person = Person.__new__(Person)  # each entry its own lists, as pybtex gives it
        person.__dict__.update((part, list(names)) for part, names in vars(parsed).items())
        return person

    def _value(self, parts: tuple[Part, ...], raw: str) -> str:
        if not raw.isascii() and any(char.isdigit() and not char.isascii() for char in raw):
            raise _Differs  # lint reads such digits as a number, pybtex as a macro name
        out = []
        for part in parts:
            if part.kind == "text":
                out.append(part.text)
                continue
            name = LowLevelParser.NAME.match(part.text)
            if name is None or name.end() != len(part.text):
                raise _Differs
            try:
                out.append(self.macros[part.text.lower()])
            except KeyError:
                raise _Differs from None  # pybtex reports the undefined macro
        return "".join(out)
