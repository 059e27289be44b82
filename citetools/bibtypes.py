"""Every entry type the site prints, and the fields it cannot print without.

One table for the build and for ``citetools lint``: the bibliography style
(``sphinxext/bibstyle.py``) prints each type with the template named here, and
lint requires exactly the fields that template needs, so an entry lint passes
never stops the build. BibTeX's own types keep pybtex's templates; biblatex's
types print with the nearest one, or with a template in which every field is
optional. No pybtex import here: lint must start fast.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Fields a template needs, each with the biblatex fields that stand in for it.
STAND_INS: dict[str, tuple[str, ...]] = {
    "year": ("year", "date"),
    "journal": ("journal", "journaltitle"),
    "school": ("school", "institution"),
    "author": ("author",),
    "editor": ("editor",),
}
AUTHOR_OR_EDITOR = ("author", "editor")


@dataclass(frozen=True)
class EntryType:
    name: str
    template: str  # the pybtex template it prints with ("generic": every field optional)
    needs: tuple[tuple[str, ...], ...]  # each tuple: one of these fields (with stand-ins)

    def required(self) -> list[tuple[str, ...]]:
        """``needs`` with the stand-ins spelled out: what lint asks for."""
        out = []
        for alternatives in self.needs:
            names: list[str] = []
            for name in alternatives:
                names += [n for n in STAND_INS.get(name, (name,)) if n not in names]
            out.append(tuple(names))
        return out


def _types(template: str, needs: tuple[tuple[str, ...], ...], *names: str) -> dict[str, EntryType]:
    return {name: EntryType(name, template, needs) for name in names}


_A, _T, _Y = ("author",), ("title",), ("year",)
_GENERIC = """mvbook bookinbook suppbook collection mvcollection suppcollection reference
    mvreference inreference mvproceedings periodical suppperiodical artwork audio image movie
    music performance video letter legal legislation jurisdiction standard review commentary
    set xdata bibnote""".split()
# What pybtex's unsrt templates (pybtex 0.26) cannot format without: they raise
# FieldIsMissing, which the build reports as a warning (an error under -W).
TYPES: dict[str, EntryType] = {
    "article": EntryType("article", "article", (_A, _T, ("journal",), _Y)),
    "book": EntryType("book", "book", (AUTHOR_OR_EDITOR, _T, ("publisher",), _Y)),
    "booklet": EntryType("booklet", "booklet", (_A, _T, _Y)),
    "inbook": EntryType("inbook", "inbook", (AUTHOR_OR_EDITOR, _T, ("publisher",), _Y)),
    "incollection": EntryType("incollection", "incollection", (_A, _T, ("booktitle",), _Y)),
    "inproceedings": EntryType("inproceedings", "inproceedings", (_A, _T, ("booktitle",), _Y)),
    "conference": EntryType("conference", "inproceedings", (_A, _T, ("booktitle",), _Y)),
    "manual": EntryType("manual", "manual", (_T,)),
    "mastersthesis": EntryType("mastersthesis", "mastersthesis", (_A, _T, ("school",), _Y)),
    "phdthesis": EntryType("phdthesis", "phdthesis", (_A, _T, ("school",), _Y)),
    "thesis": EntryType("thesis", "phdthesis", (_A, _T, ("school",), _Y)),
    "proceedings": EntryType("proceedings", "proceedings", (_T, _Y)),
    "techreport": EntryType("techreport", "techreport", (_A, _T, ("institution",), _Y)),
    "report": EntryType("report", "techreport", (_A, _T, ("institution",), _Y)),
    "unpublished": EntryType("unpublished", "generic", ()),
    **_types("misc", (), "misc", "online", "electronic", "www", "dataset", "software", "patent"),
    # biblatex's other types: printed in the same author-year form, every field optional.
    **_types("generic", (), *_GENERIC),
}

# biblatex's `type` keys for a thesis or a report, as a reader reads them.
TYPE_WORDS = {
    "phdthesis": "PhD thesis",
    "mathesis": "Master's thesis",
    "bathesis": "Bachelor's thesis",
    "candthesis": "Candidate thesis",
    "techreport": "Technical report",
    "resreport": "Research report",
}
_LETTERS = re.compile(r"[^a-z]")


# Reference managers' own type names (Mendeley, EndNote, biblatex-apa, ...): the
# nearest spelling would be wrong (`book_section` is not a `collection`).
FOREIGN = {
    "booksection": "incollection",
    "chapter": "incollection",
    "webpage": "online",
    "web": "online",
    "url": "online",
    "website": "online",
    "blogpost": "online",
    "magazinearticle": "article",
    "newspaperarticle": "article",
    "journalarticle": "article",
    "conferencepaper": "inproceedings",
    "film": "movie",
    "generic": "misc",
    "presentation": "misc",
    "conversation": "misc",
    "interview": "misc",
    "computerprogram": "software",
    "statute": "legislation",
    "bill": "legislation",
    "case": "jurisdiction",
    "hearing": "legal",
}


def nearest(name: str) -> str:
    """The supported type a misspelt or foreign one most likely means."""
    plain = _LETTERS.sub("", name.lower())
    if plain in FOREIGN:
        return FOREIGN[plain]
    # A close spelling only: a loose match misleads (`presentation` is not `legislation`).
    found = difflib.get_close_matches(plain, list(TYPES), n=1, cutoff=0.8)
    return found[0] if found else "misc"


def unprintable(name: str) -> str:
    """What lint and the build say of a type the site cannot print."""
    return f"the site cannot print entry type `@{name}`: use `@{nearest(name)}`"
