"""``citetools lint``: each fault a contributor can make ends in ``path:line: CODE message``."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bibbuild import build_problem
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from citetools import bibfile, bibtypes, checks, rules
from citetools.cli import main
from citetools.sphinxext import bibfile_check
from testbed.linkserver import running

from conftest import PROJECT, copy_site

DATA = Path(__file__).parent / "data"
BIB = DATA / "bib"
FINDING = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): (?P<code>[a-z0-9-]+) (?P<message>.+)$")


def lint(capsys, *argv: str) -> tuple[int, list[tuple[str, int, str, str]]]:
    status = main(["lint", *argv])
    out = capsys.readouterr().out
    findings = []
    for line in out.splitlines():
        match = FINDING.match(line)
        assert match, f"not a path:line: CODE message line: {line!r}"
        findings.append((match["path"], int(match["line"]), match["code"], match["message"]))
    return status, findings


def codes(findings) -> set[tuple[int, str]]:
    return {(line, code) for _, line, code, _ in findings}


HOUSE_STYLE = '[tool.citetools.lint]\nselect = ["ALL"]\n'


@pytest.fixture
def in_dir(monkeypatch):
    """Work in ``path``; outside the repository, with the FAQ's house style switched on
    as this repository's pyproject.toml does (``house=False``: no configuration)."""

    def enter(path: Path, house: bool = True) -> Path:
        monkeypatch.chdir(path)
        if house and not path.resolve().is_relative_to(PROJECT):
            (path / "pyproject.toml").write_text(HOUSE_STYLE, encoding="utf-8")
        return path

    return enter


def test_clean_file_passes(capsys, in_dir):
    in_dir(BIB)
    status, findings = lint(capsys, "good.bib")
    assert (status, findings) == (0, [])


@pytest.mark.parametrize(
    "name, expected",
    [
        ("unbalanced-value.bib", {(3, "unbalanced-braces")}),
        ("unclosed-entry.bib", {(1, "unbalanced-braces")}),
        ("missing-comma.bib", {(3, "missing-comma")}),
        ("outside-text.bib", {(2, "text-outside-entry"), (10, "stray-brace")}),
        (
            "duplicates.bib",
            {
                (9, "duplicate-key"),
                (9, "key-convention"),
                (22, "duplicate-doi"),
                (37, "duplicate-url"),
            },
        ),
        (
            "fields.bib",
            {
                (1, "unknown-type"),
                (9, "missing-field"),
                (9, "missing-link"),
                (15, "missing-link"),
                (22, "missing-urldate"),
                (31, "unescaped-percent"),
                (34, "date-format"),
                (35, "missing-archivedate"),
                (36, "urlstatus"),
                (44, "doi-format"),
                (52, "doi-format"),
                (53, "url-format"),
                (56, "key-convention"),
            },
        ),
    ],
)
def test_each_fault_is_named_at_its_line(capsys, in_dir, name, expected):
    in_dir(BIB)
    status, findings = lint(capsys, name)
    assert status == 1
    assert codes(findings) == expected
    assert {path for path, *_ in findings} == {name}


def test_messages_say_the_fix(capsys, in_dir):
    in_dir(BIB)
    _, findings = lint(capsys, "fields.bib")
    messages = {(line, code): message for _, line, code, message in findings}
    assert "use `@article`" in messages[(1, "unknown-type")]
    assert "add `journal = {...}`" in messages[(9, "missing-field")]
    assert (
        "`urldate = {YYYY-MM-DD}`, the day you read the page" in messages[(22, "missing-urldate")]
    )
    assert "write `\\%`" in messages[(31, "unescaped-percent")]
    assert "`doi = {10.5555/ghi}`" in messages[(44, "doi-format")]
    assert "e.g. `hardy2016keys`" in messages[(56, "key-convention")]
    _, findings = lint(capsys, "duplicates.bib")
    messages = {(line, code): message for _, line, code, message in findings}
    assert "`smith2020first` is already defined on line 1" in messages[(9, "duplicate-key")]
    assert "same DOI as `smith2020first`" in messages[(22, "duplicate-doi")]
    _, findings = lint(capsys, "missing-comma.bib")
    assert "add `,` at the end of line 3, before `journal =`" in findings[0][3]


def test_missing_comma_does_not_hide_the_next_field(capsys, in_dir):
    """bibtexparser glues `journal` onto `title`; lint must not then claim it is missing."""
    in_dir(BIB)
    _, findings = lint(capsys, "missing-comma.bib")
    assert [code for *_, code, _ in findings] == ["missing-comma"]


def test_not_utf8_names_the_line_of_the_bad_byte(capsys, in_dir):
    in_dir(BIB)
    status, findings = lint(capsys, "latin1.bib")
    assert status == 2
    assert codes(findings) == {(3, "not-utf8")}
    assert "0xe9" in findings[0][3]


