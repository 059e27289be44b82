"""The build's one reading of a .bib gives sphinxcontrib-bibtex what pybtex's parser gives."""

from pathlib import Path

import pytest
from pybtex.database import Person
from pybtex.database.input.bibtex import Parser
from pybtex.exceptions import PybtexError

from citetools import bibfile
from citetools.sphinxext import bibdata
from testbed import sitegen

from conftest import PROJECT

DATA = Path(__file__).parent / "data"
CORPUS = sorted((DATA / "corpus").glob("*.bib")) + [
    path for path in sorted((DATA / "bib").glob("*.bib")) if path.name != "latin1.bib"
]


def _person(person):
    parts = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")
    return (str(person), *(tuple(getattr(person, part)) for part in parts))


def _everything(data):
    """All that sphinxcontrib-bibtex and the style can read of *data*, in order."""
    return (
        [
            (
                key,
                entry.key,
                entry.type,
                list(entry.fields.items()),
                [(role, [_person(p) for p in people]) for role, people in entry.persons.items()],
            )
            for key, entry in data.entries.items()
        ],
        data.preamble_list,
        data.wanted_entries,
    )


def _readings(path: Path):
    """pybtex's parse, and ours (None where pybtex is left to parse); an error (a name
    pybtex cannot split) as its message."""
    text = bibfile.read_text(path)
    try:
        pybtex = _everything(Parser().parse_string(text))
    except PybtexError as error:
        pybtex = f"{type(error).__name__}: {error}"
    try:
        ours = bibdata.from_bibfile(bibfile.parse(text, path))
    except PybtexError as error:
        return pybtex, f"{type(error).__name__}: {error}"
    return pybtex, None if ours is None else _everything(ours)


def test_the_sites_bibliography_is_read_once_as_pybtex_reads_it():
    pybtex, ours = _readings(PROJECT / "references.bib")
    assert ours is not None  # the site's file takes the one reading
    assert ours == pybtex


def test_a_generated_bibliography_is_read_as_pybtex_reads_it(tmp_path):
    path = tmp_path / "references.bib"
    sitegen.write_bib(path, 300)
    pybtex, ours = _readings(path)
    assert ours is not None
    assert ours == pybtex


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.name)
def test_real_bibliographies_are_read_as_pybtex_reads_them_or_left_to_pybtex(path):
    pybtex, ours = _readings(path)
    if ours is not None:
        assert ours == pybtex


def test_real_bibliographies_mostly_take_the_one_reading():
    taken = [path.name for path in CORPUS if _readings(path)[1] is not None]
    assert len(taken) >= 5, taken


def test_what_pybtex_would_read_differently_is_left_to_pybtex(tmp_path):
    cases = {
        "undefined macro": "@misc{a, title = nosuchmacro}",
        "macro defined after use": "@misc{a, title = later}\n@string{later = {L}}",
        "repeated key": "@misc{a, title = {x}}\n@misc{A, title = {y}}",
        "preamble": '@preamble{"\\newcommand{\\x}{x}"}\n@misc{a, title = {x}}',
        "an @ in a comment": "@comment{see @misc{b, title = {y}}}\n@misc{a, title = {x}}",
        "digits pybtex reads as a name": "@misc{a, year = ٢٠٢٤}",
    }
    for name, text in cases.items():
        path = tmp_path / "case.bib"
        path.write_text(text, encoding="utf-8")
        assert bibdata.from_bibfile(bibfile.parse(text, path)) is None, name


def test_macros_months_persons_and_case_are_read_as_pybtex_reads_them(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(
        "@String{Pub = {Urban   Institute}}\n"
        "@Report{Key1,\n  Author = {de Leon, Erwin and Boris, Elizabeth T.},\n"
        "  TITLE = {A  title} # { and } # pub,\n  month = oct, year = 2010,\n"
        '  note = "quoted {with} braces"}\n',
        encoding="utf-8",
    )
    pybtex, ours = _readings(path)
    assert ours == pybtex
    assert ours[0][0][3] == [
        ("TITLE", "A title and Urban Institute"),
        ("month", "October"),
        ("year", "2010"),
        ("note", "quoted {with} braces"),
    ]


def test_an_author_of_two_entries_is_read_once_and_given_to_each_as_its_own(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@book{a,\n  author = {Rogers, Michael S.},\n  title = {A},\n  year = {2019},\n}\n\n"
        "@book{b,\n  author = {Rogers, Michael S.},\n  title = {B},\n  year = {2020},\n}\n",
        encoding="utf-8",
    )
    text = bibfile.read_text(bib)
    ours = bibdata.from_bibfile(bibfile.parse(text, bib))
    assert ours is not None
    (first,), (second,) = (ours.entries[key].persons["author"] for key in "ab")
    assert _person(first) == _person(second) == _person(Person("Rogers, Michael S."))
    first.first_names.append("Changed")  # a style that edits one entry's name
    assert second.first_names == ["Michael"]


def test_a_brace_after_a_line_break_is_read_as_pybtex_reads_it(tmp_path):
    # `\\` is a LaTeX line break: the brace after it counts (bibtexparser took it as escaped).
    path = tmp_path / "references.bib"
    path.write_text(
        "@book{a,\n  author = {A, B},\n  title = {Line one\\\\},\n  publisher = {P},\n"
        "  year = {2000},\n}\n@misc{b,\n  title = {With {\\\\} inside},\n  year = {2001},\n}\n",
        encoding="utf-8",
    )
    assert bibfile.read(path).failures == []
    pybtex, ours = _readings(path)
    assert ours is not None
    assert ours == pybtex
