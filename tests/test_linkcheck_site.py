"""The real site's link checking, without the network: what linkcheck will see, and why
each exception to checking is there."""

from __future__ import annotations

import ast
import io
import tokenize

import pytest
from bs4 import BeautifulSoup

from citetools import bibfile
from citetools.linkcheck import doi

from conftest import PROJECT

#: Settings whose every item excuses some link from a check.
EXCEPTIONS = {
    "linkcheck_ignore",
    "linkcheck_anchors_ignore",
    "linkcheck_anchors_ignore_for_url",
    "linkcheck_exclude_documents",
    "linkcheck_allowed_redirects",
    "linkcheck_auth",
}


def test_references_page_links_every_url_doi_and_archive(site_html):
    page = BeautifulSoup((site_html / "references.html").read_text(encoding="utf-8"), "html.parser")
    hrefs = {a["href"] for a in page.select("a[href]")}
    for entry in bibfile.read(PROJECT / "references.bib").entries:
        fields = entry.fields
        dead = fields.get("urlstatus", "").lower() == "dead" and "archiveurl" in fields
        if "doi" in fields:
            assert doi.reader_link(fields["doi"]) in hrefs, entry.key
        if "archiveurl" in fields:
            assert fields["archiveurl"] in hrefs, entry.key
        if "url" in fields and dead:
            # Readers get the archived copy; the dead original is neither linked nor checked.
            assert fields["url"] not in hrefs, entry.key
        elif "url" in fields:
            assert fields["url"] in hrefs, entry.key


def _comment_lines(source: str) -> set[int]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {token.start[0] for token in tokens if token.type == tokenize.COMMENT}


def test_every_exception_to_link_checking_gives_its_reason():
    source = (PROJECT / "conf.py").read_text(encoding="utf-8")
    comments = _comment_lines(source)
    checked = 0
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign):
            continue
        names = {target.id for target in node.targets if isinstance(target, ast.Name)}
        if not names & EXCEPTIONS:
            continue
        items = node.value.keys if isinstance(node.value, ast.Dict) else node.value.elts
        for item in items:
            # A comment on the item's line or on a line of its own just above it.
            assert {item.lineno, item.lineno - 1} & comments, (
                f"conf.py:{item.lineno}: say why next to this exception to link checking"
            )
            checked += 1
    assert checked >= 1  # the test reads the settings it means to


@pytest.mark.parametrize(
    ("uri", "checked"),
    [
        (
            "https://doi.org/10.1186/s12888-018-1836-2",
            "https://doi.org/api/handles/10.1186/s12888-018-1836-2",
        ),
        (
            "http://dx.doi.org/10.1002/(SICI)1097-4571#x",
            "https://doi.org/api/handles/10.1002/%28SICI%291097-4571",
        ),
        ("https://example.org/10.1/x", "https://example.org/10.1/x"),
    ],
)
def test_doi_links_are_checked_at_the_registration_api(uri, checked):
    assert doi.checked_uri(uri, "https://doi.org") == checked
