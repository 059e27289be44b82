"""The real site as a reader finds it: pages, citations, sources, references."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from citetools.bibfile import read
from citetools.sphinxext.bibstyle import DOI_RESOLVER, plain

from conftest import PROJECT

FAQ_PAGES = sorted(p.stem for p in (PROJECT / "faq").glob("*.md"))
ENTRIES = read(PROJECT / "references.bib").entries


def page(site: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")


def text_of(element) -> str:
    return " ".join(element.get_text().split())


def citation_links(soup: BeautifulSoup):
    return soup.select("article span.bibtex-citation a[href^='#']")


def _questions_asked() -> list[str]:
    """The questions of the authors' text (its "Q:" lines), as readers see them."""
    seed = (PROJECT / "tests/data/seed-faq.txt").read_text(encoding="utf-8")
    return [" ".join(q.split()) for q in re.findall(r"^\s*Q: (.+)$", seed, re.MULTILINE)]


def _title(soup: BeautifulSoup) -> str:
    heading = soup.find("h1")
    for link in heading.select("a.headerlink"):
        link.decompose()
    return text_of(heading)


def test_each_question_of_the_authors_is_one_page_titled_with_it(site_html):
    titles = [_title(page(site_html, f"faq/{name}.html")) for name in FAQ_PAGES]
    assert sorted(titles) == sorted(_questions_asked())


def test_home_page_links_every_question(site_html):
    home = page(site_html, "index.html")
    links = {a["href"] for a in home.select("article a[href^='faq/']")}
    assert {f"faq/{name}.html" for name in FAQ_PAGES} <= links


def test_only_the_sites_pages_are_built(site_html):
    assert not (site_html / "README.html").exists()
    assert not (site_html / "CONTRIBUTING.html").exists()
    assert not list(site_html.glob("tests/**/*.html"))


@pytest.mark.parametrize("name", FAQ_PAGES)
def test_every_answer_cites_and_lists_its_own_sources(site_html, name):
    soup = page(site_html, f"faq/{name}.html")
    links = citation_links(soup)
    assert links, f"faq/{name} has no citation"
    sources = soup.find("section", id="sources")
    assert sources is not None, f"faq/{name} has no Sources section"
    listed = {li["id"] for li in sources.select("li.citation")}
    cited = {a["href"][1:] for a in links}
    assert cited == listed


@pytest.mark.parametrize("name", ["index"] + [f"faq/{n}" for n in FAQ_PAGES])
def test_citation_label_matches_the_entry_here_and_on_references(site_html, name):
    soup = page(site_html, f"{name}.html")
    references = page(site_html, "references.html")
    for link in citation_links(soup):
        key = link["href"][1:]
        for where in (soup, references):
            item = where.find("li", id=key)
            assert item is not None, f"{name}: #{key} missing"
            label = item.find(class_="label").get_text().strip("[]")
            assert link.get_text() in label, (link.get_text(), label)


def test_references_page_lists_every_entry_of_the_bibliography(site_html):
    references = page(site_html, "references.html")
    listed = [li["id"] for li in references.select("li.citation")]
    assert sorted(listed) == sorted(e.key for e in ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.key)
def test_reference_shows_title_as_written_and_its_links(site_html, entry):
    item = page(site_html, "references.html").find("li", id=entry.key)
    text = text_of(item)
    assert plain(entry.fields["title"]) in text
    hrefs = {a["href"] for a in item.find_all("a", class_="external")}
    fields = entry.fields
    if "doi" in fields:
        assert DOI_RESOLVER + fields["doi"] in hrefs
    if fields.get("urlstatus") == "dead":
        assert fields["archiveurl"] in hrefs
        assert "(original link dead)" in text
    elif "url" in fields:
        assert fields["url"] in hrefs
        if "doi" not in fields:
            assert f"(accessed {fields['urldate']})" in text


def test_build_counts_the_claims_awaiting_sources(site_html):
    log = (site_html / "build.log").read_text()
    report = page(site_html, "claims-awaiting-sources.html")
    listed = report.select("article li[id]")
    assert f"citation needed: {len(listed)} claims await a source" in log


def test_every_marker_is_on_the_report_with_its_reason(site_html):
    report = page(site_html, "claims-awaiting-sources.html")
    reported = {li.find("a")["href"]: text_of(li) for li in report.select("article li[id]")}
    markers = 0
    for name in ["index"] + [f"faq/{n}" for n in FAQ_PAGES]:
        for sup in page(site_html, f"{name}.html").select("sup.citation-needed"):
            markers += 1
            link = sup.find("a")
            assert link.get_text() == "[citation needed]"
            reason = link["title"]
            assert reason
            href = f"{name}.html#{sup['id']}"
            assert href in reported, f"{href} not on the report"
            assert f"Why a source is needed: {reason}" in reported[href]
    assert markers == len(reported)


def test_sources_and_method_explains_markers_and_broken_links(site_html):
    text = text_of(page(site_html, "sources-and-method.html").find("article"))
    assert "[citation needed]" in text
    assert "broken" in text.lower()
