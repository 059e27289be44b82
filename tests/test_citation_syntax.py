"""A citation the role cannot read: a warning at its page and line with lint's fix, not
Sphinx's crash report; the text stays in the page as written."""

from __future__ import annotations

import re
import shutil

import pytest

from citetools import sources_lists
from citetools.cli import main

from conftest import ROOTS, page

ROOT = "citation-syntax"


def _warnings(app):
    """The build's warnings as the contributor reads them (colours taken out)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue()).splitlines()


def _root_with(tmp_path, old, new, count=-1):
    """The test root copied, *old* replaced by *new* in its page; the copy, the page and
    the page's text as it was."""
    source = shutil.copytree(ROOTS / f"test-{ROOT}", tmp_path / "src")
    index = source / "index.md"
    text = index.read_text(encoding="utf-8")
    assert old in text  # or the test would test the page unchanged
    index.write_text(text.replace(old, new, count), encoding="utf-8")
    return source, index, text


@pytest.mark.sphinx("html", testroot=ROOT)
def test_citations_it_can_read_are_left_to_the_role(built):
    citations = page(built).select(".bibtex-citation")
    assert [len(c.select("a[href]")) for c in citations] == [1, 2]
    assert "see" in citations[1].get_text()


@pytest.mark.parametrize(
    "written",
    ["rogers2019effectiveness,", " ", "{see}", "a,,b", "{see rogers2019effectiveness"],
)
def test_a_citation_it_cannot_read_is_named_at_its_line(make_app, tmp_path, capsys, written):
    source, index, _ = _root_with(tmp_path, "`rogers2019effectiveness`", f"`{written}`", 1)
    app = make_app("html", srcdir=source)
    app.build()  # no exception: Sphinx would print its crash report
    warnings = _warnings(app)
    assert main(["lint", "--isolated", str(source / "refs.bib"), "--pages", str(source)]) == 1
    (linted,) = [line for line in capsys.readouterr().out.splitlines() if "cite-syntax" in line]
    message = linted.split(" cite-syntax ", 1)[1]
    assert [w for w in warnings if "citation_syntax" in w] == [
        f"{index}:3: WARNING: {message} [bibtex.citation_syntax]"
    ]
    (paragraph,) = [p for p in page(app).select("p") if "Training" in p.get_text()]
    assert f"`{written}`" in paragraph.get_text()  # as written, for the reader to see


@pytest.mark.parametrize(
    "written", ["{cite:p} `rogers2019effectiveness`", "{cite:p}``", "{cite:p}"]
)
def test_a_role_the_page_shows_as_text_is_named_at_its_line(make_app, tmp_path, capsys, written):
    # No role runs for these: MyST shows the text as written.
    source, index, _ = _root_with(
        tmp_path, "{cite:p}`rogers2019effectiveness`", f"{written} and `{{cite:p}}`", 1
    )
    app = make_app("html", srcdir=source)
    app.build()
    warnings = _warnings(app)
    assert main(["lint", "--isolated", str(source / "refs.bib"), "--pages", str(source)]) == 1
    linted = [line for line in capsys.readouterr().out.splitlines() if "cite-syntax" in line]
    assert [line.split(" cite-syntax ", 1)[0] for line in linted] == [f"{index}:3:"]
    message = linted[0].split(" cite-syntax ", 1)[1]
    assert [w for w in warnings if "citation_syntax" in w] == [
        f"{index}:3: WARNING: {message} [bibtex.citation_syntax]"
    ]


@pytest.mark.parametrize(
    ("options", "style", "warned"),
    [
        (":filter: docname in docnames\n:style: {}\n", "apa", True),
        (":filter: docname in docnames\n:style: {}\n", "unsrt", False),
        (":filter: docname in docnames\n:style: {}\n", "", True),  # pybtex's default, unsrt
        ("---\nfilter: docname in docnames\nstyle: {}\n---\n", "apa", True),
    ],
)
def test_a_bibliography_style_pybtex_does_not_have_is_named_at_its_line(
    make_app, tmp_path, options, style, warned
):
    source, index, _ = _root_with(tmp_path, ":filter: docname in docnames\n", options.format(style))
    lines = index.read_text(encoding="utf-8").splitlines()
    line = next(i for i, row in enumerate(lines, 1) if row.endswith(f"style: {style}"))
    app = make_app("html", srcdir=source)
    app.build()  # no exception: Sphinx would print "Extension error"
    warnings = _warnings(app)
    expected = [f"{index}:{line}: WARNING: `:style: {style}` is not a bibliography style"]
    assert [w.split(" the site has")[0] for w in warnings if "citation_syntax" in w] == (
        expected if warned else []
    )
    assert len(page(app).select(".citation")) == 2  # the list is there all the same


