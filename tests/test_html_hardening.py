"""The finished pages' privacy, security and accessibility fixes, as a browser reads them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from docutils import nodes

from citetools.sphinxext.html_hardening import csp_hash, mark_external_references
from citetools.sphinxext.html_pages import add_rewrite

from conftest import page

ROOT = "html-hardening"


def _policy(html) -> dict[str, list[str]]:
    (meta,) = html.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
    return {d.split()[0]: d.split()[1:] for d in meta["content"].split("; ")}


@pytest.mark.sphinx("html", testroot=ROOT)
def test_the_policy_comes_first_and_allows_only_the_pages_own_inline_code(built):
    html = page(built)
    metas = html.head.find_all("meta")
    assert metas[0].has_attr("charset")
    assert metas[1]["http-equiv"] == "Content-Security-Policy"
    policy = _policy(html)
    inline_scripts = [s.string or "" for s in html.find_all("script") if not s.get("src")]
    inline_styles = [s.string or "" for s in html.find_all("style")]
    assert inline_scripts and inline_styles  # the theme's, which the policy must allow
    assert policy["script-src"] == ["'self'", *sorted({csp_hash(s) for s in inline_scripts})]
    assert policy["style-src"] == ["'self'", *sorted({csp_hash(s) for s in inline_styles})]
    assert policy["object-src"] == ["'none'"]
    assert not html.find_all(style=True)


@pytest.mark.sphinx("html", testroot=ROOT)
def test_links_that_leave_the_site_send_no_referrer(built):
    html = page(built)
    assert html.find("meta", attrs={"name": "referrer"})["content"] == "no-referrer"
    rels = {a["href"]: a.get("rel") for a in html.select("a.reference")}
    assert rels["https://journals.example/study"] == ["noopener", "noreferrer"]
    assert rels["https://example.org/faq/other.html"] is None
    assert rels["#who-answers-the-call"] is None


@pytest.mark.sphinx("html", testroot=ROOT)
def test_heading_links_and_drawers_are_named_for_screen_readers(built):
    html = page(built)
    labels = [a["aria-label"] for a in html.select("a.headerlink")]
    assert labels == [
        "Copy link to this section: Questions",
        "Copy link to this section: Who answers the call?",
    ]
    names = {aside["aria-label"] for aside in html.select("aside")}
    assert {"Site menu", "On this page"} <= names


@pytest.mark.sphinx("html", testroot=ROOT)
def test_a_printed_page_does_not_repeat_a_link_that_shows_its_address(built):
    shown = [a.get_text() for a in page(built).select("a.url-shown")]
    assert shown == ["https://journals.example/study"]


# A copy of its own: the pages must be written in this build, not left by another.
@pytest.mark.sphinx("html", testroot=ROOT, srcdir="html-hardening-as-written")
def test_links_are_marked_as_they_are_written(app):
    # What the page holds before any rewrite: html_pages then sets aside
    # bibliography items whose links need nothing more.
    written = []

    def record(app, page, soup):
        if page == "index.html":
            links = soup.select("article a.reference:not(.headerlink)")
            written.extend((a["href"], a.get("rel"), a["class"]) for a in links)

    add_rewrite(app, record, order=0)
    app.build()
    external = ["noopener", "noreferrer"]
    assert written == [
        ("https://journals.example/study", external, ["reference", "external"]),
        ("https://example.org/faq/other.html", None, ["reference", "external"]),
        ("#who-answers-the-call", None, ["reference", "internal"]),
        ("https://journals.example/study", external, ["url-shown", "reference", "external"]),
    ]


@pytest.mark.sphinx("epub", testroot=ROOT, confoverrides={"version": "1", "copyright": "2026"})
def test_the_epub_links_are_left_as_docutils_writes_them(built):
    links = page(built, "index.xhtml").select("a.reference")
    assert len(links) == 4
    assert not [a for a in links if a.get("rel") or "url-shown" in a["class"]]


@pytest.mark.sphinx("html", testroot=ROOT, confoverrides={"html_hardening_csp_enabled": False})
def test_make_serve_turns_the_policy_off(built):
    html = page(built)
    assert not html.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert html.find("meta", attrs={"name": "referrer"})


# A copy of its own: the test changes the page.
@pytest.mark.sphinx("html", testroot=ROOT, srcdir="html-hardening-inline-style")
def test_an_inline_style_the_policy_would_block_is_a_warning_naming_the_page(app, warning):
    (app.srcdir / "index.md").write_text(
        '# Questions\n\n<span style="color: red">Red</span>\n', encoding="utf-8"
    )
    app.build()
    assert "index.html: <span style='color: red'> is blocked" in warning.getvalue()


@pytest.mark.parametrize(
    ("texts", "shown"),
    [
        (["https://x.example/ab"], True),
        # A soft line break: the page shows "https://x.example/a", a new line, "b".
        (["https://x.example/a", "\n", "b"], False),
    ],
)
def test_links_are_marked_shown_as_the_page_shows_their_text(texts, shown):
    reference = nodes.reference("", "", *map(nodes.Text, texts), refuri="https://x.example/ab")
    app = SimpleNamespace(
        builder=SimpleNamespace(name="html"),
        config=SimpleNamespace(html_baseurl="https://example.org/faq/"),
    )
    mark_external_references(app, nodes.paragraph("", "", reference), "index")
    assert reference["rel"] == "noopener noreferrer"
    assert ("url-shown" in reference["classes"]) == shown
