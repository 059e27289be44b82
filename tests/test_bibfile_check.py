"""A malformed bibliography stops the build with one message: the file, the line, the fix."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from citetools.cli import main
from citetools.sphinxext.bibfile_check import EXIT_STATUS

from conftest import ROOTS, page, recording_build, sphinx_build

ROOT = "bibfile-check"
# Lint's rules, which only the check runs (the build reads the file for pybtex itself).
CHECK = "citetools.sphinxext.bibfile_check:_check_all"  # the check, in the build process


@pytest.mark.sphinx("html", testroot=ROOT)
def test_a_sound_bibliography_builds_and_is_cited(built):
    assert "Rogers" in page(built).select_one(".citation").get_text()


def _build_with(tmp_path, edit) -> str:
    """Build a copy of the root whose refs.bib ``edit`` changed, as a contributor runs
    sphinx-build (in a process of its own: the build stops while Sphinx starts, before
    sphinx.testing could undo what Sphinx registered); return what they see."""
    site = shutil.copytree(ROOTS / f"test-{ROOT}", tmp_path / "site")
    bib = site / "refs.bib"
    bib.write_bytes(edit(bib.read_bytes()))
    result = sphinx_build(site, tmp_path / "html")
    assert result.returncode == EXIT_STATUS, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stderr


def _line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


def test_a_missing_comma_names_the_file_line_and_usual_cause(tmp_path):
    original = (ROOTS / f"test-{ROOT}" / "refs.bib").read_bytes()
    shown = _build_with(tmp_path, lambda b: b.replace(b"2019},", b"2019}", 1))
    (message,) = [line for line in shown.splitlines() if "refs.bib" in line]
    line = _line_of(original, b"2019},")
    assert f"refs.bib:{line}: ERROR: missing-comma missing comma after the value of `year`" in (
        message
    )
    assert message.endswith(f"add `,` at the end of line {line}, before `doi =`")


def test_a_repeated_key_names_the_line_of_the_repeat(tmp_path):
    def repeat(data: bytes) -> bytes:
        return data.replace(b"@article{puntis2018systematic", b"@article{rogers2019effectiveness")

    shown = _build_with(tmp_path, repeat)
    line = _line_of((ROOTS / f"test-{ROOT}" / "refs.bib").read_bytes(), b"@article{puntis")
    assert f"refs.bib:{line}: ERROR: duplicate-key duplicate key `rogers2019effectiveness`" in shown
    assert "merge the two entries or rename one" in shown


def test_a_file_not_saved_as_utf8_names_the_line_of_the_bad_byte(tmp_path):
    # A title's quotation mark as a Windows editor saves it (cp1252).
    original = (ROOTS / f"test-{ROOT}" / "refs.bib").read_bytes()
    shown = _build_with(tmp_path, lambda b: b.replace("‘".encode(), b"\x91"))
    assert f"refs.bib:{_line_of(original, '‘'.encode())}: ERROR: not-utf8 not UTF-8" in shown


# Whatever lint reports as breaking the build, the build stops on, with the same line
# and message (one reading, one diagnosis), and never with a crash report.
BREAKING = {
    "report": (b"@article{puntis2018systematic", b"@report{puntis2018systematic", "missing-field"),
    "unknown": (b"@article{puntis2018systematic", b"@artcle{puntis2018systematic", "unknown-type"),
    "comment": (b"  year = {2018},", b"  year = {2018}, % check", "comment-in-entry"),
    "case": (b"  year = {2018},", b"  year = {2018},\n  Year = {2019},", "duplicate-field"),
    "backslash": (b"Rogers, Michael S. and", b"Rogers, Michael S.\\ and", "trailing-backslash"),
    # The entry ends at `}}`: the site printed it without its pages and DOI.
    "closed early": (b"  volume = {18},", b"  volume = {18}},", "field-outside-entry"),
}


@pytest.mark.parametrize("case", list(BREAKING))
def test_the_build_stops_where_lint_points(tmp_path, capsys, case):
    before, after, code = BREAKING[case]
    shown = _build_with(tmp_path, lambda b: b.replace(before, after, 1))
    assert main(["lint", "--isolated", str(tmp_path / "site" / "refs.bib")]) == 1
    linted = [line for line in capsys.readouterr().out.splitlines() if f": {code} " in line]
    assert linted
    for line in linted:
        path, number, message = line.split(":", 2)
        assert f"{path}:{number}: ERROR:{message}" in shown


@pytest.mark.sphinx("html", testroot="bibtypes")
def test_biblatex_types_print_in_author_year_form(built):
    """@report, @online, @mvbook, @thesis, @collection, @periodical, @patent, @manual."""
    text = " ".join(page(built).get_text().split())
    for label, title in [
        ("Chiu and Chow, 1978", "A Hybrid Hierarchical Model"),
        ("Baez and Lauda, 2004", "Higher-Dimensional Algebra V"),
        ("Aristotle, 1877", "The Rhetoric of Aristotle"),
        ("de Geer, 1985", "Earl, Saint, Bishop, Skald"),
        ("Matuz, 1990", "Contemporary Literary Criticism"),
        ("Computers and Graphics, 2011", "Computers and Graphics"),
        ("Almendro et al., 1998", "Elektromagnetisches Signalhorn"),
        ("The Chicago Manual of Style, 2003", "The Chicago Manual of Style"),
    ]:
        assert f"[{label}]" in text, label
        assert title.lower() in text.lower(), title


@pytest.mark.parametrize("fork", [True, False])
def test_the_file_is_checked_while_the_extensions_load(tmp_path, fork):
    site = shutil.copytree(ROOTS / f"test-{ROOT}", tmp_path / "site")
    out = tmp_path / "html"
    checked_here = recording_build(site, out, CHECK, (0, "name"), fork=fork)
    html = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "Rogers" in html.select_one(".citation").get_text()
    assert checked_here == ([] if fork else [site.name])  # _check_all(confdir, names)


# The child of a build: the test's process has threads alive (the browser tests'),
# and a child forked from it could find a lock held forever.
_CHILD_RACE = """
import json, sys, time
from pathlib import Path
from citetools.sphinxext import bibfile_check, forking

