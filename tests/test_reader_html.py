"""What the built pages tell browsers and link previews, read from the HTML.

Sharing tags, sitemap and 404 page; the Content-Security-Policy, referrer
policy and ``rel`` on outside links; landmark names; page weight; and that
the ePub carries none of the web-only additions.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zipfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

from bs4 import BeautifulSoup

from citetools.sphinxext.share_descriptions import describe

from conftest import PROJECT, copy_site, sphinx_build

WEIGHT_LIMIT = 100 * 1024
DEFAULT_BASEURL = "http://127.0.0.1:8000/"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def soup_of(site: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")


def site_pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).parts[0].startswith("_")
    )


def question_pages(site: Path) -> list[str]:
    return sorted(f"faq/{p.name}" for p in (site / "faq").glob("*.html"))


def meta(soup, **attrs) -> str | None:
    tag = soup.find("meta", attrs=attrs)
    return tag["content"] if tag else None


def baseurl_of(site: Path) -> str:
    return soup_of(site, "index.html").find("link", rel="canonical")["href"].rsplit("/", 1)[0] + "/"


# -- Sharing ------------------------------------------------------------------


def test_local_builds_use_the_make_serve_address(site_html):
    assert baseurl_of(site_html) == DEFAULT_BASEURL


def test_every_question_page_has_title_description_and_card_tags(site_html):
    base = baseurl_of(site_html)
    for name in ["index.html", *question_pages(site_html)]:
        soup = soup_of(site_html, name)
        heading = soup.find("h1").get_text().removesuffix("¶").strip()
        title = soup.title.get_text()
        assert heading in title and "Co-responder FAQ" in title, (name, title)
        description = meta(soup, name="description")
        assert description and len(description) <= 200, (name, description)
        assert "et al.," not in description, f"{name}: a citation leaked into {description!r}"
        assert meta(soup, property="og:description") == description
        assert meta(soup, property="og:title") == heading
        assert meta(soup, property="og:url") == base + name
        assert soup.find("link", rel="canonical")["href"] == base + name
        assert meta(soup, property="og:image") == base + "_static/social-card.png"
        assert meta(soup, property="og:image:alt")
        assert meta(soup, name="twitter:card") == "summary_large_image"


def test_social_image_is_a_1200_by_630_png(site_html):
    data = (site_html / "_static" / "social-card.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1200, 630)


def test_sitemap_lists_every_page_readers_land_on(site_html):
    base = baseurl_of(site_html)
    root = ElementTree.parse(site_html / "sitemap.xml").getroot()
    listed = {loc.text for loc in root.findall("sm:url/sm:loc", SITEMAP_NS)}
    expected = {base + name for name in site_pages(site_html)} - {
        base + "search.html",
        base + "404.html",
    }
    assert listed == expected


def test_404_page_links_absolutely_and_says_what_happened(site_html):
    soup = soup_of(site_html, "404.html")
    assert soup.find("h1").get_text() == "Page not found"
    prefix = urlsplit(DEFAULT_BASEURL).path
    for tag, attr in (("link", "href"), ("script", "src")):
        for element in soup.find_all(tag, attrs={attr: True}):
            if urlsplit(element[attr]).scheme:
                continue
            assert element[attr].startswith(prefix), f"{tag} {element[attr]} is relative"


def test_host_sets_the_address_with_site_baseurl(tmp_path, monkeypatch):
    site = copy_site(tmp_path / "src")
    monkeypatch.setenv("SITE_BASEURL", "https://example.org/faq")
    out = tmp_path / "out"
    result = sphinx_build(site, out, "html")
    assert result.returncode == 0, result.stderr
    index = soup_of(out, "index.html")
    assert index.find("link", rel="canonical")["href"] == "https://example.org/faq/index.html"
    assert meta(index, property="og:image") == "https://example.org/faq/_static/social-card.png"
    assert "https://example.org/faq/index.html" in (out / "sitemap.xml").read_text()
    styles = [link["href"] for link in soup_of(out, "404.html").find_all("link", rel="stylesheet")]
    assert styles and all(href.startswith("/faq/_static/") for href in styles), styles


def test_description_drops_parenthetical_citations_and_cuts_at_a_word():
    body = (
        '<p>Police escalate <span class="bibtex-citation">(<a href="#r">Rogers et al., '
        '2019</a>)</span>. <span class="bibtex-citation">Puntis et al. (<a href="#p">2018'
        '</a>)</span> agree<sup class="citation-needed"><a>[citation needed]</a></sup>.</p>'
        '<section id="sources"><p>Rogers, M. Effectiveness.</p></section>'
    )
    assert describe(body, 200) == "Police escalate. Puntis et al. (2018) agree."
    assert describe(body, 30) == "Police escalate. Puntis et…"


# -- Privacy and security -----------------------------------------------------


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _policy(soup) -> dict[str, list[str]]:
    content = meta(soup, **{"http-equiv": "Content-Security-Policy"})
    assert content, "no Content-Security-Policy"
    return {d.split()[0]: d.split()[1:] for d in content.split(";") if d.strip()}


def test_every_page_allows_only_itself_and_hashes_its_inline_code(site_html):
    for name in site_pages(site_html):
        soup = soup_of(site_html, name)
        first_meta = soup.head.find_all("meta")[:2]
        assert first_meta[1].get("http-equiv") == "Content-Security-Policy", (
            f"{name}: the policy must come before anything it governs"
        )
        policy = _policy(soup)
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        inline_scripts = [s.string or "" for s in soup.find_all("script") if not s.get("src")]
        assert inline_scripts, f"{name}: furo's theme script is expected inline"
        assert sorted(policy["script-src"]) == sorted(
            {"'self'", *(_hash(s) for s in inline_scripts)}
        )
        for style in soup.find_all("style"):
            assert _hash(style.string or "") in policy["style-src"]
        for values in policy.values():
            assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values
        assert soup.find(style=True) is None, f"{name}: inline style attributes are blocked"
        assert meta(soup, name="referrer") == "no-referrer"


def test_every_page_has_one_viewport_tag(site_html):
    """Two tags with different values leave the phone's zoom to whichever the browser reads."""
    for name in site_pages(site_html):
        viewports = soup_of(site_html, name).head.find_all("meta", attrs={"name": "viewport"})
        assert [v["content"] for v in viewports] == ["width=device-width,initial-scale=1"], name


