"""How one entry reads: labels, titles, links, access dates and archived copies."""

import pytest
from bibbuild import read
from bs4 import BeautifulSoup

from citetools.sphinxext.bibstyle import AuthorYearLabels


@pytest.fixture
def page(app):
    app.build()
    assert app.warning.getvalue() == ""
    return BeautifulSoup((app.outdir / "index.html").read_text(), "html.parser")


def text_of(element):
    return " ".join(element.get_text().split())


def entry(page, key):
    item = page.find("li", id=key)
    assert item is not None, f"no entry with anchor #{key}"
    return item


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_citations_read_author_year(page):
    text = text_of(page.find("p"))
    assert "Parenthetical (Rogers et al., 2019)." in text
    assert "Textual Rogers et al. (2019)." in text
    assert "Two textual Byrne (2023a) and Byrne (2023b)." in text
    assert "With page (see Office of the City Comptroller, 2025, p. 12)." in text


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_same_author_and_year_get_letters_in_text_and_list(page):
    text = text_of(page.find("p"))
    assert "Same author and year (Byrne, 2023a; Byrne, 2023b)." in text
    assert entry(page, "byrne2023direction").find(class_="label").get_text() == "[Byrne, 2023a]"
    assert entry(page, "byrne2023grows").find(class_="label").get_text() == "[Byrne, 2023b]"


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_every_citation_link_lands_on_an_entry_with_the_same_label(page):
    links = page.select("span.bibtex-citation a[href^='#']")
    assert len(links) == 7
    for link in links:
        label = entry(page, link["href"][1:]).find(class_="label").get_text().strip("[]")
        assert link.get_text() in label


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_titles_keep_their_capitalisation(page):
    assert (
        "A step in the right direction? Council weighs options."
        in entry(page, "byrne2023direction").get_text()
    )
    assert "Co-response grows in Greenfield." in entry(page, "byrne2023grows").get_text()
    assert "Renée L. Binder" in text_of(entry(page, "rogers2019effectiveness"))


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_doi_is_a_link_and_not_repeated_as_url(page):
    item = entry(page, "rogers2019effectiveness")
    hrefs = [a["href"] for a in item.find_all("a", class_="external")]
    assert hrefs == ["https://doi.org/10.29158/JAAPL.003863-19"]
    assert "doi:10.29158/JAAPL.003863-19" in item.get_text()


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_web_source_shows_url_and_access_date(page):
    item = entry(page, "byrne2023grows")
    assert [a["href"] for a in item.find_all("a", class_="external")] == [
        "https://news.example/grows"
    ]
    assert "(accessed 2026-11-27)" in item.get_text()


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_live_source_with_archive_offers_both(page):
    item = entry(page, "office2025audit")
    hrefs = [a["href"] for a in item.find_all("a", class_="external")]
    assert hrefs == [
        "https://comptroller.example/audit",
        "https://archive.example/2025/https://comptroller.example/audit",
    ]
    assert "original link dead" not in item.get_text()


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_dead_source_links_its_archived_copy_instead(page):
    item = entry(page, "byrne2023direction")
    hrefs = [a["href"] for a in item.find_all("a", class_="external")]
    assert hrefs == ["https://archive.example/2024/https://news.example/direction"]
    text = text_of(item)
    assert "(archived 2024-01-05) (original link dead)" in text


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_bibliography_is_a_plain_list_without_deprecated_roles(page):
    html = str(page)
    assert "doc-biblioentry" not in html
    assert 'role="list"' not in html
    assert len(page.select("ul.citation-list > li.citation")) == 4


def test_a_crossref_child_is_labelled_with_what_it_takes_from_its_parent():
    data = read(
        "@book{parent2020volume, editor = {Smith, Ann}, title = {A Volume}, year = {2020}}\n"
        "@incollection{jones2020chapter, author = {Jones, Tom}, title = {A Chapter},"
        " crossref = {parent2020volume}}\n"
        "@incollection{anon2020chapter, title = {Unsigned}, crossref = {parent2020volume}}\n"
    )
    labels = AuthorYearLabels(data.entries).labels
    # As the entry prints: the book's year, and its editor where the chapter has no author.
    assert labels["jones2020chapter"] == "Jones, 2020"
    assert labels["anon2020chapter"] == "Smith, 2020a"
    assert labels["parent2020volume"] == "Smith, 2020b"