def test_missing_file_is_unreadable_input(capsys, tmp_path, in_dir):
    in_dir(tmp_path)
    status, findings = lint(capsys, "nowhere.bib")
    assert status == 2
    assert findings[0][0] == "nowhere.bib"


def write(tmp_path: Path, text: str, name: str = "refs.bib") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


ENTRY = """@misc{{smith2020title,
  author = {{Smith, Ann}},
  title = {{Title}},
  year = {{2020}},
  url = {{{url}}},
  urldate = {{2026-01-01}},
}}
"""


_MORE = [
    (
        "@string{pct = {50% off}}\n@misc{smith2020title,\n  author = {Smith, Ann et al.},\n"
        "  title = {T},\n  year = {2020a},\n  url = {https://example.org/a\\_b},\n"
        "  urldate = {2026-01-01},\n}\n",
        {(1, "unescaped-percent"), (3, "et-al"), (5, "year-format"), (6, "url-format")},
    ),
]


@pytest.mark.parametrize("text, expected", _MORE)
def test_string_year_author_and_url_faults(capsys, tmp_path, in_dir, text, expected):
    in_dir(tmp_path)
    status, findings = lint(capsys, write(tmp_path, text))
    assert (status, codes(findings)) == (1, expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        # A `%` comment inside an entry is read as a field by BibTeX.
        (
            "@misc{smith2020title,\n  % note = {x},\n  author = {Smith, Ann},\n  title = {T},\n"
            "  year = {2020},\n  doi = {10.5555/a},\n}\n",
            {(2, "comment-in-entry")},
        ),
        (
            "@misc{smith2020title,\n  author = {Smith, Ann},\n  title = {T},\n  title = {U},\n"
            "  year = {2020},\n  doi = {10.5555/a},\n}\n",
            {(4, "duplicate-field")},
        ),
        (
            "@misc{smith2020title,\n  author = {Smith, Ann},\n  title = {T} junk,\n"
            "  year = {2020},\n  doi = {10.5555/a},\n}\n",
            {(3, "value-syntax")},
        ),
        (
            '@misc{smith2020title,\n  author = {Smith, Ann},\n  title = "T,\n'
            "  year = {2020},\n  doi = {10.5555/a},\n}\n",
            {(3, "unbalanced-braces")},
        ),
        (
            "@misc{smith2020title,\n  author {Smith, Ann},\n  year = {2020},\n}\n",
            {(2, "syntax")},
        ),
        (
            "@misc{,\n  author = {Smith, Ann},\n  title = {T},\n  year = {2020},\n}\n",
            {(1, "missing-key"), (1, "missing-link")},
        ),
        (
            "@misc{smith2020title,\n  author = {Smith, Ann},\n  title = {T},\n  year = {2020},\n"
            "  journal = jaapl,\n  doi = {10.5555/a},\n}\n",
            {(5, "undefined-string")},
        ),
        (
            "@string{j = {A}}\n@string{j = {B}}\n",
            {(2, "duplicate-string")},
        ),
        (
            "@incollection{smith2020title,\n  author = {Smith, Ann},\n  title = {T},\n"
            "  crossref = {book2020missing},\n  doi = {10.5555/a},\n}\n",
            {(1, "missing-field"), (1, "incomplete-entry"), (4, "unknown-crossref")},
        ),
        (
            "@misc{smith2020title,\n  author = {Smith, Ann},\n  title = {},\n  year = {2020},\n"
            "  doi = {10.5555/a},\n}\n",
            {(1, "incomplete-entry")},  # one finding: the empty title is the missing title
        ),
        (
            "@misc{smith2020title,\n  author = {Smith, Ann},\n  title = {T},\n  year = {2020},\n"
            "  url = {https://example.org/a},\n  urldate = {2026-01-01},\n"
            "  urlstatus = {dead},\n}\n",
            {(7, "dead-link")},
        ),
        (
            "@misc{smith2019title,\n  author = {Smith, Ann},\n  title = {T},\n  year = {2020},\n"
            "  doi = {10.5555/a},\n}\n",
            {(1, "key-convention")},
        ),
    ],
)
def test_more_faults(capsys, tmp_path, in_dir, text, expected):
    in_dir(tmp_path)
    status, findings = lint(capsys, write(tmp_path, text))
    assert codes(findings) == expected
    assert status == (0 if all(c == "dead-link" for _, c in expected) else 1)


def test_crossref_entries_inherit_fields(capsys, in_dir):
    """good.bib's @incollection takes booktitle, publisher, year and ISBN from its @book."""
    in_dir(BIB)
    assert lint(capsys, "good.bib") == (0, [])