def test_each_of_two_lists_is_named_at_its_own_options(make_app, tmp_path, capsys):
    # A reading list with a known style above the Sources list with an unknown one.
    reading = (
        "## Read more\n\n```{bibliography}\n:style: unsrt\n:filter: False\n\n"
        "rogers2019effectiveness\n```\n\n"
    )
    sources = ":filter: docname in docnmes\n:style: apa\n"
    source, index, _ = _root_with(tmp_path, "## Sources", reading + "## Sources")
    index.write_text(
        index.read_text(encoding="utf-8").replace(":filter: docname in docnames\n", sources),
        encoding="utf-8",
    )
    lines = index.read_text(encoding="utf-8").splitlines()
    linted, built = _lint_and_build(make_app, capsys, source)
    assert [w.split(" WARNING: ")[0] for w in built] == [
        f"{index}:{lines.index(':filter: docname in docnmes') + 1}:",
        f"{index}:{lines.index(':style: apa') + 1}:",
    ]
    assert "docnmes" in built[0] and "`:style: apa` is not" in built[1]


# The Sources fence's options, written instead of `:filter: docname in docnames`; the
# name reported, the end of the message, and the line (within what is written) named.
FILTERS = [
    (":filter: docname in docnmes", "docnmes", "did you mean `docnames`?", 0),
    (":filter: cited and jrnl % 'Psychiatry'", "jrnl", "did you mean `journal`?", 0),
    (":filter: Type == 'article'", "Type", "written in lower case, `type`", 0),
    (":filter: Author % 'Rogers'", "Author", "written in lower case, `author`", 0),
    (":filter: 'docname in docnmes'", "docnmes", "did you mean `docnames`?", 0),  # quoted
    ("---\nfilter: docname in docnmes\n---", "docnmes", "did you mean `docnames`?", 1),
    ("---\nstyle: alpha\nfilter: >-\n  docname in\n  docnmes\n---", "docnmes", "`docnames`?", 2),
    ("---\nfilter: docname in docnames\n  or yeer > '2000'\n---", "yeer", "`year`?", 1),
    (":filter : docname in docnames or yeer > '2000'", "yeer", "`year`?", 0),
    (":filter: docname in docnames and Year >= '2019'", None, None, None),  # any case
    (":filter: False", None, None, None),
    # Not a filter: an option needs its colon unless in the YAML block (a listed key).
    ("filter: docname in docnmes", None, None, None),
]
# The same misspelt filter shown as an example or hidden in a comment: not a filter.
EXAMPLES = [
    "````markdown\n```{bibliography}\n:filter: docname in docnmes\n```\n````\n",
    "<!--\n```{bibliography}\n:filter: docname in docnmes\n```\n-->\n",
]


def _lint_and_build(make_app, capsys, source, code="filter-name"):
    """Lint's findings of *code*, and the build's warnings of this extension."""
    app = make_app("html", srcdir=source)
    app.build()
    main(["lint", "--isolated", str(source / "refs.bib"), "--pages", str(source)])
    linted = [line for line in capsys.readouterr().out.splitlines() if f" {code} " in line]
    return linted, [w for w in _warnings(app) if "citation_syntax" in w]