def test_no_page_loads_anything_from_another_host(site_html):
    for name in site_pages(site_html):
        soup = soup_of(site_html, name)
        loaded = [s["src"] for s in soup.find_all(["script", "img", "iframe"], src=True)]
        loaded += [
            link["href"]
            for link in soup.find_all("link", href=True)
            if {"stylesheet", "icon", "preload", "prefetch", "modulepreload"} & set(link["rel"])
        ]
        outside = [url for url in loaded if urlsplit(url).netloc]
        assert outside == [], f"{name} loads {outside}"


def test_links_that_leave_the_site_send_no_opener_and_no_referrer(site_html):
    own = urlsplit(baseurl_of(site_html)).netloc
    checked = 0
    for name in site_pages(site_html):
        for link in soup_of(site_html, name).find_all("a", href=True):
            parts = urlsplit(link["href"])
            if parts.scheme in {"http", "https"} and parts.netloc != own:
                assert {"noopener", "noreferrer"} <= set(link.get("rel", [])), (name, link)
                checked += 1
    assert checked, "the site links to its sources, so some links leave it"


def test_a_page_style_attribute_fails_the_build_with_advice(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        'extensions = ["citetools.sphinxext.html_hardening"]\n'
        'html_theme = "furo"\n'
        'html_baseurl = "https://example.org/"\n'
    )
    (source / "index.rst").write_text(
        'Title\n=====\n\n.. raw:: html\n\n   <p style="color: red">Red</p>\n'
    )
    result = sphinx_build(source, tmp_path / "out", "html")
    assert result.returncode != 0
    assert "index.html: <p style='color: red'> is blocked by the Content-Security-Policy" in (
        result.stderr
    )
    assert "_static/faq.css" in result.stderr