def test_a_misspelt_crossref_is_the_fix_named_for_the_fields_it_would_give(
    capsys, tmp_path, in_dir
):
    # The chapter takes its book's title, year and publisher: with the key misspelt, lint
    # and the build named the fields to add to the chapter, not the crossref to fix.
    in_dir(tmp_path)
    good = (BIB / "good.bib").read_text(encoding="utf-8")
    path = write(
        tmp_path, good.replace("crossref = {editor2009volume}", "crossref = {editor2009volum}")
    )
    fix = (
        "fix its crossref, `editor2009volum`, which is not an entry of this file (did you mean "
        "`editor2009volume`?), or add `booktitle"
    )
    status, findings = lint(capsys, path)
    assert status == 1
    (missing,) = [message for _, _, code, message in findings if code == "missing-field"]
    assert fix in missing
    assert [f.message for f in bibfile_check.diagnose(tmp_path / path)] == [missing]
    # An empty crossref is an empty field: the fields are to be added, no key to fix.
    path = write(tmp_path, good.replace("crossref = {editor2009volume}", "crossref = {}"))
    found = {code: message for _, _, code, message in lint(capsys, "--select", "ALL", path)[1]}
    assert "empty-field" in found and "unknown-crossref" not in found
    assert "crossref" not in found["missing-field"] and "add `booktitle" in found["missing-field"]


def test_http_link_to_a_host_seen_with_https_is_a_warning(capsys, tmp_path, in_dir):
    in_dir(tmp_path)
    text = (
        ENTRY.format(url="https://example.org/a")
        + "\n"
        + ENTRY.format(url="http://example.org/b").replace("smith2020title", "smith2020other")
    )
    status, findings = lint(capsys, write(tmp_path, text))
    assert status == 0
    assert codes(findings) == {(13, "http-url")}
    assert "write `url = {https://example.org/b}`" in findings[0][3]
    assert lint(capsys, "--strict", "refs.bib")[0] == 1


class _HeadOnly(BaseHTTPRequestHandler):
    """Stands in for https on two hosts: secure.example answers, plain.example hangs up."""

    def do_HEAD(self):
        if self.path.startswith("/secure.example"):
            self.send_response(404)  # any answer means the host serves https
            self.end_headers()
        else:
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    with contextlib.ExitStack() as servers:

        def start(handler):
            server = servers.enter_context(running(ThreadingHTTPServer(("127.0.0.1", 0), handler)))
            return f"http://127.0.0.1:{server.server_address[1]}"

        yield start


def test_online_asks_the_host_about_https(capsys, tmp_path, in_dir, monkeypatch, local_server):
    base = local_server(_HeadOnly)
    monkeypatch.setenv("CITETOOLS_HTTPS_PROBE", base + "/{host}")
    in_dir(tmp_path)
    text = (
        ENTRY.format(url="http://secure.example/a")
        + "\n"
        + ENTRY.format(url="http://plain.example/b").replace("smith2020title", "smith2020other")
    )
    write(tmp_path, text)
    assert codes(lint(capsys, "refs.bib")[1]) == set()
    assert codes(lint(capsys, "--online", "refs.bib")[1]) == {(5, "http-url")}


def test_pages_citations_markers_and_unused_entries(capsys, in_dir):
    in_dir(DATA / "site")
    status, findings = lint(capsys)  # defaults: references.bib and conf.py's pages
    assert status == 1
    assert {(path, line, code) for path, line, code, _ in findings} == {
        ("index.md", 3, "undefined-key"),
        ("index.md", 7, "marker-reason"),
        ("faq/q1.md", 4, "undefined-key"),
        ("references.bib", 25, "unused-entry"),
    }
    messages = {(path, line): message for path, line, _, message in findings}
    assert "did you mean `example2018review`?" in messages[("index.md", 3)]
    assert "did you mean `tester2021variation`?" in messages[("faq/q1.md", 4)]
    assert "`unused2017crisis` is not cited" in messages[("references.bib", 25)]


def test_summary_names_what_was_checked_in_plain_numbers(capsys, in_dir):
    in_dir(DATA / "site")
    assert main(["lint"]) == 1
    assert capsys.readouterr().err == (
        "citetools lint: 3 errors, 1 warning in references.bib and 2 pages\n"
    )
    in_dir(BIB)
    assert main(["lint", "good.bib"]) == 0
    assert capsys.readouterr().err == "citetools lint: 0 errors, 0 warnings in good.bib\n"


def test_conf_py_that_does_not_parse_is_reported_not_guessed(capsys, tmp_path, in_dir):
    shutil.copytree(DATA / "site", tmp_path / "site")
    site = in_dir(tmp_path / "site")
    (site / "README.md").write_text("Not a page: {cite:p}`nowhere2020key`.\n", encoding="utf-8")
    conf = (site / "conf.py").read_text(encoding="utf-8")
    (site / "conf.py").write_text("project = 'x'\ninclude_patterns = [\n", encoding="utf-8")
    status, findings = lint(capsys)
    assert status == 2
    assert [(path, code) for path, _, code, _ in findings] == [("conf.py", "conf-syntax")]
    assert findings[0][1] in (2, 3)  # where Python reports the unclosed bracket
    assert "fix conf.py" in findings[0][3]
    (site / "conf.py").write_text(conf, encoding="utf-8")
    assert "README.md" not in {path for path, *_ in lint(capsys)[1]}