@pytest.mark.parametrize(("written", "unknown", "hint", "offset"), FILTERS)
def test_a_filter_reading_a_name_no_entry_has_is_named_at_its_line(
    make_app, tmp_path, capsys, written, unknown, hint, offset
):
    # Upstream reads any other name as the entry's field: empty, so the list would be too.
    source, index, text = _root_with(tmp_path, ":filter: docname in docnames", written)
    linted, built = _lint_and_build(make_app, capsys, source)
    if unknown is None:
        assert linted == [] and built == []
        return
    line = text.splitlines().index(":filter: docname in docnames") + 1 + offset
    (finding,) = linted
    where, message = finding.split(" filter-name ", 1)
    assert where == f"{index}:{line}:"
    assert message.startswith(f"`:filter:` reads `{unknown}`") and message.endswith(hint)
    assert built == [f"{index}:{line}: WARNING: {message} [bibtex.citation_syntax]"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_a_filter_shown_as_an_example_or_in_a_comment_is_not_read(
    make_app, tmp_path, capsys, example
):
    source, _, _ = _root_with(tmp_path, "## Sources", example + "\n## Sources")
    linted, built = _lint_and_build(make_app, capsys, source)
    assert linted == [] and built == []


def test_a_style_in_an_example_is_shown_as_written(make_app, tmp_path):
    example = "````markdown\n```{bibliography}\n:style: apa\n```\n````\n\n"
    source, _, _ = _root_with(tmp_path, "## Sources", example + "## Sources")
    app = make_app("html", srcdir=source)
    app.build()
    assert "citation_syntax" not in app.warning.getvalue()
    (shown,) = page(app).select("pre")
    assert ":style: apa" in shown.get_text()


@pytest.mark.parametrize(
    "options",
    [
        ":style: apa\n:filter: docname in docnmes\n",
        "---\nstyle: >-\n  apa\nfilter: docname in docnmes\n---\n",
        ":style: >-\n:  apa\n:filter: docname in docnmes\n",
    ],
)
def test_an_unknown_style_leaves_the_other_options_read(make_app, tmp_path, capsys, options):
    source, index, _ = _root_with(tmp_path, ":filter: docname in docnames\n", options)
    lines = index.read_text(encoding="utf-8").splitlines()
    style_line = next(i for i, row in enumerate(lines, 1) if "style:" in row)
    filter_line = next(i for i, row in enumerate(lines, 1) if "filter:" in row)
    linted, built = _lint_and_build(make_app, capsys, source)
    assert [w.split(" WARNING: ")[0] for w in built] == [
        f"{index}:{style_line}:",
        f"{index}:{filter_line}:",
    ]
    assert "`:style: apa` is not a bibliography style" in built[0] and "docnmes" in built[1]
    assert [line.split(" filter-name ")[0] for line in linted] == [f"{index}:{filter_line}:"]


SOURCES = "```{bibliography}\n:filter: docname in docnames\n```"
# The Sources fence as a contributor may leave it, written instead of the whole fence:
# what readers of the answer see wrong (None: nothing), named at the first citation
# whose source is not shown or at the list's fence.
SOURCES_LISTS = [
    ("", "none"),  # deleted
    ("```{bibliography}\n```", "every"),  # its filter line deleted
    ("```{bibliography}\n:cited:\n```", "every"),
    ("```{bibliography}\n:filter: cited\n```", "every"),
    ("```{bibliography}\n:filter: docname in docnames and\n```", "every"),  # upstream: cited
    ("```{bibliography}\n\nrogers2019effectiveness\n```", "every"),  # and that key
    ("```{bibliography}\n:notcited:\n```", "lost both"),  # what no page cites
    ("```{bibliography}\n:filter: False\n\npuntis2018systematic\n```", "lost"),  # one of two
    # A reading list (with its prefix) showing one of the two: the other is lost.
    ("```{bibliography}\n:filter: False\n:keyprefix: r-\n\nrogers2019effectiveness\n```",
     "lost puntis"),
    (SOURCES.replace("\n```", "\n:keyprefix: r-\n```"), "lost both, own list"),
    # A condition too many: only the build, which knows the entries, can tell.
    ("```{bibliography}\n:filter: docname in docnames and year > '2018'\n```", "lost build"),
    # A reading list above the Sources list, neither with a prefix, or the same one:
    # shared anchors.
    ("```{bibliography}\n:filter: False\n\npuntis2018systematic\n```\n\n" + SOURCES,
     "anchors"),
    ("```{bibliography}\n:filter: False\n:keyprefix: r-\n\npuntis2018systematic\n```\n\n"
     "```{bibliography}\n:filter: False\n:keyprefix: r-\n\nrogers2019effectiveness\n```\n\n"
     + SOURCES, "anchors"),
    ("```{bibliography}\n:filter:\n```", "every"),  # upstream: no expression, every entry
    # Prefixes that make the same anchors as no prefix, or as each other.
    ("```{bibliography}\n:filter: False\n:keyprefix: 1-\n\npuntis2018systematic\n```\n\n"
     + SOURCES, "anchors"),
    ("```{bibliography}\n:filter: False\n:keyprefix: Read_\n\npuntis2018systematic\n```\n\n"
     "```{bibliography}\n:filter: False\n:keyprefix: read-\n\nrogers2019effectiveness\n```"
     "\n\n" + SOURCES, "anchors"),
    # A reading list showing every source the page cites: readers see them all.
    ("```{bibliography}\n:list: bullet\n:filter: False\n:keyprefix: r-\n\n"
     "rogers2019effectiveness\npuntis2018systematic\n```", None),
    ("```{bibliography}\n:all:\n```", None),  # every entry: chosen, not forgotten
    (SOURCES, None),
    ("```{bibliography}\n:filter: False\n:keyprefix: r-\n\npuntis2018systematic\n```\n\n"
     + SOURCES, None),  # a reading list with its prefix, and the Sources list
    ("> ```{bibliography}\n> :filter: docname in docnames\n> ```", None),  # quoted
    ("- ```{bibliography}\n  :filter: docname in docnames\n  ```", None),  # in a list
    ("```{eval-rst}\n.. bibliography::\n   :filter: docname in docnames\n```", None),
]  # fmt: skip


def _add_references_page(source):
    """As on the site, every source listed somewhere: cited keys resolve."""
    (source / "references.md").write_text(
        "# References\n\n```{bibliography}\n:all:\n```\n", encoding="utf-8"
    )


@pytest.mark.parametrize(("written", "wrong"), SOURCES_LISTS)
def test_a_page_that_cites_lists_its_own_sources(make_app, tmp_path, capsys, written, wrong):
    source, index, _ = _root_with(tmp_path, SOURCES, written)
    _add_references_page(source)
    app = make_app("html", srcdir=source)
    app.build()
    main(["lint", "--isolated", str(source / "refs.bib"), "--pages", str(source)])
    codes = (" sources-list ", " list-prefix ")
    linted = [row for row in capsys.readouterr().out.splitlines() if any(c in row for c in codes)]
    built = [w for w in _warnings(app) if "sources_list" in w or "list_prefix" in w]
    if wrong is None:
        assert linted == [] and built == []
        return
    rows = index.read_text(encoding="utf-8").splitlines()
    fences = [n for n, row in enumerate(rows, 1) if row == "```{bibliography}"] + [0, 0]
    # rogers2019effectiveness (line 3) and puntis2018systematic (line 4) are cited.
    rogers, puntis = "rogers2019effectiveness", "puntis2018systematic"
    line, code, message = {
        "none": (3, "sources-list", sources_lists.NO_SOURCES_LIST),
        "every": (fences[0], "sources-list", sources_lists.EVERY_SOURCE_LISTED),
        "lost": (3, "sources-list", sources_lists.not_listed("rogers2019effectiveness", 0, False)),
        "lost both": (3, "sources-list", sources_lists.not_listed(rogers, 1, False)),
        "lost both, own list": (3, "sources-list", sources_lists.not_listed(rogers, 1, True)),
        "lost build": (4, "sources-list", sources_lists.not_listed(puntis, 0, True)),
        "lost puntis": (4, "sources-list", sources_lists.not_listed(puntis, 0, False)),
        "anchors": (fences[1], "list-prefix", sources_lists.SHARED_ANCHORS),  # the second
    }[wrong]
    rule = code.replace("-", "_")
    assert built == [f"{index}:{line}: WARNING: {message} [bibtex.{rule}]"]
    assert linted == ([] if wrong.endswith("build") else [f"{index}:{line}: {code} {message}"])


def test_a_references_page_that_cites_may_list_every_source(make_app, tmp_path, capsys):
    # Its list shows every source the site cites, by design: no other page lists them all.
    source, _, _ = _root_with(tmp_path, "## Sources", "## Sources")
    (source / "references.md").write_text(
        "# References\n\nStart with {cite:t}`puntis2018systematic`.\n\n```{bibliography}\n```\n",
        encoding="utf-8",
    )
    app = make_app("html", srcdir=source)
    app.build()
    main(["lint", "--isolated", str(source / "refs.bib"), "--pages", str(source)])
    assert " sources-list " not in capsys.readouterr().out
    assert "sources_list" not in app.warning.getvalue()


def test_a_sources_list_in_an_included_file_is_left_to_the_build(make_app, tmp_path, capsys):
    # Lint does not read included files: the build, which does, finds the list there.
    source, index, _ = _root_with(tmp_path, SOURCES, "```{include} sources.txt\n```")
    (source / "sources.txt").write_text(SOURCES + "\n", encoding="utf-8")
    app = make_app("html", srcdir=source)
    app.build()
    main(["lint", "--isolated", str(source / "refs.bib"), "--pages", str(source)])
    assert " sources-list " not in capsys.readouterr().out
    assert "sources_list" not in app.warning.getvalue()
    assert len(page(app).select(".citation")) == 2


def test_a_citation_with_a_lists_prefix_is_a_key_of_the_bibliography(make_app, tmp_path, capsys):
    # Upstream resolves `{cite:p}`r-key`` to the list with `:keyprefix: r-`.
    source, index, text = _root_with(
        tmp_path, SOURCES, SOURCES.replace("\n```", "\n:keyprefix: r-\n```", 1)
    )
    index.write_text(
        index.read_text(encoding="utf-8").replace(
            "`rogers2019effectiveness`", "`r-rogers2019effectiveness`", 1
        ),
        encoding="utf-8",
    )
    app = make_app("html", srcdir=source)
    app.build()
    main(["lint", "--isolated", str(source / "refs.bib"), "--pages", str(source)])
    out = capsys.readouterr().out
    assert "undefined-key" not in out and "unused-entry" not in out
    assert not [w for w in _warnings(app) if "r-rogers2019effectiveness" in w]


@pytest.mark.parametrize(("kind", "named"), [("citation", "elsewhere"), ("bullet", "undefined")])
def test_a_citation_with_another_pages_prefix(make_app, tmp_path, capsys, kind, named):
    # Another page's list, `:keyprefix: o-`: the citation links there (a citation list),
    # or nowhere (a bullet list's entries are no citations' targets).
    source, index, _ = _root_with(tmp_path, "rogers2019effectiveness", "o-rogers2019effectiveness")
    _add_references_page(source)
    (source / "other.md").write_text(
        "# Other\n\n```{bibliography}\n:list: " + kind + "\n:keyprefix: o-\n:filter: False\n\n"
        "rogers2019effectiveness\n```\n",
        encoding="utf-8",
    )
    app = make_app("html", srcdir=source)
    app.build()
    main(["lint", "--isolated", str(source / "refs.bib"), "--pages", str(source)])
    linted = [row for row in capsys.readouterr().out.splitlines() if "o-rogers" in row]
    built = [w for w in _warnings(app) if "o-rogers" in w]
    if named == "elsewhere":
        message = sources_lists.lost_message(
            "o-rogers2019effectiveness", "rogers2019effectiveness", "o-", {""}, 0, True
        )
        assert linted == [f"{index}:3: sources-list {message}"]
        assert built == [f"{index}:3: WARNING: {message} [bibtex.sources_list]"]
    else:
        assert {tuple(row.split(" ", 2)[:2]) for row in linted} == {
            (f"{index}:3:", "undefined-key"),
            (f"{index}:4:", "undefined-key"),
        }
        assert [w for w in built if "could not find" in w] and not [
            w for w in built if "sources_list" in w
        ]


@pytest.mark.parametrize("written", ["unsrtt", "UNSRT"])
def test_a_misspelt_site_style_is_named_in_conf_py(make_app, tmp_path, written):
    source, _, _ = _root_with(tmp_path, "## Sources", "## Sources")
    conf = source / "conf.py"
    text = conf.read_text(encoding="utf-8") + (
        f'# bibtex_default_style: the style of every list\nbibtex_default_style = "{written}"\n'
    )
    conf.write_text(text, encoding="utf-8")
    app = make_app("html", srcdir=source)
    app.build()  # no "Extension error" once the pages are read
    line = len(text.splitlines())  # the setting's, not the comment's
    assert [w for w in _warnings(app) if "default_style" in w] == [
        f"{conf}:{line}: WARNING: bibtex_default_style = '{written}' is not a bibliography "
        "style the site has: did you mean 'unsrt'? [bibtex.default_style]"
    ]
    assert len(page(app).select(".citation")) == 2  # printed in that style meanwhile


def test_a_misspelt_filter_name_is_named_once(make_app, tmp_path):
    # The list then shows none of the page's sources: the name is the cause to fix.
    misspelt = SOURCES.replace("docnames", "docnames and yeer > '2000'")
    source, _, _ = _root_with(tmp_path, SOURCES, misspelt)
    _add_references_page(source)
    app = make_app("html", srcdir=source)
    app.build()
    warned = [w for w in _warnings(app) if "citation_syntax" in w or "sources_list" in w]
    assert len(warned) == 1 and "reads `yeer`" in warned[0]


def test_a_page_with_only_markers_needs_no_sources_list(make_app, tmp_path, capsys):
    source, index, text = _root_with(tmp_path, "## Sources", "")
    cited = re.sub(r"\{cite:[pt]\}`[^`]*`", "{citation-needed}`No source yet`", text)
    index.write_text(cited.split("```{bibliography}")[0], encoding="utf-8")
    app = make_app("html", srcdir=source)
    app.build()
    main(["lint", "--isolated", str(source / "refs.bib"), "--pages", str(source)])
    assert " sources-list " not in capsys.readouterr().out
    assert "sources_list" not in app.warning.getvalue()


# Read by lint and the build, shown raw to readers: (text replaced, by, lint's code).
RAW_TO_READERS = [
    ("# An answer", "# An answer {cite:p}`rogers2019effectiveness`", "cite-syntax"),
    (
        "## Sources",
        "```{note} Calls are rising {citation-needed}`No source yet`\nMore.\n```\n\n## Sources",
        "cite-syntax",
    ),
    ("officers' knowledge", "officers' knowledge {citation-needed}``", "marker-reason"),
    ("## Sources", "Evidence {cite:p}`rogers2019effectiveness`\n---\n\n## Sources", "cite-syntax"),
    # The closing backtick missing: MyST shows it all as text, and warns of nothing.
    ("## Sources", "Evidence {cite:p}`rogers2019effectiveness.\n\n## Sources", "cite-syntax"),
    (
        "## Sources",
        "- Evidence {cite:p}`rogers2019effectiveness.\n- Other `code` here.\n\n## Sources",
        "cite-syntax",
    ),
    ("## Sources", "Evidence {cite:p}`rogers2019effectiveness``.\n\n## Sources", "cite-syntax"),
    (
        "Training changes",
        "[Training {cite:p}`rogers2019effectiveness`](https://x.org) changes",
        "cite-syntax",
    ),
    (
        "Training changes",
        "![A chart {citation-needed}`No source`](chart.png) Training changes",
        "cite-syntax",
    ),
]


@pytest.mark.parametrize("with_options", [True, False], ids=["sources-filtered", "no-options"])
@pytest.mark.parametrize(("old", "new", "code"), RAW_TO_READERS)
def test_what_readers_would_see_raw_is_named_at_its_line(
    make_app, tmp_path, capsys, old, new, code, with_options
):
    source, index, text = _root_with(tmp_path, old, new, 1)
    if not with_options:  # the build then reads the page only if these make it look
        edited = index.read_text(encoding="utf-8")
        index.write_text(edited.replace(":filter: docname in docnames\n", ""), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if old in row)
    linted, built = _lint_and_build(make_app, capsys, source, code)
    assert [row.split(f" {code} ")[0] for row in linted] == [f"{index}:{line}:"]
    message = linted[0].split(f" {code} ", 1)[1]
    assert built == [f"{index}:{line}: WARNING: {message} [bibtex.citation_syntax]"]


@pytest.mark.parametrize(
    "valid",
    [
        "officers' knowledge {citation-needed}``No count gives the `turnover` rate.``",
        "officers' knowledge, as ```{cite:p}``` shows in code,",
    ],
)
def test_valid_markdown_like_those_mistakes_is_left_alone(make_app, tmp_path, capsys, valid):
    source, _, _ = _root_with(tmp_path, "officers' knowledge", valid, 1)
    app = make_app("html", srcdir=source)
    app.build()
    assert main(["lint", "--isolated", str(source / "refs.bib"), "--pages", str(source)]) == 0
    assert "citation_syntax" not in app.warning.getvalue()
