"""A page loads only the theme's stylesheets, scripts and icons it uses."""

from __future__ import annotations

import pytest

from citetools.sphinxext.page_weight import CODE_CSS, SEARCH_ONLY_JS, UNUSED_CSS

from conftest import page

ROOT = "page-weight"


def _assets(html, tag: str, attr: str) -> set[str]:
    names = (element[attr].split("?")[0] for element in html.find_all(tag, attrs={attr: True}))
    return {name.removeprefix("_static/") for name in names}


def _stylesheets(html) -> set[str]:
    return {n for n in _assets(html, "link", "href") if n.endswith(".css")}


@pytest.mark.sphinx("html", testroot=ROOT)
def test_a_page_without_code_loads_no_code_colours_and_no_unused_styles(built):
    styles = _stylesheets(page(built))
    assert "styles/furo.css" in styles
    assert not styles & (UNUSED_CSS | {CODE_CSS})


@pytest.mark.sphinx("html", testroot=ROOT)
def test_a_page_with_code_keeps_its_colours(built):
    html = page(built, "code.html")
    assert CODE_CSS in _stylesheets(html)
    assert html.select(".highlight")


@pytest.mark.sphinx("html", testroot=ROOT)
def test_search_helpers_load_only_on_the_search_page(built):
    assert not _assets(page(built), "script", "src") & SEARCH_ONLY_JS
    assert SEARCH_ONLY_JS <= _assets(page(built, "search.html"), "script", "src")


@pytest.mark.sphinx("html", testroot=ROOT)
def test_a_page_keeps_the_icons_it_shows_and_one_viewport(built):
    for name in ("index.html", "code.html", "search.html"):
        html = page(built, name)
        used = {use["href"].removeprefix("#") for use in html.find_all("use")}
        symbols = {symbol["id"] for symbol in html.select("svg > symbol[id]")}
        assert symbols == used, name
        assert len(html.find_all("meta", attrs={"name": "viewport"})) == 1, name
