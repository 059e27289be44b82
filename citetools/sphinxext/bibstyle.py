"""The FAQ's bibliography style: author-year labels, titles as written, links.

Pybtex plugins registered under the name ``faq``:

* a label style, so a bibliography lists "Rogers et al., 2019" exactly as the
  text cites it, and a sorting style that orders lists by that label;
* a formatting style that keeps titles' capitalisation and shows URL, DOI,
  access date and archived copy as links;
* a referencing style for sphinxcontrib-bibtex: ``{cite:p}`` renders the label
  in parentheses and ``{cite:t}`` renders "Rogers et al. (2019)".

Labels are disambiguated ("Byrne, 2023a") across the whole bibliography, not
per list, so an answer's Sources list and the References page agree.

Every entry type in ``citetools.bibtypes`` prints: BibTeX's with pybtex's
templates, biblatex's with the nearest one or a template in which every field
is optional, all in the same author-year form. biblatex's stand-in fields
(``date`` for ``year``, ``journaltitle`` for ``journal``, ``institution`` for a
thesis' ``school``) are read as the field they stand in for.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any

import pybtex.plugin
import sphinxcontrib.bibtex.plugin
from pybtex.backends.plaintext import Backend as PlainTextBackend
from pybtex.database import Entry
from pybtex.exceptions import PybtexError
from pybtex.richtext import Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import (
    field,
    first_of,
    href,
    join,
    node,
    optional,
    optional_field,
    sentence,
    tag,
    words,
)
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_label import (
    BasicLabelParentheticalReferenceStyle,
)
from sphinxcontrib.bibtex.style.template import join2, post_text, pre_text, reference
from sphinxcontrib.bibtex.style.template import node as sphinx_node

from citetools import bibtypes
from citetools.linkcheck.doi import READER_RESOLVER

# pybtex has no type hints: its entries and templates are Any to mypy.
PybtexEntry = Any
Template = Any

# One reader-facing DOI link for the bibliography and the link checker alike.
DOI_RESOLVER = READER_RESOLVER
_LABEL_SEPARATOR = ", "
_YEAR = re.compile(r"\d{4}")
_TEXT_BACKEND = PlainTextBackend()


@cache
def plain(latex: str) -> str:
    """``{CAHOOTS}`` -> ``CAHOOTS``, ``Ren{\\'e}e`` -> ``Renée``."""
    # render_as("text") would look the backend up among installed entry points on every
    # call, which costs seconds over a bibliography of hundreds of entries.
    return str(Text.from_latex(latex).render(_TEXT_BACKEND))


def _author_part(entry: PybtexEntry, sources: tuple[PybtexEntry, ...]) -> str:
    people: list[Any] = next(
        (e.persons[r] for e in sources for r in ("author", "editor") if e.persons.get(r)), []
    )
    if not people:
        return plain(entry.fields.get("title", entry.key))
    surnames = [plain(" ".join(person.prelast_names + person.last_names)) for person in people]
    if len(surnames) == 1:
        return surnames[0]
    if len(surnames) == 2:
        return f"{surnames[0]} and {surnames[1]}"
    return f"{surnames[0]} et al."


def _year_part(sources: tuple[PybtexEntry, ...]) -> str:
    for source in sources:
        year = source.fields.get("year")
        if year is not None:
            return plain(year)
        found = _YEAR.search(source.fields.get("date", ""))  # biblatex's `date` stands in
        if found:
            return found.group()
    return "n.d."


def _letters(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: as many as a prolific author needs."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


class AuthorYearLabels:
    """Labels for every entry of one bibliography database, computed once."""

    def __init__(self, entries: Mapping[str, PybtexEntry]) -> None:
        self.entries = entries  # for crossref: the build formats entries one by one
        groups: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        for key, entry in entries.items():
            sources = _with_parent(entry, entries)
            groups[_author_part(entry, sources), _year_part(sources)].append(key)
        self.labels: dict[str, str] = {}
        for (authors, year), keys in groups.items():
            for index, key in enumerate(sorted(keys)):
                suffix = _letters(index) if len(keys) > 1 else ""
                self.labels[key] = f"{authors}{_LABEL_SEPARATOR}{year}{suffix}"


class LabelStyle(BaseLabelStyle):  # type: ignore[misc]  # pybtex has no type hints
    #: Set by :func:`remember_database` before any bibliography is formatted.
    database: AuthorYearLabels | None = None

    @classmethod
    def label(cls, entry: PybtexEntry) -> str:
        if cls.database is not None and entry.key in cls.database.labels:
            return cls.database.labels[entry.key]
        sources = _with_parent(entry)
        return f"{_author_part(entry, sources)}{_LABEL_SEPARATOR}{_year_part(sources)}"

    def format_labels(self, sorted_entries: Iterable[PybtexEntry]) -> Iterator[str]:
        for entry in sorted_entries:
            yield self.label(entry)


class SortingStyle(BaseSortingStyle):  # type: ignore[misc]
    """By label, as a reader scans an author-year list.

    pybtex's own author sort compares raw BibTeX, where an organisation in
    braces (``{Denver7}``) sorts after every personal name.
    """

    def sorting_key(self, entry: PybtexEntry) -> tuple[str, str]:
        return (LabelStyle.label(entry).casefold(), plain(entry.fields.get("title", "")).casefold())


def _archived(*after: str) -> Template:
    return words[
        "Archived copy:",
        href(field("archiveurl", raw=True))[field("archiveurl", raw=True)],
        optional["(archived ", field("archivedate"), ")"],
        *after,
    ]


@node  # type: ignore[untyped-decorator]  # pybtex's template decorator
def _web_links(children: list[Any], data: dict[str, Any]) -> Any:
    """URL, access date and archived copy; a dead original yields to its archive."""
    entry = data["entry"]
    fields = entry.fields
    url = fields.get("url", "")
    doi = fields.get("doi", "")
    archive = fields.get("archiveurl", "")
    if url == DOI_RESOLVER + doi:
        url = ""  # the DOI link below already points there
    parts = []
    if archive and fields.get("urlstatus", "").lower() == "dead":
        parts.append(_archived("(original link dead)"))
    else:
        if url:
            parts.append(
                words[
                    href(field("url", raw=True))[field("url", raw=True)],
                    optional["(accessed ", field("urldate"), ")"],
                ]
            )
        if archive:
            parts.append(_archived())
    if doi:
        parts.append(
            href(join[DOI_RESOLVER, field("doi", raw=True)])[join["doi:", field("doi", raw=True)]]
        )
    return join(sep=". ")[parts].format_data(data)


def as_printed(entry: PybtexEntry) -> PybtexEntry:
    """``entry`` with biblatex's stand-in fields read as the ones the templates use."""
    fields = entry.fields
    extra: dict[str, str] = {}
    persons = entry.persons
    parent = _crossref_parent(entry)
    if parent is not None:
        # BibTeX's crossref: the entry takes the fields it does not set from its parent.
        extra.update((name, value) for name, value in parent.fields.items() if name not in fields)
        missing_roles = {r: p for r, p in parent.persons.items() if r not in persons}
        if missing_roles:
            persons = {**persons, **missing_roles}
        fields = {**parent.fields, **fields}
    for name, stand_ins in bibtypes.STAND_INS.items():
        if name in fields or name in entry.persons:
            continue
        value = next((fields[s] for s in stand_ins if s in fields), None)
        if value is not None:
            found = _YEAR.search(value) if name == "year" else None
            extra[name] = found.group() if found else value
    kind = fields.get("type", "").strip().lower()
    if kind in bibtypes.TYPE_WORDS:
        extra["type"] = bibtypes.TYPE_WORDS[kind]
    if not extra and persons is entry.persons:
        return entry
    printed = Entry(entry.type, {**fields, **extra}, persons)
    printed.key = entry.key
    return printed


def _with_parent(
    entry: PybtexEntry, entries: Mapping[str, PybtexEntry] | None = None
) -> tuple[PybtexEntry, ...]:
    """The entry, then its crossref parent if it has one: BibTeX's crossref gives the
    entry what it does not set from the parent."""
    parent = _crossref_parent(entry, entries)
    return (entry,) if parent is None else (entry, parent)


def _crossref_parent(
    entry: PybtexEntry, entries: Mapping[str, PybtexEntry] | None = None
) -> PybtexEntry | None:
    """The entry *entry* names in `crossref`, among *entries* (the site's, by default)."""
    if entries is None:
        if LabelStyle.database is None:
            return None
        entries = LabelStyle.database.entries
    target = entry.fields.get("crossref", "").strip()
    return entries.get(target) if target and target != entry.key else None


class UnprintableEntry(PybtexError):  # type: ignore[misc]
    """An entry type the style does not know (lint reports it first, as `unknown-type`)."""


class FormattingStyle(UnsrtStyle):  # type: ignore[misc]
    default_label_style = "faq"
    default_sorting_style = "faq"

    def format_entry(self, label: str, entry: PybtexEntry, bib_data: Any = None) -> FormattedEntry:
        kind = bibtypes.TYPES.get(entry.type)
        if kind is None:
            raise UnprintableEntry(f"entry `{entry.key}`: {bibtypes.unprintable(entry.type)}")
        entry = as_printed(entry)
        context = {"entry": entry, "style": self, "bib_data": bib_data}
        if kind.template == "generic":
            template = self.get_generic_template(entry)
        else:
            template = getattr(self, f"get_{kind.template}_template")(entry)
        return FormattedEntry(entry.key, template.format_data(context), label)

    def get_generic_template(self, e: PybtexEntry) -> Template:
        """biblatex's other types: whatever of the usual parts the entry has."""
        return toplevel[
            first_of[optional[self.format_names("author")], optional[self.format_editor(e)]],
            optional[self.format_title(e, "title")],
            sentence[
                optional[tag_em("journal")],
                optional[tag_em("booktitle")],
                optional[tag_em("maintitle")],
                optional_field("type"),
                optional_field("number"),
            ],
            sentence[
                optional_field("howpublished"),
                optional_field("institution"),
                optional_field("organization"),
                optional_field("publisher"),
                optional[words[optional_field("month"), field("year")]],
            ],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def format_title(self, e: PybtexEntry, which_field: str, as_sentence: bool = True) -> Template:
        # Titles are printed as their authors wrote them: pybtex's default
        # lower-cases them ("... triage? a systematic review").
        formatted = field(which_field)
        return sentence[formatted] if as_sentence else formatted

    def format_web_refs(self, e: PybtexEntry) -> Template:
        return sentence[_web_links]


def tag_em(name: str) -> Template:
    return tag("em")[field(name)]


@sphinx_node  # type: ignore[untyped-decorator]
def _label_author(children: list[Any], data: dict[str, Any]) -> Text:
    return Text(data["formatted_entry"].label.rpartition(_LABEL_SEPARATOR)[0])


@sphinx_node  # type: ignore[untyped-decorator]
def _label_year(children: list[Any], data: dict[str, Any]) -> Text:
    return Text(data["formatted_entry"].label.rpartition(_LABEL_SEPARATOR)[2])


@dataclasses.dataclass
class _TextualLabelStyle(BasicLabelParentheticalReferenceStyle):
    """``{cite:t}``: "Rogers et al. (2019)", the year linking to the entry."""

    def role_names(self) -> list[str]:
        return [f"{cap}t{full}" for cap in ["", "c"] for full in ["", "s"]]

    def outer(self, role_name: str, children: list[Any]) -> Any:
        return self.bracket.outer(children, brackets=False, capfirst="c" in role_name)

    def inner(self, role_name: str) -> Any:
        return join(sep=" ")[
            _label_author,
            join[
                self.bracket.left,
                join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                    pre_text, reference[_label_year], post_text
                ],
                self.bracket.right,
            ],
        ]


def _parenthetical() -> BracketStyle:
    # "(Taheri, 2016; Seo et al., 2021)": the comma already parts author and year.
    return BracketStyle(left="(", right=")", sep="; ")


def _textual() -> BracketStyle:
    return BracketStyle(left="(", right=")", sep=", ", sep2=" and ", last_sep=", and ")


@dataclasses.dataclass
class ReferencingStyle(AuthorYearReferenceStyle):
    bracket_parenthetical: BracketStyle = dataclasses.field(default_factory=_parenthetical)
    bracket_textual: BracketStyle = dataclasses.field(default_factory=_textual)

    def __post_init__(self) -> None:
        super().__post_init__()  # type: ignore[no-untyped-call]
        # Replace the stock author-year styles: they rebuild author and year
        # from the entry and would lose the "2023a" that keeps labels unique.
        labelled = [
            BasicLabelParentheticalReferenceStyle(
                bracket=self.bracket_parenthetical,
                pre_text_sep=self.pre_text_sep,
                post_text_sep=self.post_text_sep,
            ),
            _TextualLabelStyle(
                bracket=self.bracket_textual,
                pre_text_sep=self.pre_text_sep,
                post_text_sep=self.post_text_sep,
            ),
        ]
        self.role_style.update((role, style) for style in labelled for role in style.role_names())


def remember_database(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    domain: Any = env.get_domain("cite")  # sphinxcontrib-bibtex's, with its bibdata
    LabelStyle.database = AuthorYearLabels(domain.bibdata.data.entries)


def register_plugins() -> None:
    """The ``faq`` styles, under the names pybtex and sphinxcontrib-bibtex look up."""
    pybtex.plugin.register_plugin("pybtex.style.labels", "faq", LabelStyle)
    pybtex.plugin.register_plugin("pybtex.style.sorting", "faq", SortingStyle)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "faq", FormattingStyle)
    sphinxcontrib.bibtex.plugin.register_plugin(
        "sphinxcontrib.bibtex.style.referencing", "faq", ReferencingStyle
    )


def setup(app: Sphinx) -> dict[str, bool]:
    register_plugins()
    # Before sphinxcontrib-bibtex formats labels in its own env-updated handler.
    app.connect("env-before-read-docs", remember_database)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
