"""What a shared link or a search result shows of a page: its opening sentences as a reader
would say them, without parenthetical citations, cut at a word."""

from __future__ import annotations

import pytest

from conftest import page


def descriptions(app, name):
    html = page(app, name)
    meta = html.find_all("meta", attrs={"name": "description"})
    og = html.find_all("meta", property="og:description")
    assert len(meta) == len(og) == 1
    return meta[0]["content"], og[0]["content"]


@pytest.mark.sphinx("html", testroot="share-descriptions")
def test_the_description_is_the_opening_without_parenthetical_citations(built):
    description, og = descriptions(built, "index.html")
    assert description == og
    assert description.startswith(
        "Training changes what officers know. Puntis et al. (2018) found few evaluations"
    )
    assert "Rogers" not in description and "( " not in description


@pytest.mark.sphinx("html", testroot="share-descriptions")
def test_a_long_opening_is_cut_at_a_word_within_the_configured_length(built):
    description, _ = descriptions(built, "index.html")
    assert len(description) <= built.config.share_description_length
    assert description.endswith("runs…")


@pytest.mark.sphinx("html", testroot="share-descriptions")
def test_a_page_with_its_own_description_keeps_it(built):
    assert (
        descriptions(built, "own.html") == ("The page's own summary, written by its authors.",) * 2
    )


@pytest.mark.sphinx(
    "epub", testroot="share-descriptions", confoverrides={"version": "1", "copyright": "2026"}
)
def test_the_epub_gets_no_generated_description(built):
    assert not page(built, "index.xhtml").find_all("meta", attrs={"name": "description"})


@pytest.mark.sphinx("html", testroot="share-descriptions")
def test_a_citation_needed_marker_is_not_part_of_the_description(built):
    assert (
        descriptions(built, "unsourced.html")[0] == "Peer teams answer most calls. They cost less."
    )
