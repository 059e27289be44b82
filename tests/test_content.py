"""The published FAQ keeps the authors' words and marks what the research could not source."""

import re

import pytest
from bs4 import BeautifulSoup

from conftest import PROJECT

SEED = PROJECT / "tests" / "data" / "seed-faq.txt"
PAGES = ["index"] + [f"faq/{p.stem}" for p in sorted((PROJECT / "faq").glob("*.md"))]

# The claims the source dossier could not support as written, and where they stand.
UNSUPPORTED = [
    ("index", "Top 10 Reasons to Just Say No"),
    ("faq/incremental-change", "plenty of evidence showing the harms"),
    ("faq/incremental-change", "police have steered calls away from non-police programs"),
    ("faq/police-and-safety", "there’s zero evidence it has improved outcomes"),
    ("faq/police-and-safety", "have killed people in mental distress"),
    ("faq/police-and-safety", "following the federal CDC"),
    ("faq/police-and-safety", "Why doesn’t CIT International promote"),
    ("faq/police-and-safety", "hundreds of thousands of calls"),
    ("faq/police-and-safety", "folks in crisis just aren’t dangerous"),
    ("faq/social-workers", "rely heavily on coercive interventions"),
    ("faq/community-organizations", "regularly complain about their treatment"),
    ("faq/domestic-violence", "most victims of abuse never call the police"),
    ("faq/domestic-violence", "DCF is going to get involved in your family"),
]


def normalise(text: str) -> str:
    return re.sub(r"\s+([,.;:!?)])", r"\1", " ".join(text.split()))


def authors_text(site, name: str) -> str:
    """What the authors wrote on a page: without citations, markers and editor's notes."""
    soup = BeautifulSoup((site / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article")
    for added in article.select(
        "span.bibtex-citation, sup.citation-needed, div.admonition, a.headerlink, #sources"
    ):
        added.decompose()
    return normalise(article.get_text(" "))


def seed_paragraphs():
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"^\s*(?:Q: |A: |•\s*)", "", line).strip()
        if line and line not in {"Co-responder FAQ", "Further reading"}:
            yield normalise(line)


def test_every_paragraph_of_the_authors_is_published_word_for_word(site_html):
    published = " ".join(authors_text(site_html, name) for name in PAGES)
    missing = [p for p in seed_paragraphs() if p not in published]
    assert missing == []


@pytest.mark.parametrize(("name", "claim"), UNSUPPORTED)
def test_unsupported_claim_carries_the_marker(site_html, name, claim):
    report = BeautifulSoup(
        (site_html / "claims-awaiting-sources.html").read_text(encoding="utf-8"), "html.parser"
    )
    claims = [
        normalise(li.find("a").get_text())
        for li in report.select("article li[id]")
        if li.find("a")["href"].startswith(f"{name}.html#")
    ]
    assert any(claim in c for c in claims), claims


def test_cit_international_passage_is_a_block_quote(site_html):
    soup = BeautifulSoup(
        (site_html / "faq/police-and-safety.html").read_text(encoding="utf-8"), "html.parser"
    )
    quote = normalise(soup.find("article").find("blockquote").get_text(" "))
    assert quote.startswith("“The presence of law enforcement at a mental health crisis event")
    assert "Simply putting a clinician in a police car does not address these concerns." in quote


def test_home_page_opens_with_the_definition(site_html):
    soup = BeautifulSoup((site_html / "index.html").read_text(encoding="utf-8"), "html.parser")
    first = normalise(soup.find("article").find("p").get_text(" "))
    assert first.startswith("Definition: “Co-responders” are social workers")
