"""Reading the pages for citations: what MyST renders, and only that, with its line."""

from __future__ import annotations

import pytest

from citetools import pages

PAGE = """# A question

A claim {cite:p}`rogers2019effectiveness`, and `code` before {cite:t}`puntis2018systematic`.

<!-- {cite:p}`deleted2019oldsource`
still in the comment {cite:p}`gone2018gone` -->

% {cite:p}`commented2020out`

Write ``{cite:p}`yourkey2020word` `` to cite a source.
"""


def test_citations_in_comments_and_code_are_not_read(tmp_path):
    page = pages.scan(tmp_path / "page.md", PAGE)
    assert [(c.line, c.key) for c in page.citations] == [
        (3, "rogers2019effectiveness"),
        (3, "puntis2018systematic"),
    ]
    # The claim and the sentence about citing; the comments are no paragraphs.
    assert [p.line for p in page.paragraphs] == [3, 10]
    assert page.problems == []


def test_a_comment_shown_as_code_hides_nothing(tmp_path):
    text = (
        "# B\n\n```text\n<!-- an example\n```\n\n"
        "Start it with `<!--` and end it later {cite:p}`rogers2019effectiveness`.\n\n"
        "A claim {cite:p}`puntis2018systematic`.\n"
    )
    page = pages.scan(tmp_path / "page.md", text)
    assert [(c.line, c.key) for c in page.citations] == [
        (7, "rogers2019effectiveness"),
        (9, "puntis2018systematic"),
    ]


def test_a_bibliographys_filter_is_read_as_option_or_in_its_yaml_block(tmp_path):
    text = (
        "# C\n\n```{bibliography}\n:filter: docname in docnmes\nfilter:key\n```\n\n"
        "```{bibliography}\n---\nfilter: cited and yeer > '2000'\n---\n```\n"
    )
    page = pages.scan(tmp_path / "page.md", text)
    assert [(f.line, f.value) for f in page.filters] == [
        (4, "docname in docnmes"),
        (10, "cited and yeer > '2000'"),
    ]
    # Outside the YAML block a line is a listed key, whatever it looks like.
    assert [(c.line, c.key) for c in page.listed_keys] == [(5, "filter:key")]


def test_a_run_of_backticks_without_its_match_is_no_code_span(tmp_path):
    # Markdown pairs a run of backticks only with a run as long: ``` here is text.
    page = pages.scan(
        tmp_path / "page.md", "# D\n\nA ``` run, {cite:p}`rogers2019effectiveness`.\n"
    )
    assert [(c.line, c.key) for c in page.citations] == [(3, "rogers2019effectiveness")]


def test_a_role_shown_as_code_in_a_link_is_not_a_citation_in_it(tmp_path):
    text = (
        "# E\n\nSee [how to write `{cite:p}`](https://x.org) {cite:p}`rogers2019effectiveness`.\n"
    )
    page = pages.scan(tmp_path / "page.md", text)
    assert page.problems == [] and [c.key for c in page.citations] == ["rogers2019effectiveness"]


def test_a_role_in_double_backticks_reads_to_the_run_as_long(tmp_path):
    text = "# F\n\nA claim {citation-needed}``No source gives the `turnover` rate.``.\n"
    page = pages.scan(tmp_path / "page.md", text)
    assert [(m.line, m.reason) for m in page.markers] == [
        (3, "No source gives the `turnover` rate.")
    ]
    assert page.problems == []


def test_a_line_of_inline_code_starting_with_backticks_is_no_fence(tmp_path):
    text = "# G\n\n```{bibliography}``` lists the sources {cite:p}`rogers2019effectiveness`.\n"
    page = pages.scan(tmp_path / "page.md", text)
    assert page.problems == [] and [c.key for c in page.citations] == ["rogers2019effectiveness"]


