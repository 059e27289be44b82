"""What a page rewrite may skip: passes over a finished page's markup that
change only what ``html.parser`` reads as text, so that BeautifulSoup has less
to do and writes the same page.

* Menu entries and bibliography items that no rewrite changes are set aside
  before the page is parsed and put back, as they were, after it is written
  out (``set_aside``, ``put_back``).
* Named character references become the same characters' numeric references
  (``parse``).

``html_pages`` runs them; its kept pages' stamp includes this module's code.
"""

from __future__ import annotations

import html as html_module
import re

from bs4 import BeautifulSoup

# -- What the parser reads as text -----------------------------------------------
# The set-aside and ``parse`` below change only what html.parser reads as text.
# These are skipped whole, each to where the parser ends it or further, never
# less: the raw text of scripts and styles, comments, marked sections (CDATA),
# declarations, instructions and end tags, and start tags with their attribute
# values (which the parser unescapes itself). Unclosed, each runs to the end.
_NOT_TEXT = (
    r"(?is:<(?P<raw>script|style)\b.*?(?:</\s*(?P=raw)\s*>|\Z))"
    r"|(?s:<!--.*?(?:--\s*>|\Z))"
    r"|(?s:<!\[.*?(?:\]\]>|\Z))"
    r"|<[!?/][^>]*+>?"
    r"""|<[a-zA-Z](?:[^>"']|"[^"]*+"|'[^']*+')*+>?"""
)


# -- Menu entries and bibliography items are set aside ---------------------------
# Every page carries the whole site menu, most of it entries that are nothing
# but an internal link: on the bench's 200-page site, half of each page's
# markup; and the References page holds the whole bibliography (1.2 MB there,
# the last page written, so its rewrite was most of the build's tail). Rewrites
# registered with ``whole_page=False`` (``html_pages.add_rewrite``) leave such
# entries and such items as they are, so while only those run, each run of them
# (with the white space between them) is replaced by one comment before the page
# is parsed and put back, as it was, after the page is written out.
# An entry as the theme writes it (BeautifulSoup writes it back the same):
MENU_ENTRY = re.compile(
    r'<li class="toctree-l\d+"><a class="reference internal" href="(?P<href>[^"&<>:#]*)">'
    r"(?P<text>[^<>&]*)</a></li>"
)
# An item as bibliography_markup writes it, in markup that BeautifulSoup writes
# back the same but for the order of attributes (it writes them sorted): the
# inline tags pybtex's styles use, attributes in double quotes with single
# spaces, and no character reference but &amp;, &lt; and &gt; (it would write
# &nbsp; or &#64; back as the character).
# Possessive (++, *+): an item that does not match fails at once, without
# trying every other way to split its text (time exponential in its length).
_VALUE = r'"(?:(?:[^"\s<>&]|&amp;)++(?: (?:[^"\s<>&]|&amp;)++)*+)?"'
_INLINE = r"(?:a|abbr|cite|code|em|p|span|strong|sub|sup)"
BIBLIOGRAPHY_ITEM = re.compile(
    rf'<li class="citation" id={_VALUE}>'
    rf"(?:[^<>&]++|&(?:amp|lt|gt);|<{_INLINE}(?: [a-z-]+={_VALUE})*+>|</{_INLINE}>)*+</li>"
)
_START_TAG = re.compile(r'<([a-z]+)((?: [a-z-]+="[^"]*")+)>')
_TAG = re.compile(r"<(/?)([a-z]+)")
_LINK_START = re.compile(r"<a\b")
_LINK = re.compile(r'<a((?: [a-z-]+="[^"]*")*)>([^<]*)</a>')
_ATTRIBUTE = re.compile(r' ([a-z-]+)="([^"]*)"')
_SET_ASIDE = "<!--citetools-set-aside-{}-->"
_PUT_BACK = re.compile(r"<!--citetools-set-aside-(\d+)-->")
_RUN = re.compile(r"<!--citetools-set-aside-\d+-->(?:\s*<!--citetools-set-aside-\d+-->)*")
_ENTRY_ITEM_OR_NOT_TEXT = re.compile(
    f"(?P<entry>{MENU_ENTRY.pattern})|(?P<item>{BIBLIOGRAPHY_ITEM.pattern})|{_NOT_TEXT}"
)


