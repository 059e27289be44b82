"""What a held-out run of real files (tests/data/corpus/SOURCES.md) found in lint.

Each case is cut down from a real export: Mendeley's and biblatex-apa's type
names, Zotero's keys that start with a digit, an undated Better BibLaTeX entry.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bibbuild import build_problem, read

from citetools import bibtypes, checks
from citetools.cli import main
from citetools.sphinxext.bibfile_check import EXIT_STATUS

from conftest import ROOTS, sphinx_build


def lint(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *argv: str) -> list[str]:
    bib = tmp_path / "refs.bib"
    bib.write_text(text, encoding="utf-8")
    main(["lint", "--isolated", *argv, str(bib)])
    return capsys.readouterr().out.splitlines()


UNDATED = "@online{{{key},\n  title = {{What Is XML}},\n  author = {{Birnbaum, David}},\n}}\n"


def test_a_key_lint_suggests_is_one_lint_accepts(capsys, tmp_path):
    # An undated source: the convention writes `nd` where the year goes.
    (found,) = lint(capsys, tmp_path, UNDATED.format(key="birnbaum"), "--select", "key-convention")
    assert "e.g. `birnbaumndwhat`" in found
    assert not lint(
        capsys, tmp_path, UNDATED.format(key="birnbaumndwhat"), "--select", "key-convention"
    )


def test_biblatex_date_is_the_year_of_the_key(capsys, tmp_path):
    entry = (
        "@book{{{key},\n  author = {{Smith, Ann}},\n  title = {{Words}},\n"
        "  date = {{2019-02}},\n}}\n"
    )
    assert not lint(
        capsys, tmp_path, entry.format(key="smith2019words"), "--select", "key-convention"
    )
    (found,) = lint(
        capsys, tmp_path, entry.format(key="smith2018words"), "--select", "key-convention"
    )
    assert "e.g. `smith2019words`" in found


@pytest.mark.parametrize(
    ("exported", "meant"),
    [
        ("book_section", "incollection"),  # Mendeley: a chapter
        ("web_page", "online"),  # Mendeley
        ("magazine_article", "article"),  # Mendeley
        ("presentation", "misc"),  # biblatex-apa: not `legislation`
        ("conversation", "misc"),  # not `collection`
        ("film", "movie"),
        ("artcle", "article"),  # a typo still finds its type
        ("inprocedings", "inproceedings"),
    ],
)
def test_an_exported_type_gets_the_type_it_means(capsys, tmp_path, exported, meant):
    (found,) = lint(capsys, tmp_path, f"@{exported}{{a,\n  title = {{T}},\n}}\n")
    assert found.startswith(f"{tmp_path / 'refs.bib'}:1: unknown-type ")
    assert f"use `@{meant}`" in found


def test_every_type_advised_is_one_the_site_prints():
    assert set(bibtypes.FOREIGN.values()) <= set(bibtypes.TYPES)


DIGIT_KEYS = (
    "@misc{9.8:1,\n  author = {Author, A.},\n  title = {One},\n  date = {2014},\n}\n\n"
    "@ARTICLE{8123456,\n  author = {Author, B.},\n  title = {Two},\n  journal = {J},\n"
    "  year = {2017}}\n"
)
ALIKE = (
    "@misc{Smith:2019,\n  author = {Smith, A.},\n  title = {One},\n  year = {2019},\n}\n\n"
    "@misc{smith-2019,\n  author = {Smith, B.},\n  title = {Two},\n  year = {2019},\n}\n"
)


def test_keys_that_make_no_anchor_are_reported_where_the_build_breaks(capsys, tmp_path):
    # biblatex-apa's keys, and IEEE Xplore's (its article number) or the ACM Digital
    # Library's (the DOI): citations of them link to the top of the page.
    assert build_problem(DIGIT_KEYS) == "sphinx: no citation id for 9.8:1"
    found = lint(capsys, tmp_path, DIGIT_KEYS)
    assert [line.split(" ")[:3] for line in found] == [
        [f"{tmp_path / 'refs.bib'}:1:", "key-anchor", "key"],
        [f"{tmp_path / 'refs.bib'}:7:", "key-anchor", "key"],
    ]
    assert "`8123456` makes no anchor in the page" in found[1]
    assert "e.g. `author2017two`" in found[1]


def test_keys_that_make_the_same_anchor_are_reported_at_the_second(capsys, tmp_path):
    assert "duplicate citation id for smith-2019" in (build_problem(ALIKE) or "")
    (found,) = lint(capsys, tmp_path, ALIKE)
    assert found.startswith(f"{tmp_path / 'refs.bib'}:7: key-anchor key `smith-2019` ")
    assert "same anchor in the page as `Smith:2019` (line 1), `#smith-2019`" in found
    # Keys that differ only in case are one problem, a duplicate key, not two.
    twice = "@misc{Smith2019a,\n  title = {A},\n}\n\n@misc{smith2019a,\n  title = {B},\n}\n"
    assert [line.split(" ")[1] for line in lint(capsys, tmp_path, twice)] == ["duplicate-key"]


@pytest.mark.parametrize(
    "key",
    ["9.8:1", "2013", "Smith:2019", "smith-2019", "Müller2019", "Ørsted1820", "Łukasiewicz",
     "Straße2001", "a_b", "a--b-", "x", "Æsop:fables", "dóttir2020", "10.1000/xyz"],
)  # fmt: skip
def test_lint_makes_the_anchor_docutils_makes(key):
    from docutils.nodes import make_id

    assert checks.page_anchor(key) == make_id(key)


def test_the_build_stops_on_them_with_lints_message(tmp_path):
    site = shutil.copytree(ROOTS / "test-bibfile-check", tmp_path / "site")
    bib = site / "refs.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n" + ALIKE, encoding="utf-8")
    line = bib.read_text(encoding="utf-8").splitlines().index("@misc{smith-2019,") + 1
    result = sphinx_build(site, tmp_path / "html")
    assert result.returncode == EXIT_STATUS, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert f"refs.bib:{line}: ERROR: key-anchor key `smith-2019`" in result.stderr


CORPUS = sorted((Path(__file__).parent / "data" / "corpus").glob("*.bib"))


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_every_key_advised_on_real_files_is_new_and_follows_the_convention(capsys, path):
    main(["lint", "--isolated", "--select", "key-convention", str(path)])
    advice = re.findall(r"key `([^`]*)` .* e\.g\. `([^`]*)`", capsys.readouterr().out)
    for key, suggestion in advice:
        assert suggestion != key
        assert re.fullmatch(r"[a-z][a-z0-9]*(\d{4}|nd)[a-z0-9]+", suggestion), suggestion


# -- A second held-out run (2026-12-02): 56 real files of reference managers,
# theses and documentation projects. Each case below is cut down from one.

JABREF_MARKED = (
    "@article{cox2014,\n  author = {Cox, Christopher},\n  title = {Words},\n"
    "  journal = {J},\n  year = {2014},\n  __markedentry = {[chris:6]},\n}\n"
)
PAPERS_AMPERSAND = (
    "@book{little1987,\n  author = {Little, Roderick J A and Rubin, Donald B},\n"
    "  title = {Statistical analysis with missing data},\n"
    "  publisher = {John Wiley \\{\\&} Sons Inc.},\n  year = {1987},\n"
    "  isbn = {0-471-80254-9}\n}\n"
)


# pybtex skips a comment's text, so its braces need not pair (a review's case).
COMMENTED_BRACE = "@comment{ Papers writes \\{\\& for an ampersand }\n\n" + JABREF_MARKED
COMMENT_BRACED_BELOW = "@comment\n{ a note }\n\n" + JABREF_MARKED
# A comment after an entry's `}` on the same line (a third review's case).
COMMENT_AFTER_AN_ENTRY = JABREF_MARKED.rstrip() + " @comment{ Papers writes \\{\\& }\n"
# `@comment{` inside a value is no comment: the `\{` after it still counts (a second's).
COMMENT_IN_A_VALUE = JABREF_MARKED.replace("{Words}", "{Using @comment{x} in BibTeX \\{x}}")


@pytest.mark.parametrize(
    "text",
    [
        JABREF_MARKED,
        PAPERS_AMPERSAND,
        COMMENTED_BRACE,
        COMMENT_BRACED_BELOW,
        COMMENT_IN_A_VALUE,
        COMMENT_AFTER_AN_ENTRY,
    ],
    ids=[
        "jabref-marked-entry",
        "papers-escaped-brace",
        "escaped-brace-in-a-comment",
        "comment-braced-on-the-next-line",
        "comment-command-in-a-value",
        "comment-after-an-entry",
    ],
)
def test_what_bibtex_reads_lint_and_fmt_read_too(capsys, tmp_path, text):
    # JabRef and BibDesk mark entries with a field whose name starts with `_`;
    # Papers writes `&` as `\{\&}`, whose braces BibTeX counts like any other.
    assert build_problem(text) is None
    assert lint(capsys, tmp_path, text) == []
    bib = tmp_path / "refs.bib"
    assert main(["fmt", str(bib)]) == 0
    assert read(bib.read_text(encoding="utf-8")).entries == read(text).entries


def test_every_problem_on_a_line_is_named(capsys, tmp_path):
    # A JabRef file of author @strings: three names joined on one line, two undefined.
    text = (
        "@string{smitha = {Smith, Ann}}\n\n"
        "@article{smith2014words,\n  author = smitha # { and } # jonesb # { and } # brownc,\n"
        "  title = {Words},\n  journal = {J},\n  year = {2014},\n}\n"
    )
    found = lint(capsys, tmp_path, text, "--select", "undefined-string")
    assert [line.split("`")[1] for line in found] == ["author = jonesb", "author = brownc"]
    assert all(line.startswith(f"{tmp_path / 'refs.bib'}:4: ") for line in found)


INSPIRE = (
    "@article{Oliinychenko:2010ab,\n  author = {Oliinychenko, D.},\n  title = {Words},\n"
    "  journal = {J},\n  year = {2010},\n"
    '  SLACcitation = "%%CITATION = ARXIV:1012.4035;%%",\n'
    "  abstract = {Half (50%) of it},\n  note = {50% of it},\n}\n"
)


def test_a_percent_is_named_only_where_the_style_prints_it(capsys, tmp_path):
    # INSPIRE writes `%%CITATION` in every entry, publishers' abstracts hold `%`.
    found = lint(capsys, tmp_path, INSPIRE, "--select", "unescaped-percent")
    assert [line.split(" ", 2)[:2] for line in found] == [
        [f"{tmp_path / 'refs.bib'}:8:", "unescaped-percent"]
    ]


PRINTED_ANYWHERE = "title journal booktitle publisher note howpublished institution school".split()


@pytest.mark.parametrize("field", sorted(checks.UNPRINTED) + ["bdsk-url-1"])
def test_fields_lint_calls_unprinted_are_printed_by_no_type(field):
    from pybtex.database import Entry, Person

    from citetools.sphinxext.bibstyle import AuthorYearLabels, FormattingStyle, LabelStyle

    marker = "Zqxmarkerzqx"
    for entry_type in sorted(bibtypes.TYPES):
        entry = Entry(
            entry_type,
            dict.fromkeys(PRINTED_ANYWHERE, "W") | {"year": "2001", field: marker},
            persons={"author": [Person("Smith, Ann")]},
        )
        entry.key = "k"
        LabelStyle.database = AuthorYearLabels({"k": entry})
        try:
            style = FormattingStyle()
            (label,) = style.format_labels([entry])
            printed = style.format_entry(label, entry).text.render_as("text")
        finally:
            LabelStyle.database = None
        assert marker not in printed, entry_type


@pytest.mark.parametrize(
    ("written", "advice"),
    [
        ("doi = {{10.1109/TNET.2004.836103}}", "delete the braces around it"),
        ("url = {{https://example.org/paper}}", "delete the braces around the address"),
        ("url = {\\url{http://dx.doi.org/10.1093/comjnl/27.2.97}}", "delete the `\\url{...}`"),
        # The value to write is whole, however long (it was cut at 60 characters).
        (
            "url = {\\url{https://ieeexplore.ieee.org/stamp/stamp.jsp?tp=&arnumber=1347784"
            "&isnumber=29612}}",
            "delete the `\\url{...}`",
        ),
    ],
)
def test_an_address_wrapped_once_more_gets_the_fix(capsys, tmp_path, written, advice):
    # A thesis's hand-written file and a BibDesk export; the fix lint gives passes lint.
    entry = "@misc{{byers2004informed,\n  title = {{T}},\n  year = {{2004}},\n  {},\n}}\n"
    selected = ("--select", "doi-format,url-format")
    (found,) = lint(capsys, tmp_path, entry.format(written), *selected)
    assert found.startswith(f"{tmp_path / 'refs.bib'}:4: ") and advice in found
    fixed = found.rsplit(": `", 1)[1].rstrip("`")
    assert written.rstrip("}").endswith(fixed.split(" = {", 1)[1].rstrip("}"))  # all of it
    assert lint(capsys, tmp_path, entry.format(fixed), *selected) == []


STRINGS = "@string{jaapl = {Journal of the American Academy of Psychiatry and the Law}}\n"
USES_THEM = (
    "@article{rogers2019effectiveness,\n  author = {Rogers, Michael S.},\n"
    "  title = {Effectiveness of Police Crisis Intervention Training Programs},\n"
    "  journal = jaapl,\n  year = {2019},\n  doi = {10.29158/JAAPL.003863-19},\n}\n"
)


def test_strings_of_a_file_read_before_hold_in_the_next(capsys, tmp_path):
    # IEEEabrv.bib and a references file, as LaTeX projects and a DBLP export keep them.
    (tmp_path / "strings.bib").write_text(STRINGS, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(USES_THEM, encoding="utf-8")
    assert (
        main(["lint", "--isolated", str(tmp_path / "strings.bib"), str(tmp_path / "refs.bib")]) == 0
    )
    assert capsys.readouterr().out == ""
    # Read the other way round, BibTeX meets `jaapl` before its definition.
    status = main(["lint", "--isolated", str(tmp_path / "refs.bib"), str(tmp_path / "strings.bib")])
    (found,) = capsys.readouterr().out.splitlines()
    assert status == 1 and found.startswith(f"{tmp_path / 'refs.bib'}:4: undefined-string ")


def built_with(tmp_path: Path, root: str, files: dict[str, str], page: str = "") -> str:
    """The HTML of *root*'s page built from *files* (name: text), read in that order."""
    site = shutil.copytree(ROOTS / root, tmp_path / "site")
    for name, text in files.items():
        (site / name).write_text(text, encoding="utf-8")
    if page:
        (site / "index.md").write_text(page, encoding="utf-8")
    conf = site / "conf.py"
    conf.write_text(
        conf.read_text(encoding="utf-8") + f"bibtex_bibfiles = {list(files)!r}\n",
        encoding="utf-8",
    )
    result = sphinx_build(site, tmp_path / "html")
    assert result.returncode == 0, result.stderr
    return (tmp_path / "html" / "index.html").read_text(encoding="utf-8")