def test_a_citation_in_text_underlined_as_a_heading_is_named(tmp_path):
    text = (
        "# H\n\nA claim {cite:p}`rogers2019effectiveness`.\n\n---\n\n"
        "More {cite:p}`puntis2018systematic`\n---\n\n- a list item\n---\n"
    )
    page = pages.scan(tmp_path / "page.md", text)
    # A rule after a blank line, or under a list item, makes no heading.
    assert [p.line for p in page.problems] == [7]
    assert [c.key for c in page.citations] == ["rogers2019effectiveness", "puntis2018systematic"]


@pytest.mark.parametrize("header", ["| Claim | Source |\n|---|:--|", "Claim | Source\n--|--"])
def test_a_rule_under_a_table_makes_no_heading(tmp_path, header):
    # A table is no paragraph: MyST renders the table, then a rule (a real page's shape).
    text = f"# H\n\n{header}\n| x | {{cite:p}}`rogers2019effectiveness` |\n---\n"
    page = pages.scan(tmp_path / "page.md", text)
    assert page.problems == []
    assert [c.key for c in page.citations] == ["rogers2019effectiveness"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("A claim {cite:p}`rogers2019effectiveness.\n", "has no closing backtick"),
        ("A claim {cite:p} rogers2019effectiveness.\n", "is not followed by backticks"),
    ],
)
def test_a_role_the_page_shows_as_text_gets_what_is_missing(tmp_path, text, said):
    (problem,) = pages.scan(tmp_path / "page.md", "# H\n\n" + text).problems
    assert problem.line == 3 and said in problem.message


@pytest.mark.parametrize(
    "before",
    [
        "Press the ` key.\n",  # a lone backtick: no code span past its paragraph
        "```\ncode\n````\n",  # a fence closed by a longer run
        # A list item's code with a blank line in it (a review's case).
        "- ```md\n  {cite:p}`yourkey`\n\n  More of the example.\n  ```\n",
        # A list item starting with inline code in triple backticks: no fence (a second's).
        "- ```x``` is code\n",
    ],
)
def test_a_citation_commented_out_stays_out(tmp_path, before):
    # Real pages comment out a citation they no longer make.
    text = (
        f"# H\n\nA claim {{cite:p}}`rogers2019effectiveness`.\n\n{before}\n"
        "<!-- {cite:p}`oldkey` -->\n\n## Sources\n\n```{bibliography}\n```\n"
    )
    page = pages.scan(tmp_path / "page.md", text)
    assert [c.key for c in page.citations] == ["rogers2019effectiveness"]


def test_a_fence_opened_on_a_list_items_line_is_one(tmp_path):
    # Jupyter Book's cheat sheet shows the citation syntax in a list item's code block.
    text = (
        "# H\n\nA claim {cite:p}`rogers2019effectiveness`.\n\n"
        "- ```md\n  {cite:p}`yourkey`\n  ```\n"
        "- ```{note}\n  Noted {cite:p}`puntis2018systematic`.\n  ```\n\n"
        "## Sources\n\n```{bibliography}\n:filter: docname in docnames\n```\n"
    )
    page = pages.scan(tmp_path / "page.md", text)
    assert [c.key for c in page.citations] == ["rogers2019effectiveness", "puntis2018systematic"]
    assert [b.line for b in page.bibliographies] == [14] and page.problems == []


def test_an_escaped_role_is_text(tmp_path):
    # A page showing the syntax: MyST prints `{cite:p}` and the key as code, cites nothing;
    # after an escaped backslash (`\\`), the role is one (a second review's case).
    text = (
        "# H\n\nWrite \\{cite:p}`key1`, as {cite:p}`rogers2019effectiveness` does.\n\n"
        "A path C:\\\\{cite:p}`puntis2018systematic`.\n\n"
        "Both escaped \\\\\\{cite:p}`key3` (a third review's case).\n"
    )
    page = pages.scan(tmp_path / "page.md", text)
    assert [c.key for c in page.citations] == ["rogers2019effectiveness", "puntis2018systematic"]
    assert page.problems == []
