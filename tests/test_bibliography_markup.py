"""Each bibliography is a plain list, in the browser and in the ePub: no deprecated ARIA role."""

from __future__ import annotations

import pytest

from conftest import page


@pytest.mark.parametrize(
    "builder, name",
    [
        pytest.param(
            "html", "index.html", marks=pytest.mark.sphinx("html", testroot="bibliography-markup")
        ),
        pytest.param(
            "epub", "index.xhtml", marks=pytest.mark.sphinx("epub", testroot="bibliography-markup")
        ),
    ],
)
def test_each_bibliography_is_one_plain_list_of_its_entries(built, builder, name):
    html = page(built, name)
    lists = html.select("ul.citation-list")
    entries = [[li.get_text(" ", strip=True) for li in ul.find_all("li")] for ul in lists]
    assert [len(items) for items in entries] == [1, 1]
    assert "Effectiveness of police crisis intervention" in entries[0][0]
    assert "A systematic review of co-responder models" in entries[1][0]
    assert not html.select('[role="doc-biblioentry"], [role="list"]')
