"""The passes that spare BeautifulSoup work: a page parsed or rewritten with them
reads and writes back exactly as without them, on crafted input and the real pages."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from citetools.sphinxext import html_pages, html_text
from citetools.sphinxext.html_hardening import harden
from citetools.sphinxext.html_text import parse

REFERENCES = (
    '<html><head><style>a::after { content: "&amp; &lt;"; }</style>'
    "<script>if (a &amp;&amp; b &lt; c) {}</script></head>"
    '<body data-note="Tom &amp; Jerry &quot;TJ&quot;"><!-- &amp; &nbsp; -->'
    "<p>Health &amp; Justice &lt;1&gt;&nbsp;&quot;x&quot; &AMP; &copy; &#64;</p>"
    '<a href="https://example.org/?a=1&amp;b=2">https://example.org/?a=1&amp;b=2</a>'
    "<SCRIPT>x = '&amp;'</SCRIPT></body></html>"
)


# Where the parser reads no reference: none may be changed there.
UNREAD = (
    "<!DOCTYPE html &amp;><?pi x='&amp;'?><p><![CDATA[ a &amp; b ]]></p>"
    '<!x &amp;></3 &amp;><p x&amp;y="1">a &amp; b</p>'
    "<script>a &amp;&amp; b</ script><p>&amp;</p>"
    '<a title="<!--"></a><script>x = "-->"; y = "&amp;";</script>'
    '<a title="<style>"></a><script>y = "&amp;"; z = "</style>";</script>'
    "<!-- never closed &amp;"
)


@pytest.mark.parametrize("name", ["references.html", "faq/incremental-change.html"])
def test_pages_parse_as_beautifulsoup_reads_them(site_html, name):
    for html in (REFERENCES, UNREAD, (site_html / name).read_text(encoding="utf-8")):
        assert "&amp;" in html
        assert str(parse(html)) == str(BeautifulSoup(html, "html.parser"))


def test_parsing_a_page_does_not_build_beautifulsoups_entity_table(site_html):
    # The table takes 45 ms to build, in every process that rewrites pages.
    page = site_html / "references.html"
    assert "&amp;" in page.read_text(encoding="utf-8")
    check = (
        "import sys; from pathlib import Path; from bs4 import BeautifulSoup\n"
        "from bs4.dammit import EntitySubstitution\n"
        "from citetools.sphinxext.html_text import parse\n"
        "html = Path(sys.argv[2]).read_text(encoding='utf-8')\n"
        "parse(html) if sys.argv[1] == 'parse' else BeautifulSoup(html, 'html.parser')\n"
        "print(EntitySubstitution._CLASS_VARIABLES_POPULATED)\n"
    )
    built = {
        how: subprocess.run(
            [sys.executable, "-c", check, how, str(page)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for how in ("parse", "beautifulsoup")
    }
    assert built == {"parse": "False", "beautifulsoup": "True"}


# Bibliography items as pages hold them, and whether each may be set aside.
ITEMS = {
    "marked as written": (
        '<li class="citation" id="a"><p>A. <em>Health &amp; Justice</em>. '
        '<a class="url-shown reference external" href="https://x.example/?a=1&amp;b=2" '
        'rel="noopener noreferrer">https://x.example/?a=1&amp;b=2</a>.</p></li>',
        True,
    ),
    "backlink, its attributes unsorted": (
        '<li class="citation" id="b"><span class="label">'
        '<a role="doc-backlink" href="#id1">B, 2020</a></span><p>B.</p></li>',
        True,
    ),
    "a link without the rel": (
        '<li class="citation" id="c"><p><a class="reference external" '
        'href="https://x.example/">doi:10.1/x</a></p></li>',
        False,
    ),
    "an address shown without url-shown": (
        '<li class="citation" id="d"><p><a class="reference external" '
        'href="https://x.example/" rel="noopener noreferrer">https://x.example/</a></p></li>',
        False,
    ),
    "a no-break space BeautifulSoup writes as the character": (
        '<li class="citation" id="e"><p>A.&nbsp;B.</p></li>',
        False,
    ),
    "a numeric reference BeautifulSoup writes as the character": (
        '<li class="citation" id="g"><p>name&#64;example.org</p></li>',
        False,
    ),
    # Long, and not as the writer writes items: found so at once, not after trying
    # every other way to split its text (each word more doubled the time).
    "a list inside, after a long text": (
        '<li class="citation" id="i"><p>'
        + "A word, <em>another</em>. " * 40
        + "<ul></ul></p></li>",
        False,
    ),
    "tags that do not close in order": (
        '<li class="citation" id="j"><p><em>x</p><p>y</em></p></li>',
        False,
    ),
    "a link without attributes beside an unmarked one": (
        '<li class="citation" id="k"><p><a>x</a> <a class="reference external" '
        'href="https://x.example/"><em>t</em></a></p></li>',
        False,
    ),
    "an inline style": (
        '<li class="citation" id="h"><p><span style="color: red">H</span></p></li>',
        False,
    ),
    "an attribute twice": (
        '<li class="citation" id="f"><p><em id="x" id="y">F</em></p></li>',
        False,
    ),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", ITEMS)
def test_bibliography_items_set_aside_come_back_as_if_rewritten(name):
    item, set_aside = ITEMS[name]
    html = f'<html><head></head><body><ul class="citation-list">\n{item}\n</ul></body></html>'
    app = SimpleNamespace(
        config=SimpleNamespace(
            html_baseurl="https://site.example/",
            html_hardening_csp_enabled=True,
            html_hardening_csp={"default-src": ["'self'"]},
        )
    )
    parsed, put_back = html_text.set_aside(html)
    assert bool(put_back) == set_aside
    rewritten = html_pages._rewritten(app, "page.html", parsed, [harden])
    assert html_text.put_back(rewritten, put_back) == str(
        html_pages._rewritten(app, "page.html", html, [harden])
    )


@pytest.mark.parametrize(
    "page",
    [
        '<script>var menu = \'<li class="citation" id="a"><p>A.</p></li>\';</script>',
        '<!-- <li class="citation" id="a"><p>A.</p></li> -->',
        '<p title=\'<li class="citation" id="a"><p>A.</p></li>\'>x</p>',
    ],
)
def test_items_in_scripts_comments_or_attributes_are_not_set_aside(page):
    html = f"<html><head></head><body>{page}</body></html>"
    assert html_text.set_aside(html) == (html, [])
