"""Privacy, security and accessibility fixes applied to the finished pages.

* A ``Content-Security-Policy`` meta tag (``html_hardening_csp``) that allows
  only the site itself; the theme's inline script and style are allowed by
  their SHA-256 hashes, computed per page so a theme update cannot slip in.
* ``<meta name="referrer" content="no-referrer">``, and ``rel="noopener
  noreferrer"`` on every link that leaves the site.
* Inline ``style`` attributes, which the policy blocks, become SVG
  presentation attributes (the theme's icons); any other one fails the build.
* ARIA: the theme's two drawers (``<aside>`` landmarks) get distinct names,
  and each heading's link says which heading it links to. (Bibliography lists
  are plain ``<ul>`` markup: see ``bibliography_markup``.)
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bs4.element import AttributeValueList, Tag
from docutils import nodes
from sphinx.util import logging

from citetools.sphinxext.html_pages import add_rewrite, is_web_build

if TYPE_CHECKING:
    from bs4 import BeautifulSoup
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

EXTERNAL_REL = ("noopener", "noreferrer")
DRAWER_NAMES = {"sidebar-drawer": "Site menu", "toc-drawer": "On this page"}

# CSS properties that SVG also accepts as presentation attributes, which a
# Content-Security-Policy does not block.
SVG_PRESENTATION = frozenset(
    {"display", "opacity", "fill", "fill-opacity", "stroke", "stroke-width", "visibility"}
)


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def policy(
    directives: dict[str, list[str]], script_hashes: Iterable[str], style_hashes: Iterable[str]
) -> str:
    extra = {"script-src": sorted(script_hashes), "style-src": sorted(style_hashes)}
    parts = []
    for name, sources in directives.items():
        values = list(sources) + [h for h in extra.get(name, []) if h not in sources]
        parts.append(" ".join([name, *values]))
    return "; ".join(parts)


def _set_meta(soup: BeautifulSoup, head: Tag, key: str, value: str, content: str) -> None:
    for old in head.find_all("meta", attrs={key: value}):
        old.decompose()
    meta = soup.new_tag("meta", attrs={key: value, "content": content})
    # The policy governs only what follows it, so it goes first after the charset.
    charset = head.find("meta", charset=True)
    if charset is not None:
        charset.insert_after(meta)
    else:
        head.insert(0, meta)


class _Found:
    """The elements the fixes change or read, found in one walk over the page.

    A CSS selector or a ``find_all`` walks the whole page each: seven walks per
    page cost more than the fixes themselves (``make bench``'s 200 pages).
    """

    def __init__(self, soup: BeautifulSoup) -> None:
        self.styled: list[Tag] = []
        self.links: list[Tag] = []
        self.drawers: dict[str, list[Tag]] = {drawer: [] for drawer in DRAWER_NAMES}
        self.headerlinks: list[Tag] = []
        self.scripts: list[Tag] = []
        self.styles: list[Tag] = []
        for element in soup.descendants:
            if not isinstance(element, Tag):
                continue
            name = element.name
            if element.get("style") is not None:
                self.styled.append(element)
            if name in {"a", "area"} and element.get("href") is not None:
                self.links.append(element)
            if name == "a" and "headerlink" in element.get_attribute_list("class"):
                self.headerlinks.append(element)
            elif name == "aside":
                for drawer, found in self.drawers.items():
                    if drawer in element.get_attribute_list("class"):
                        found.append(element)
            elif name == "script":
                self.scripts.append(element)
            elif name == "style":
                self.styles.append(element)


def _move_styles_to_svg_attributes(styled: list[Tag], page: str) -> None:
    for element in styled:
        declarations = [d.split(":", 1) for d in str(element["style"]).split(";") if d.strip()]
        movable = element.name in {"svg", "path", "line", "circle", "g", "rect", "polyline"}
        if movable and all(len(d) == 2 and d[0].strip() in SVG_PRESENTATION for d in declarations):
            for prop, value in declarations:
                value = value.strip()
                if prop.strip() == "opacity" and value.endswith("%"):
                    value = str(float(value[:-1]) / 100)
                element[prop.strip()] = value
            del element["style"]
        else:
            logger.warning(
                f"{page}: <{element.name} style={element['style']!r}> is blocked by the "
                "Content-Security-Policy: give it a class and style that in _static/faq.css",
                type="html_hardening",
                subtype="inline_style",
            )


def _leaves_site(href: str, own_host: str) -> bool:
    parts = urlsplit(href)
    return parts.scheme in {"http", "https"} and parts.netloc != own_host


def _with_external_rel(rel: list[str]) -> list[str]:
    return rel + [r for r in EXTERNAL_REL if r not in rel]


# A printed page adds each link's address after it (faq.css), except where the
# link's text already is that address: such links get this class, first (as
# docutils writes a node's own classes before the writer's).
URL_SHOWN = "url-shown"


def _mark_external_links(links: list[Tag], own_host: str) -> None:
    for link in links:
        if _leaves_site(str(link["href"]), own_host):
            link["rel"] = AttributeValueList(_with_external_rel(list(link.get("rel") or [])))
        if link.get_text(strip=True) == link["href"]:
            classes = list(link.get("class") or [])
            if URL_SHOWN not in classes:
                link["class"] = AttributeValueList([URL_SHOWN, *classes])


def mark_external_references(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The same marks on the document's own links, for the writer to write.

    Every page is rewritten anyway, for links the theme writes; links marked as
    they are written leave their markup, the bibliography's above all, with
    nothing left to change (see ``html_pages``' set-aside bibliography items).
    """
    if not is_web_build(app):
        return
    own_host = urlsplit(app.config.html_baseurl or "").netloc
    for reference in doctree.findall(nodes.reference):
        href = reference.get("refuri")
        if not href:
            continue
        if _leaves_site(href, own_host):
            rel = _with_external_rel(str(reference.get("rel", "")).split())
            reference["rel"] = " ".join(rel)
        # Text alone is written as one string, as the rewrite reads it; anything
        # else (inline markup, a section number) is left to the rewrite.
        plain = all(isinstance(child, nodes.Text) for child in reference.children)
        shown = plain and not reference.get("secnumber") and reference.astext().strip() == href
        if shown and URL_SHOWN not in reference["classes"]:
            reference["classes"].insert(0, URL_SHOWN)


def _fix_aria(found: _Found) -> None:
    for drawer, name in DRAWER_NAMES.items():
        for aside in found.drawers[drawer]:
            aside["aria-label"] = name
    for link in found.headerlinks:
        heading = link.parent
        if heading is None:
            continue
        text = heading.get_text(" ", strip=True).removesuffix(link.get_text(strip=True))
        label = f"Copy link to this section: {text.strip()}"
        link["aria-label"] = label
        link["title"] = label


def harden(app: Sphinx, page: str, soup: BeautifulSoup) -> None:
    head = soup.head
    if head is None:
        return
    found = _Found(soup)
    _move_styles_to_svg_attributes(found.styled, page)
    _mark_external_links(found.links, urlsplit(app.config.html_baseurl or "").netloc)
    _fix_aria(found)
    scripts = {csp_hash(s.string or "") for s in found.scripts if not s.get("src")}
    styles = {csp_hash(s.string or "") for s in found.styles}
    _set_meta(soup, head, "name", "referrer", "no-referrer")
    if app.config.html_hardening_csp_enabled:
        _set_meta(
            soup,
            head,
            "http-equiv",
            "Content-Security-Policy",
            policy(app.config.html_hardening_csp, scripts, styles),
        )


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value(
        "html_hardening_csp",
        {"default-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'self'"]},
        "html",
        types=frozenset({dict}),
    )
    # `make serve` turns the policy off: sphinx-autobuild injects an inline
    # live-reload script into every page it serves, which the policy would block.
    app.add_config_value("html_hardening_csp_enabled", True, "html", types=frozenset({bool}))
    app.connect("doctree-resolved", mark_external_references)
    # Last of the rewrites of the finished pages, in one pass with the others.
    add_rewrite(app, harden, order=900, whole_page=False)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
