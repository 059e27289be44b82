"""The citation-needed marker and the page that lists every marker."""

import re

import pytest

from conftest import page


@pytest.mark.sphinx("html", testroot="citation-needed")
def test_marker_is_a_visible_superscript_carrying_its_reason(built):
    markers = page(built, "page.html").select("sup.citation-needed")
    assert [m.find("a").get_text() for m in markers] == ["[citation needed]"] * 2
    first = markers[0].find("a")
    assert first["title"] == "Dispatch records show gaps, not steering"
    assert first["data-reason"] == first["title"]
    assert markers[0].find(class_="citation-needed-reason").get_text() == first["title"]


@pytest.mark.sphinx("html", testroot="citation-needed")
def test_marker_links_to_its_entry_on_the_report(built):
    link = page(built, "page.html").select_one("sup#citation-needed-2 a")
    target, anchor = link["href"].split("#")
    assert target == "report.html"
    item = page(built, "report.html").find(id=anchor)
    assert "Why a source is needed: Only one case is documented" in item.get_text()


@pytest.mark.sphinx("html", testroot="citation-needed")
def test_report_lists_every_marker_with_its_claim_and_a_link_back(built):
    report = page(built, "report.html")
    assert "3 claims on 2 pages await a source." in report.get_text()
    items = report.select("li[id]")
    assert [i.find("a")["href"] for i in items] == [
        "index.html#citation-needed-1",
        "page.html#citation-needed-1",
        "page.html#citation-needed-2",
    ]
    claims = [" ".join(i.find("a").get_text().split()) for i in items]
    assert claims == [
        "The sky is green.",
        "Police retain control of dispatch.",
        "Another paragraph with emphasis before the marker.",
    ]


@pytest.mark.sphinx("html", testroot="citation-needed")
def test_build_reports_the_count(built):
    assert re.search(r"citation needed: 3 claims await a source", built.status.getvalue())


@pytest.mark.sphinx("html", testroot="citation-needed-empty")
def test_marker_without_reason_is_a_warning_at_its_line(app):
    app.build()
    warnings = app.warning.getvalue()
    assert "index.md:3: WARNING: citation-needed marker without a reason" in warnings


@pytest.mark.sphinx("html", testroot="citation-needed-empty")
def test_one_marker_is_counted_in_the_singular(app):
    app.build()
    assert "citation needed: 1 claim awaits a source" in app.status.getvalue()
