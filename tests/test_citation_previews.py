"""Citation previews: the web pages load the preview scripts and drop titles the preview
repeats; the ePub, which has no previews, keeps every title and loads no script."""

from __future__ import annotations

import pytest

from citetools.sphinxext.citation_previews import SCRIPTS

from conftest import page

ENTRY = "Effectiveness of police crisis intervention training programs"


def _citation(html):
    (link,) = html.select(".bibtex-citation a")
    return link


@pytest.mark.sphinx("html", testroot="citation-previews")
def test_web_pages_load_the_preview_scripts_deferred(built):
    scripts = {s["src"].split("/")[-1]: s for s in page(built).find_all("script", src=True)}
    for name in SCRIPTS:
        assert scripts[name].has_attr("defer"), name


@pytest.mark.sphinx("html", testroot="citation-previews")
def test_a_citation_of_an_entry_on_its_own_page_carries_no_repeated_title(built):
    assert not _citation(page(built)).has_attr("title")
    # On another page the preview comes from the title: it stays.
    assert ENTRY in _citation(page(built, "other.html"))["title"]


@pytest.mark.sphinx("epub", testroot="citation-previews")
def test_the_epub_keeps_titles_and_loads_no_preview_script(built):
    html = page(built, "index.xhtml")
    assert ENTRY in _citation(html)["title"]
    assert not [s for s in html.find_all("script", src=True) if s["src"].endswith(SCRIPTS)]
