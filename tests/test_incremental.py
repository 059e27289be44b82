"""Incremental builds show what a clean build shows: pages another builder read again are
written again, and a page that warned warns again until it is fixed."""

from __future__ import annotations

import re
import shutil

from conftest import ROOTS, page

ROOT = "incremental"
TITLE = "Effectiveness of Police Crisis Intervention Training Programs"


def _source(tmp_path):
    return shutil.copytree(ROOTS / f"test-{ROOT}", tmp_path / "src")


def _warnings(app) -> list[str]:
    return re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue()).splitlines()


def test_a_bib_edit_reaches_the_builder_that_runs_second(make_app, tmp_path):
    # As `make html` runs them: the ePub, then the HTML, from one doctree directory.
    source = _source(tmp_path)
    for builder in ("epub", "html"):
        make_app(builder, srcdir=source).build()
    bib = source / "refs.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace(TITLE, "Retitled"), encoding="utf-8")
    for builder in ("epub", "html"):
        make_app(builder, srcdir=source).build()
    assert "Retitled" in page(make_app("html", srcdir=source), "index.html").get_text()
    assert TITLE not in page(make_app("html", srcdir=source), "index.html").get_text()


def test_a_page_warns_again_until_it_is_fixed(make_app, tmp_path):
    source = _source(tmp_path)
    other = source / "other.md"
    written = other.read_text(encoding="utf-8")
    other.write_text(written.replace("puntis2018systematic", "puntis2018", 1), encoding="utf-8")
    for builder in ("html", "html", "epub", "html"):
        app = make_app(builder, srcdir=source)
        app.build()
        (warning,) = [w for w in _warnings(app) if "could not find bibtex key" in w]
        assert warning.startswith(f"{other}:3: WARNING:"), builder
    other.write_text(written, encoding="utf-8")
    for builder in ("html", "epub", "html"):
        app = make_app(builder, srcdir=source)
        app.build()
        assert not [w for w in _warnings(app) if str(source) in w], builder