def test_explicit_bib_checks_pages_only_when_asked(capsys, in_dir):
    in_dir(DATA / "site")
    assert lint(capsys, "references.bib") == (0, [])
    assert lint(capsys, "references.bib", "--pages", ".")[0] == 1


def test_github_and_json_formats(capsys, in_dir):
    in_dir(DATA / "site")
    assert main(["lint", "--format", "github"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "::error file=index.md,line=3::undefined-key `example2018reveiw`" in out[1]
    assert out[-1].startswith("::warning file=references.bib,line=25::unused-entry")
    assert main(["lint", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {"path": "index.md", "line": 7, "code": "marker-reason"}.items() <= data[2].items()


def test_usage_error_exits_2(capsys):
    assert main(["lint", "--format", "xml"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_large_file_with_one_bad_entry_at_the_end(capsys, tmp_path, in_dir):
    in_dir(tmp_path)
    entries = [
        f"@article{{author{i}2019word{i},\n  author = {{Smith, Ann}},\n  title = {{Study {i}}},\n"
        f"  journal = {{Journal}},\n  year = {{2019}},\n  doi = {{10.5555/x.{i}}},\n}}\n"
        for i in range(5000)
    ]
    text = (
        "\n".join(entries) + "\n@article{bad2020entry,\n  title = {Unclosed,\n  year = {2020},\n}\n"
    )
    write(tmp_path, text)
    status, findings = lint(capsys, "refs.bib")
    assert status == 1
    assert codes(findings) == {(40002, "unbalanced-braces")}


def test_console_script_runs_without_traceback(tmp_path):
    """The installed `citetools` command, as a contributor runs it."""
    script = Path(sys.executable).with_name("citetools")
    shutil.copy(BIB / "unbalanced-value.bib", tmp_path / "x.bib")
    result = subprocess.run([script, "lint", "x.bib"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stdout.startswith("x.bib:3: unbalanced-braces")
    assert "Traceback" not in result.stderr
    assert "Parsing of" not in result.stdout + result.stderr  # bibtexparser's own log is silenced


def test_real_references_bib_lints_clean(capsys, in_dir):
    in_dir(PROJECT)
    status, findings = lint(capsys)
    assert [f for f in findings if f[2] != "unused-entry"] == []
    assert status == 0


def test_contributing_lint_example_is_what_lint_prints(capsys, tmp_path, in_dir):
    """CONTRIBUTING.md's example: the real site with a misspelt key and a missing urldate."""
    guide = (PROJECT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = guide[guide.index("### `citetools lint`") :]
    start = section.index("```text\n") + len("```text\n")
    example = section[start : section.index("\n```", start)].splitlines()
    site = in_dir(copy_site(tmp_path / "site"))
    bib = site / "references.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index("@misc{denver2021star,")
    end = text.index("\n}\n", start)
    entry = text[start:end]
    bib.write_text(
        text[:start] + re.sub(r"\n  urldate = \{[^}]*\},", "", entry) + text[end:],
        encoding="utf-8",
    )
    page = site / "faq" / "incremental-change.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("puntis2018systematic", "puntis2018systematik", 1),
        encoding="utf-8",
    )
    assert main(["lint"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() + err.splitlines() == example


def test_pages_code_is_skipped_and_directives_are_read(capsys, tmp_path, in_dir):
    in_dir(tmp_path)
    shutil.copy(DATA / "site" / "references.bib", tmp_path / "references.bib")
    (tmp_path / "page.md").write_text(
        "# Q\n\n```{note}\nInside a note {cite:p}`inanote2020key`.\n```\n\n"
        "```python\nx = '{cite:p}`incode2020key`'\n```\n\n"
        "Malformed {cite:p}`a b`.\n\n"
        "## Sources\n\n```{bibliography}\n:filter: docname in docnames\n```\n",
        encoding="utf-8",
    )
    status, findings = lint(capsys, "references.bib", "--pages", "page.md")
    assert status == 1
    assert {(path, line, code) for path, line, code, _ in findings if path == "page.md"} == {
        ("page.md", 4, "undefined-key"),
        ("page.md", 11, "cite-syntax"),
    }


def test_contributing_templates_lint_clean(capsys, tmp_path, in_dir):
    """The entries CONTRIBUTING.md tells contributors to copy must pass lint and fmt."""
    guide = (PROJECT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    templates = re.findall(r"```bibtex\n(@.*?)```", guide, re.DOTALL)
    assert len(templates) == 4
    in_dir(tmp_path)
    write(tmp_path, "\n".join(sorted(templates, key=lambda t: t.split("{", 1)[1])))
    assert lint(capsys, "refs.bib") == (0, [])
    assert main(["fmt", "--check", "refs.bib"]) == 0


_BIB_TOKENS = st.sampled_from(
    ["@article", "@misc", "@string", "@comment", "@preamble", "@", "{", "}", "(", ")", ",", "=",
     '"', "#", "%", "\\", "\n", " ", "\t", "\r\n", "smith2020title", "title", "year", "2020",
     "jan", "author", "url", "https://example.org", "doi", "10.5555/x", "é", "crossref"]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BIB_TOKENS, max_size=60).map("".join))
def test_malformed_input_never_crashes(tmp_path_factory, text):
    """Any text: lint ends in path:line findings; fmt writes a faithful copy or nothing."""
    path = tmp_path_factory.mktemp("fuzz") / "refs.bib"
    path.write_text(text, encoding="utf-8", newline="")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["lint", str(path)])
        assert status in (0, 1)
        assert all(FINDING.match(line) for line in out.getvalue().splitlines())
        if main(["fmt", str(path)]) == 1:
            assert path.read_bytes().decode("utf-8") == text


# -- Rules: one registry, chosen like ruff's -------------------------------------------


HOUSE_ONLY = (
    "@misc{Some-Key,\n  title = {T},\n  url = {http://example.org/a},\n}\n"  # no year, urldate
)


def test_no_configuration_reports_only_what_breaks_loses_or_misleads(capsys, tmp_path, in_dir):
    in_dir(tmp_path, house=False)
    path = write(tmp_path, HOUSE_ONLY + "@article{b,\n  title = {T},\n  year = {2020},\n}\n")
    status, findings = lint(capsys, path)
    assert status == 1
    assert codes(findings) == {(5, "missing-field")}  # @article with no author or journal


def test_pyproject_table_switches_the_house_style_on(capsys, tmp_path, in_dir):
    in_dir(tmp_path, house=False)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.citetools.lint]\nextend-select = ["key-convention", "missing-urldate"]\n'
        'ignore = ["missing-field"]\n',
        encoding="utf-8",
    )
    sub = tmp_path / "refs"
    sub.mkdir()
    write(sub, HOUSE_ONLY)
    path = str(sub / "refs.bib")
    assert codes(lint(capsys, path)[1]) == {(1, "key-convention"), (1, "missing-urldate")}
    # The command line comes after the file, as in ruff.
    assert codes(lint(capsys, "--ignore", "key-convention", path)[1]) == {(1, "missing-urldate")}
    assert codes(lint(capsys, "--select", "incomplete-entry", path)[1]) == {(1, "incomplete-entry")}
    assert codes(lint(capsys, "--isolated", path)[1]) == set()


def test_an_unknown_code_is_a_usage_error(capsys, tmp_path, in_dir):
    in_dir(tmp_path, house=False)
    assert main(["lint", "--ignore", "key-convention,missing-feild", write(tmp_path, "")]) == 2
    assert "unknown rule `missing-feild` (did you mean `missing-field`?)" in capsys.readouterr().err


def test_list_rules_prints_every_rule_and_whether_it_is_on(capsys, tmp_path, in_dir):
    in_dir(tmp_path, house=False)
    assert main(["lint", "--list-rules"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[1] for line in lines] == list(rules.RULES)
    on = {line.split()[1] for line in lines if line.startswith("on ")}
    assert on == rules.default_codes()
    assert "key-convention" not in on and "missing-field" in on


def test_contributing_table_is_the_registry():
    text = (PROJECT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert rules.table_markdown() in text


def test_every_code_a_file_error_carries_is_a_rule(capsys, tmp_path):
    # conf.py's errors were printed with codes that --list-rules and the guide lacked.
    sources = (PROJECT / "citetools").rglob("*.py")
    codes = {c for p in sources for c in re.findall(r'\bcode\s*=\s*"([a-z0-9-]+)"', p.read_text())}
    assert {"conf-error", "conf-syntax", "not-utf8"} <= codes <= set(rules.RULES)
    assert len(rules.RULES) == len(rules._RULES)  # each code once
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "conf.py").write_text("import not_installed_here\n", encoding="utf-8")
    bib = tmp_path / write(tmp_path, "")
    assert (
        main(["lint", "--ignore", "conf-error", "--pages", str(tmp_path / "pages"), str(bib)]) == 2
    )
    assert "conf-error conf.py stops with ModuleNotFoundError" in capsys.readouterr().out


# -- One reading: the build stops where lint points -------------------------------------

BREAKING = {
    "unknown type": ("@artcle{a,\n  author = {A, B},\n  title = {T},\n}\n", 1, "unknown-type"),
    # BibTeX counts `\{` like any brace: this one is never closed, on line 2.
    "a backslashed brace never closed": (
        "@article{a,\n  title = {Foo \\{bar},\n  author = {A, B},\n  year = {2020},\n}\n",
        2,
        "unbalanced-braces",
    ),
    "report without institution": (
        "@report{a,\n  author = {A, B},\n  title = {T},\n  date = {2020},\n}\n",
        1,
        "missing-field",
    ),
    "DataCite article without journal": (
        "@article{a,\n  author = {A, B},\n  title = {T},\n  year = {2020},\n}\n",
        1,
        "missing-field",
    ),
    "percent comment in an entry": (
        "@misc{a,\n  title = {X}, % note\n  year = {2000},\n}\n",
        2,
        "comment-in-entry",
    ),
    "quote in a quoted value": (
        '@misc{a,\n  author = "Schr\\"odinger, Erwin",\n}\n',
        2,
        "quote-in-value",
    ),
    "repeated field in two cases": (
        "@misc{a,\n  Title = {X},\n  title = {Y},\n}\n",
        3,
        "duplicate-field",
    ),
    "too many commas": ("@misc{a,\n  author = {A, B, C, D},\n}\n", 2, "name-format"),
    # A reference manager's `C.\ ` (a space that does not end a sentence) before `and`.
    "a backslash ending a name": (
        "@misc{a,\n  author = {Babcock, Julia C.\\ and Green, Charles E.},\n  title = {X},\n"
        "  year = {2000},\n}\n",
        2,
        "trailing-backslash",
    ),
    "a backslash ending a title": (
        "@misc{a,\n  author = {Green, Charles E.},\n  title = {X\\ },\n  year = {2000},\n}\n",
        3,
        "trailing-backslash",
    ),
    "at sign in a comment": ("% see @report\n@misc{a,\n  title = {X},\n}\n", 1, "syntax"),
    "a string used above its definition": (
        "@misc{a,\n  title = {X},\n  publisher = acme,\n}\n@string{acme = {ACME}}\n",
        3,
        "undefined-string",
    ),
    "at sign in an @comment": (
        "@comment{Kept by jane@example.org}\n@misc{a,\n  title = {X},\n}\n",
        1,
        "syntax",
    ),
    "at sign below a line of prose": (
        "Exported from the library.\nQuestions: jane@example.org\n@misc{a,\n  title = {X},\n}\n",
        2,
        "syntax",
    ),
}


# What lint names though pybtex reads it: the file, the line, the code and the fix.
NAMED = {
    # The build prints the lone `and` as part of a name ("Ramón and Arce").
    **{
        f"an and without a name: {authors}": (
            f"@misc{{a,\n  author = {{{authors}}},\n  title = {{X}},\n  year = {{2000}},\n}}\n",
            2,
            "name-format",
            "delete the extra `and`",
        )
        for authors in ("Arias, Esther and and Arce, Ramón", "and Arce, Ramón", "Arce, Ramón and")
    },
    # pybtex keeps the second definition: the site would print "BMC Public Health".
    "a string defined again in other letters": (
        "@string{bmc = {BMC Psychiatry}}\n@string{BMC = {BMC Public Health}}\n"
        "@misc{a,\n  title = {X},\n  journal = bmc,\n}\n",
        2,
        "duplicate-string",
        "as `bmc` on line 1",
    ),
    # pybtex reads `@ article{` as an entry; bibtexparser (lint, fmt) as text.
    "an entry with a space after its at sign": (
        "@ article{b,\n  author = {A, B},\n  title = {Y},\n  year = {2001},\n}\n",
        1,
        "syntax",
        "write `@article`",
    ),
    # sympy's paper: BibTeX skips it, pybtex stops ("'(' or '{' expected"); one message.
    "a comment command without braces": (
        "@Comment Taken from http://www.sigsam.org/Resources/Software.html\n\n"
        "@misc{a,\n  title = {X},\n}\n",
        1,
        "syntax",
        "write `@comment{...}` around the text",
    ),
}


@pytest.mark.parametrize("case", list(NAMED), ids=list(NAMED))
def test_what_pybtex_reads_wrong_or_differently_is_named(capsys, tmp_path, in_dir, case):
    text, line, code, fix = NAMED[case]
    in_dir(tmp_path, house=False)
    status, findings = lint(capsys, write(tmp_path, text))
    assert status == 1
    assert [(line_, code_) for _, line_, code_, _ in findings] == [(line, code)]
    assert fix in findings[0][3]


def test_a_field_without_a_value_says_so(capsys, tmp_path, in_dir):
    text = "@misc{a,\n  title = ,\n  year = {2000},\n}\n"
    in_dir(tmp_path, house=False)
    status, findings = lint(capsys, write(tmp_path, text))
    assert status == 1
    assert [(line, code, message) for _, line, code, message in findings] == [
        (2, "value-syntax", "`title` has no value after `=`: write it in braces, "
         "`title = {...}`, or delete the line")
    ]  # fmt: skip


@pytest.mark.parametrize("case", list(BREAKING), ids=list(BREAKING))
def test_what_breaks_the_build_lint_reports_first_at_the_same_line(capsys, tmp_path, in_dir, case):

    text, line, code = BREAKING[case]
    assert build_problem(text) is not None  # the build really fails on it
    in_dir(tmp_path, house=False)
    status, findings = lint(capsys, write(tmp_path, text))
    assert status == 1
    assert (line, code) in codes(findings)
    with pytest.raises(bibfile_check.BibliographyError) as stopped:
        bibfile_check.check(tmp_path / "refs.bib")
    assert [(f.line, f.code, f.message) for f in stopped.value.findings] == [
        (line_, code_, message) for _, line_, code_, message in findings
    ]
    # The same, from the half of the check a forked child runs while the build reads.
    assert bibfile_check.diagnose(tmp_path / "refs.bib") == stopped.value.findings


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(bibtypes.TYPES)),
    present=st.sets(
        st.sampled_from(
            "author editor title journal journaltitle year date publisher booktitle school "
            "institution note organization crossref".split()
        )
    ),
)
def test_an_entry_lint_passes_always_prints(kind, present):
    """Every type, any fields: lint (no configuration) and the build agree."""

    values = {"author": "{Doe, Jane}", "editor": "{Roe, Rick}", "crossref": "{p}"}
    body = "".join(f"  {name} = {values.get(name, '{X 2001}')},\n" for name in sorted(present))
    text = f"@{kind}{{k,\n{body}}}\n@book{{p,\n  editor = {{E, F}},\n  title = {{P}},\n}}\n"
    found = checks.check_files([bibfile.parse(text)], selection=rules.configured(Path("/")))
    errors = [f for f in found if f.severity == "error"]
    problem = build_problem(text)
    if problem is not None:
        assert errors, problem


def test_lint_and_fmt_start_without_sphinx(tmp_path):
    """`citetools lint --help` and a lint of a bibliography load neither Sphinx nor docutils."""
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "".join(
            f"@article{{a{i}2020t,\n  author = {{A, B}},\n  title = {{T}},\n"
            f"  journal = {{J}},\n  year = {{2020}},\n}}\n\n"
            for i in range(50)
        ),
        encoding="utf-8",
    )
    probe = (
        "import sys\nfrom citetools.cli import main\n"
        "bib = sys.argv[1]\n"
        "for argv in (['lint', '--help'], ['lint', bib], ['fmt', '--check', bib]):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sphinx', 'docutils',"
        " 'sphinxcontrib')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(bib)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_entries_as_export_buttons_write_them(capsys, in_dir):
    """Zotero, Google Scholar and a publisher's export: printed, or a line and a fix.

    The publisher's abstract holds a `%`, which nothing prints: not a finding."""

    in_dir(BIB)
    assert build_problem((BIB / "exports.bib").read_text(encoding="utf-8")) is None
    status, findings = lint(capsys, "--isolated", "exports.bib")
    assert codes(findings) == {(38, "duplicate-url"), (56, "doi-format")}
    assert status == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        # A `%` in a URL is percent-encoding: no advice to write `\%` there.
        (
            "@misc{a,\n  note = {\\url{https://example.org/a%20b%20c%20d}},\n"
            "  howpublished = {https://example.org/x%20y},\n}\n",
            set(),
        ),
        # Four `%` on one line of text: one finding for the line.
        ("@misc{a,\n  title = {10% 20% 30% 40%},\n}\n", {(2, "unescaped-percent")}),
        # An empty DOI is empty, not also malformed.
        ("@misc{a,\n  doi = {},\n}\n", {(2, "empty-field")}),
        # The same key twice: one problem, not also a duplicate DOI and URL.
        (
            "@misc{a,\n  doi = {10.5555/x},\n  url = {https://example.org/x},\n}\n"
            "@misc{a,\n  doi = {10.5555/x},\n  url = {https://example.org/x},\n}\n",
            {(5, "duplicate-key")},
        ),
        # A `%` after a value is reported on its own line, and the next field still counts.
        (
            "@article{a,\n  author = {A, B},\n  title = {T},\n  journal = {J}, % abbrev?\n"
            "  year = {2020},\n}\n",
            {(4, "comment-in-entry")},
        ),
        # With a comma in it, as biblatex-iso690's examples write one, and a number before.
        (
            "@article{a,\n  author = {A, B},\n  title = {T},\n  journal = {J},\n"
            "  year = 2020, % print, online\n}\n",
            {(5, "comment-in-entry")},
        ),
    ],
)
def test_one_finding_per_problem_with_advice_valid_where_it_points(
    capsys, tmp_path, in_dir, text, expected
):
    in_dir(tmp_path, house=False)
    _, findings = lint(capsys, "--extend-select", "empty-field", write(tmp_path, text))
    assert codes(findings) == expected
    assert len(findings) == len(expected)


_TOKENS = [
    "@misc{", "@article(", "@string{", "@comment{", "@preamble{", "k2020t,", " title = ",
    "Title = ", "author=", "{", "}", "(", ")", '"', '\\"', "#", "%", "% c\n", "\n", " ", ",",
    "=", "x", "jan", "<<<<<<< HEAD\n", "=======\n", "10.5555/x", "\\url{http://a%20b}", "@",
    "é", "\t", "}}", "{{",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join))
@example("@misc{<<<<<<< HEAD\nk2020t,}")  # a key with a line break in it: one line still
def test_no_input_makes_lint_or_fmt_crash_or_lose_text(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "refs.bib"
    path.write_text(text, encoding="utf-8")
    for argv in (["lint", "--isolated", str(path)], ["fmt", str(path)]):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            status = main(argv)
        assert status in (0, 1, 2)
        assert all(FINDING.match(line) for line in out.getvalue().splitlines()), out.getvalue()
    if status != 0:
        assert path.read_text(encoding="utf-8") == text  # fmt refused: nothing touched


CROSSREF = """@book{parent2020volume,
  editor = {Smith, Ann},
  title = {A Volume},
  publisher = {Example Press},
  year = {2020},
}

@incollection{jones2020chapter,
  author = {Jones, Tom},
  title = {A Chapter},
  booktitle = {A Volume},
  crossref = {parent2020volume},
}

@book{other2019volume,
  editor = {Lee, Kim},
  title = {Another Volume},
  publisher = {Example Press},
  year = {2019},
}

@incollection{park2019chapter,
  author = {Park, Jo},
  title = {Another Chapter},
  booktitle = {Another Volume},
  crossref = {Other2019Volume},
}
"""


def test_a_crossref_parent_is_used_when_a_child_is_cited(capsys, tmp_path):
    (tmp_path / "refs.bib").write_text(CROSSREF, encoding="utf-8")
    (tmp_path / "page.md").write_text(
        "# A\n\nA claim {cite:p}`jones2020chapter`.\n", encoding="utf-8"
    )
    bib, pages_dir = str(tmp_path / "refs.bib"), str(tmp_path)
    main(["lint", "--isolated", "--extend-select", "unused-entry", bib, "--pages", pages_dir])
    unused = [line for line in capsys.readouterr().out.splitlines() if "unused-entry" in line]
    # Deleting the parent of a cited chapter would leave the chapter without its book.
    assert [line.split("`")[1] for line in unused] == ["other2019volume", "park2019chapter"]


def test_a_bibliography_fence_left_open_is_named_once_with_the_fix(capsys, tmp_path):
    (tmp_path / "refs.bib").write_text(CROSSREF, encoding="utf-8")
    (tmp_path / "page.md").write_text(
        "# A\n\nA claim {cite:p}`jones2020chapter`.\n\n## Sources\n\n```{bibliography}\n"
        ":filter: docname in docnames\n\n## More\n\nMore text on this page.\n",
        encoding="utf-8",
    )
    main(["lint", "--isolated", str(tmp_path / "refs.bib"), "--pages", str(tmp_path)])
    found = [line for line in capsys.readouterr().out.splitlines() if "undefined-key" in line]
    assert len(found) == 1 and found[0].startswith(f"{tmp_path / 'page.md'}:10: undefined-key")
    assert "close the fence there" in found[0]


def test_an_entry_commented_out_with_percent_is_named_with_a_fix_that_works(capsys, tmp_path):
    entry = "@misc{b2021y,\n  title = {B},\n  year = {2021},\n}\n"
    hidden = "".join(f"% {line}\n" for line in entry.splitlines())
    path = tmp_path / "refs.bib"
    path.write_text(f"{entry.replace('b2021y', 'a2020x')}\n{hidden}", encoding="utf-8")
    assert main(["lint", "--isolated", str(path)]) == 1
    (first,) = capsys.readouterr().out.splitlines()  # not again at its `%` lines
    assert first.startswith(f"{path}:6: commented-out-entry `@misc{{b2021y,` is commented out")
    fixed = path.read_text(encoding="utf-8").replace("% @misc", "% misc")
    assert "(`% misc{b2021y,`)" in first and build_problem(fixed) is None
    path.write_text(fixed, encoding="utf-8")
    assert main(["lint", "--isolated", str(path)]) == 0


def test_bibtexs_own_comment_commented_out_is_no_entry(capsys, tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(
        "% @comment{Old notes from the 2025 edition}\n@misc{a2020x,\n  title = {A},\n}\n",
        encoding="utf-8",
    )
    assert main(["lint", "--isolated", str(path)]) == 0