def test_make_serve_can_turn_the_policy_off_for_live_reload(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        'extensions = ["citetools.sphinxext.html_hardening"]\nhtml_theme = "furo"\n'
    )
    (source / "index.rst").write_text("Title\n=====\n\nText.\n")
    for enabled, expected in (("1", True), ("0", False)):
        out = tmp_path / f"out{enabled}"
        define = f"html_hardening_csp_enabled={enabled}"
        result = sphinx_build(source, out, "html", "-D", define)
        assert result.returncode == 0, result.stderr
        soup = soup_of(out, "index.html")
        assert (meta(soup, **{"http-equiv": "Content-Security-Policy"}) is not None) is expected
        assert meta(soup, name="referrer") == "no-referrer"
    assert "html_hardening_csp_enabled=0" in (PROJECT / "Makefile").read_text()


# -- Accessibility ------------------------------------------------------------


def test_landmarks_have_distinct_names_and_heading_links_say_what_they_copy(site_html):
    for name in site_pages(site_html):
        soup = soup_of(site_html, name)
        labels = [aside.get("aria-label") for aside in soup.find_all("aside")]
        assert all(labels) and len(set(labels)) == len(labels), (name, labels)
        for link in soup.select("h1 > a.headerlink, h2 > a.headerlink"):
            heading = link.parent.get_text().removesuffix(link.get_text()).strip()
            assert link["aria-label"] == f"Copy link to this section: {heading}"
        assert not soup.select('[role="doc-biblioentry"]'), name


# -- Weight -------------------------------------------------------------------


def page_weight(site: Path, name: str) -> dict[str, int]:
    """Bytes of a page and of each stylesheet and script it loads."""
    page = site / name
    soup = soup_of(site, name)
    sizes = {name: page.stat().st_size}
    assets = [s["src"] for s in soup.find_all("script", src=True)]
    assets += [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    for url in assets:
        path = urlsplit(urljoin(name, url)).path
        sizes[path] = (site / path).stat().st_size
    return sizes


def test_each_answer_with_its_css_and_js_weighs_under_100_kb(site_html):
    report = []
    for name in question_pages(site_html):
        sizes = page_weight(site_html, name)
        total = sum(sizes.values())
        report.append(f"{name}: {total / 1024:.1f} KB ({sizes})")
        assert total < WEIGHT_LIMIT, report[-1]
    print("\n".join(report))


def test_answers_load_no_code_styles_or_search_scripts(site_html):
    for name in question_pages(site_html):
        loaded = set(page_weight(site_html, name))
        for unused in ("pygments.css", "furo-extensions.css", "doctools.js", "sphinx_highlight.js"):
            assert not any(path.endswith(unused) for path in loaded), (name, unused)
    search = set(page_weight(site_html, "search.html"))
    assert any(path.endswith("searchtools.js") for path in search)
    assert any(path.endswith("doctools.js") for path in search)


# -- The ePub stays a book ----------------------------------------------------


def test_epub_carries_none_of_the_web_additions(site_epub):
    (book,) = site_epub.glob("*.epub")
    with zipfile.ZipFile(book) as archive:
        names = archive.namelist()
        chapters = [n for n in names if n.endswith(".xhtml")]
        text = "".join(archive.read(n).decode("utf-8") for n in chapters)
    assert chapters
    assert not any(n.endswith(("sitemap.xml", "404.xhtml", "404.html")) for n in names)
    for web_only in ("Content-Security-Policy", 'property="og:', "citation-previews.js"):
        assert web_only not in text, web_only
    with zipfile.ZipFile(book) as archive:
        for chapter in chapters:
            assert archive.read(chapter).count(b'name="viewport"') <= 1, chapter
