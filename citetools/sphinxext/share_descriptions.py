"""A page's description for search results and shared links, in plain sentences.

sphinxext-opengraph builds ``og:description`` from every text node of a page,
so an answer's preview would read "Police assume( Rogers et al., 2019) ..."
and run on into its Sources list. This extension writes the description from
the page's opening paragraphs instead, without the parenthetical citations and
the citation-needed markers, cut at a word under ``share_description_length``
characters; both ``<meta name="description">`` and ``og:description`` use it.
A page can set its own with ``description`` in its front matter.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from bs4 import BeautifulSoup, Tag

from citetools.sphinxext.html_pages import is_web_build
from citetools.sphinxext.html_text import parse

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

# What a description leaves out: (element, class) pairs, None for any element.
NOT_PROSE = (("a", "headerlink"), ("sup", "citation-needed"), (None, "citation-list"))


def _without_citations(paragraph: Tag) -> str:
    for citation in paragraph.find_all(class_="bibtex-citation"):
        # "(Rogers et al., 2019)" goes; "Rogers et al. (2019) found" is part of the sentence.
        if citation.get_text().lstrip().startswith("("):
            citation.decompose()
    text = " ".join(paragraph.get_text(" ").split())
    text = re.sub(r"\s+([.,;:!?)])", r"\1", text)
    return re.sub(r"([(“])\s+", r"\1", text)


def _opening(body_html: str, paragraphs: int) -> str:
    """The start of a page body, up to its first *paragraphs* paragraphs.

    Parsing every page whole, its Sources list and the site menu included,
    cost more than the bibliography itself; a description needs a sentence or two.
    """
    sources = body_html.find('<section id="sources">')
    head = body_html if sources < 0 else body_html[:sources]
    end = -1
    for _ in range(paragraphs):
        end = head.find("</p>", end + 1)
        if end < 0:
            return head
    return head[: end + len("</p>")]


def _not_prose(soup: BeautifulSoup) -> list[Tag]:
    """The elements a description leaves out, found in one walk (a CSS selector is slower)."""
    found = []
    for element in soup.descendants:
        if not isinstance(element, Tag):
            continue
        classes = element.get_attribute_list("class")
        if (element.name == "section" and element.get("id") == "sources") or any(
            (name is None or element.name == name) and css_class in classes
            for name, css_class in NOT_PROSE
        ):
            found.append(element)
    return found


def describe(body_html: str, limit: int) -> str:
    """The opening paragraphs of a page body, at most ``limit`` characters."""
    # An opening paragraph is mostly long enough: the rest is parsed only when not
    # (and not at all on a page whose opening is that paragraph). Parsing stops at
    # the cut, so the first paragraph reads the same either way.
    for opening in dict.fromkeys(_opening(body_html, paragraphs) for paragraphs in (1, 4)):
        text = _opening_text(opening, limit)
        if len(text) >= limit:
            break
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–—")
    return cut + "…"


def _opening_text(opening_html: str, limit: int) -> str:
    soup = parse(opening_html)
    for node in _not_prose(soup):
        node.decompose()
    text = ""
    for paragraph in soup.find_all("p"):
        sentence = _without_citations(paragraph)
        if not sentence:
            continue
        text = f"{text} {sentence}".strip()
        if len(text) >= limit:
            break
    return text


def add_description(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    if not is_web_build(app) or doctree is None:
        return
    meta = dict(context.get("meta") or {})
    description = meta.get("description") or describe(
        context.get("body", ""), app.config.share_description_length
    )
    if not description:
        return
    # A copy: the original is the environment's record of the page.
    context["meta"] = meta | {"og:description": description}
    tag = f'<meta name="description" content="{html.escape(description)}">\n'
    if 'name="description"' not in context.get("metatags", ""):
        context["metatags"] = context.get("metatags", "") + tag


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("share_description_length", 200, "html", types=frozenset({int}))
    # Before sphinxext-opengraph (priority 500), which keeps a description it finds.
    app.connect("html-page-context", add_description, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