def _shows_own_address(href: str, text: str) -> bool:
    return html_module.unescape(text).strip() == html_module.unescape(href)


def _link_left_as_is(attributes: str, text: str) -> bool:
    found = dict(_ATTRIBUTE.findall(attributes))
    if "href" not in found:
        return True
    href, classes = found["href"], found.get("class", "").split()
    if "headerlink" in classes:  # named for screen readers by html_hardening
        return False
    if _shows_own_address(href, text) and "url-shown" not in classes:
        return False
    # A link within the page stays on the site; any other carries the rel already
    # when html_hardening marked it as it was written.
    return href.startswith("#") or {"noopener", "noreferrer"} <= set(found.get("rel", "").split())


def _sorted_attributes(tag: re.Match[str]) -> str:
    attributes = sorted(_ATTRIBUTE.findall(tag[2]))
    return f"<{tag[1]}" + "".join(f' {name}="{value}"' for name, value in attributes) + ">"


def _balanced(item: str) -> bool:
    """Whether the item's inline tags close in order (BeautifulSoup mends them otherwise)."""
    open_tags: list[str] = []
    for closing, name in _TAG.findall(item[item.index(">") + 1 : -len("</li>")]):
        if not closing:
            open_tags.append(name)
        elif not open_tags or open_tags.pop() != name:
            return False
    return not open_tags


def _written_back(match: re.Match[str]) -> str | None:
    """A menu entry or bibliography item as the rewrites would leave it and
    BeautifulSoup write it, or None when it must be parsed."""
    if match["entry"] is not None:  # a link shown as its own address gets marked
        return None if _shows_own_address(match["href"], match["text"]) else match[0]
    item = match["item"]
    if item is None or not _balanced(item):
        return None
    links = _LINK.findall(item)
    if len(links) != len(_LINK_START.findall(item)):
        return None
    if not all(_link_left_as_is(attributes, text) for attributes, text in links):
        return None
    for tag in _START_TAG.finditer(item):
        names = [name for name, _ in _ATTRIBUTE.findall(tag[2])]
        if len(set(names)) != len(names):  # BeautifulSoup keeps one of them
            return None
        if "style" in names:  # html_hardening moves it or warns
            return None
    return _START_TAG.sub(_sorted_attributes, item)


def set_aside(html: str) -> tuple[str, list[str]]:
    if "citetools-set-aside-" in html:
        return html, []
    set_aside: list[str] = []

    def entry_or_item(match: re.Match[str]) -> str:
        written_back = _written_back(match)
        if written_back is None:
            return match[0]
        set_aside.append(written_back)
        return _SET_ASIDE.format(len(set_aside) - 1)

    runs: list[str] = []

    def run(match: re.Match[str]) -> str:
        runs.append(put_back(match[0], set_aside))
        return _SET_ASIDE.format(len(runs) - 1)

    # One comment per run: the parser's work then no longer grows with the menu.
    return _RUN.sub(run, _ENTRY_ITEM_OR_NOT_TEXT.sub(entry_or_item, html)), runs


def put_back(html: str, set_aside: list[str]) -> str:
    if not set_aside:
        return html
    return _PUT_BACK.sub(lambda match: set_aside[int(match[1])], html)


# -- Named character references -------------------------------------------------
# On the first named reference it meets in text (``&amp;`` in "Health &amp;
# Justice"), BeautifulSoup builds its table of every HTML entity, with regular
# expressions for writing them: 45 ms, in each process that parses pages. Those
# Sphinx and docutils write are given to it in text as the same characters'
# numeric references, which it reads to the same text without the table.
_NUMERIC = {
    "&amp;": "&#38;",
    "&lt;": "&#60;",
    "&gt;": "&#62;",
    "&quot;": "&#34;",
    "&nbsp;": "&#160;",
}
_NAMED_OR_NOT_TEXT = re.compile(f"&(?:amp|lt|gt|quot|nbsp);|{_NOT_TEXT}")


def parse(html: str) -> BeautifulSoup:
    """*html* as BeautifulSoup's ``html.parser`` reads it."""
    if "&" in html:
        html = _NAMED_OR_NOT_TEXT.sub(lambda match: _NUMERIC.get(match[0], match[0]), html)
    return BeautifulSoup(html, "html.parser")
