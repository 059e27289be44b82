"""A malformed bibliography stops the build with one message: the file, the line, the fix."""

from __future__ import annotations

import shutil

import pytest

from citetools.sphinxext.bibfile_check import EXIT_STATUS, HINT

from conftest import ROOTS, page, sphinx_build

ROOT = "bibfile-check"


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
    assert f"refs.bib:{_line_of(original, b'2019},') + 1}: ERROR: syntax error" in message
    assert message.endswith(HINT)


def test_a_repeated_key_names_the_line_of_the_repeat(tmp_path):
    def repeat(data: bytes) -> bytes:
        return data.replace(b"@article{puntis2018systematic", b"@article{rogers2019effectiveness")

    shown = _build_with(tmp_path, repeat)
    line = _line_of((ROOTS / f"test-{ROOT}" / "refs.bib").read_bytes(), b"@article{puntis")
    assert f"refs.bib:{line}: ERROR: " in shown
    assert "rogers2019effectiveness" in shown and "give each entry its own key" in shown


def test_a_file_not_saved_as_utf8_names_the_line_of_the_bad_byte(tmp_path):
    # A title's quotation mark as a Windows editor saves it (cp1252).
    original = (ROOTS / f"test-{ROOT}" / "refs.bib").read_bytes()
    shown = _build_with(tmp_path, lambda b: b.replace("‘".encode(), b"\x91"))
    assert f"refs.bib:{_line_of(original, '‘'.encode())}: ERROR: not UTF-8" in shown