confdir, when = Path(sys.argv[1]), sys.argv[2]
names = ["refs.bib"]
calls = {"_read_all": 0, "_breaking": 0}
for name in calls:
    def counted(*args, original=getattr(bibfile_check, name), name=name):
        calls[name] += 1
        return original(*args)
    setattr(bibfile_check, name, counted)
write_record = forking.write_record
written = []
def late_record(results, value):  # the child is slow to check ("check") or to read ("read")
    if (when, len(written)) in {("check", 0), ("read", 1)}:
        time.sleep(1)
    written.append(None)
    write_record(results, value)
forking.write_record = late_record
child = forking.Forked(lambda results: bibfile_check._check_then_read(confdir, names, results))
while when == "done" and not child.finished():
    time.sleep(0.01)

def shown(checked):
    return [
        [f.text() for f in result.findings]
        if isinstance(result, bibfile_check.BibliographyError)
        else {key: dict(entry.fields) for key, entry in result.entries.items()}
        for result in checked
    ]

from_child = shown(bibfile_check._from_child(child, confdir, names))
in_build = dict(calls)
print(json.dumps([from_child, in_build, shown(bibfile_check._check_all(confdir, names))]))
"""


@pytest.mark.parametrize("case", [None, "missing comma", *BREAKING])
@pytest.mark.parametrize("when", ["done", "check", "read"])
def test_what_the_child_finished_is_taken_and_the_rest_read_here(tmp_path, when, case):
    """Finished before the build needs it, the child's reading is taken; else the build
    reads the file itself and takes only the check. Either way, what check() gives."""
    site = shutil.copytree(ROOTS / f"test-{ROOT}", tmp_path / "site")
    bib = site / "refs.bib"
    if case is not None:
        before, after = (b"2019},", b"2019}") if case == "missing comma" else BREAKING[case][:2]
        bib.write_bytes(bib.read_bytes().replace(before, after, 1))
    run = subprocess.run(
        [sys.executable, "-c", _CHILD_RACE, str(site), when],
        capture_output=True,
        text=True,
        check=True,
    )
    from_child, in_build, checked_here = json.loads(run.stdout)
    assert from_child == checked_here
    assert isinstance(from_child[-1], dict) == (case is None)  # a reading, or the messages
    assert in_build == {"_read_all": 0 if when == "done" else 1, "_breaking": 0}