# With a preamble, pybtex parses the file itself (see citetools.sphinxext.bibdata).
@pytest.mark.parametrize("preamble", ["", '@preamble{"\\newcommand{\\noop}[1]{}"}\n\n'])
def test_the_build_reads_a_sites_files_as_one(tmp_path, preamble):
    files = {"strings.bib": STRINGS, "refs.bib": preamble + USES_THEM}
    page = built_with(tmp_path, "test-bibfile-check", files)
    assert "Journal of the American Academy of Psychiatry and the Law" in page


PARENT = (
    "@book{crisis2020,\n  editor = {Doe, Jane},\n  title = {Crisis Response},\n"
    "  booktitle = {Crisis Response},\n  publisher = {Press},\n  year = {2020},\n"
    "  url = {https://example.org/book},\n}\n"
)
CHAPTER = (
    "@incollection{smith2020chapter,\n  author = {Smith, Ann},\n  title = {A Chapter},\n"
    "  crossref = {crisis2020},\n}\n"
)


@pytest.mark.parametrize("order", [("refs.bib", "books.bib"), ("books.bib", "refs.bib")])
def test_a_crossref_to_another_file_finds_its_parent(capsys, tmp_path, order):
    # iridia-ulb/references keeps its books in crossref.bib: 845 unknown crossrefs, each
    # chapter also missing the fields its book gives. pybtex resolves them in any order.
    (tmp_path / "books.bib").write_text(PARENT, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(CHAPTER, encoding="utf-8")
    assert main(["lint", "--isolated", *(str(tmp_path / name) for name in order)]) == 0
    assert capsys.readouterr().out == ""
    files = {name: (tmp_path / name).read_text(encoding="utf-8") for name in order}
    answer = "# An answer\n\nA chapter {cite:p}`smith2020chapter`.\n\n```{bibliography}\n```\n"
    assert "Crisis Response" in built_with(tmp_path, "test-bibtypes", files, answer)  # FAQ style


def test_strings_redefined_in_a_later_file_take_pybtexs_values(capsys, tmp_path):
    # A review's cases: a string redefined from another one, a subscript digit.
    # A second review's: a string made, in the first file, of one a later file redefines.
    files = {
        "a.bib": "@string{pub = {Old Press}}\n@string{city = {Paris}}\n"
        "@string{jcou = {Journal of CO₂ Utilization}}\n"
        "@string{pre = {A}}\n@string{both = pre # {B}}\n",
        "b.bib": "@string{pub = city # { Press}}\n@string{pre = {Z}}\n",
        "refs.bib": USES_THEM.replace("jaapl", "jcou").replace(
            "  year", "  note = pub # { } # both,\n  year"
        ),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert main(["lint", "--isolated", *(str(tmp_path / name) for name in files)]) == 0
    page = built_with(tmp_path, "test-bibfile-check", files)
    assert "Journal of CO₂ Utilization" in page and "Paris Press AB" in page


@pytest.mark.parametrize(
    ("value", "line"),
    [("url = {http://example.org/q?a=1,%20b}", 3), ("note = {Ages 10, % of sample}", 3)],
)
def test_a_percent_inside_a_value_is_no_comment(capsys, tmp_path, value, line):
    # A review's cases: the line named is the one pybtex names, the field without `=`.
    text = f"@misc{{a,\n  {value},\n  title {{T}},\n  year = {{2000}},\n}}\n"
    assert f"line {line}:" in (build_problem(text) or "")
    (found,) = lint(capsys, tmp_path, text)
    assert found.startswith(f"{tmp_path / 'refs.bib'}:{line}: syntax ")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # `@article(...)`, as older exports write entries (a second review's case).
        (
            "@article(a2000t,\n  title = {T},\n  issn = {0022-2879}, % print, online\n"
            "  year = 2000,\n)\n",
            3,
        ),
        # biblatex-iso690's examples: a commented-out field with a comment after it.
        (
            "@book{a,\n  author = {A, B},\n  title = {T},\n"
            "  % sortyear = {2001},% modify the date sorting if needed\n  year = {2001},\n}\n",
            4,
        ),
    ],
)
def test_a_comment_in_an_entry_is_named_once_at_its_line(capsys, tmp_path, text, line):
    (found,) = lint(capsys, tmp_path, text, "--select", "comment-in-entry")
    assert found.startswith(f"{tmp_path / 'refs.bib'}:{line}: comment-in-entry `% ")


def test_an_equals_sign_inside_a_value_starts_no_field(capsys, tmp_path):
    # A review's case: `$\alpha$ = 0.05` in a braced group; the unclosed title is line 4.
    text = (
        "@article{a,\n  abstract = {We test {whether\n  $\\alpha$ = 0.05} matters.},\n"
        "  title = {The {Effect of X,\n  journal = {J},\n  year = {2000},\n}\n"
    )
    found = lint(capsys, tmp_path, text, "--select", "unbalanced-braces")
    assert [line.split(" ")[0] for line in found] == [f"{tmp_path / 'refs.bib'}:4:"]


def test_a_string_made_of_an_undefined_string_is_named(capsys, tmp_path):
    # A review's case: pybtex stops at the @string; lint said nothing.
    text = "@string{a = b # {x}}\n@misc{k2000t,\n  title = {T},\n  note = a,\n  year = 2000,\n}\n"
    assert "undefined string in line 1: b" in (build_problem(text) or "")
    (found,) = lint(capsys, tmp_path, text, "--select", "undefined-string")
    assert found.startswith(f"{tmp_path / 'refs.bib'}:1: undefined-string @string `a` uses `b`")
