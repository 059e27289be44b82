"""Render furo's site menu once per directory, not once per page.

furo puts the whole navigation into every page: for each page it has Sphinx
resolve and render the global table of contents, then parses that with
BeautifulSoup to add its expand buttons. The work per page grows with the
number of pages, so the site's build grew with pages x pages: on the bench's
site of 200 pages it was the largest cost of writing them.

The menu differs between two pages of one directory only where it marks the
page being read: Sphinx gives ``current`` to its link (which becomes ``#``)
and to every list and item around it, furo adds ``current-page`` to its item
and opens the expand buttons above it. So the menu is rendered once per
directory, as seen from a page that is not in it, and each page gets a copy
with those marks set on its own branch; the links' relative addresses are the
same throughout a directory. The first page of each directory is also
rendered furo's way and compared: on any difference the menu goes back to
furo's way for the rest of the build, with a warning. A page that is linked
twice in the menu, or cannot be found in it, is rendered furo's way.

Written for furo 2025.12.19 and Sphinx 9.0.4 (``upstream_versions``); the
``html`` builder only, whose pages in one directory share their links'
addresses.
"""

from __future__ import annotations

import functools
import posixpath
import weakref
from collections.abc import Callable
from typing import Any

from bs4 import BeautifulSoup, Tag
from furo.navigation import get_navigation_tree
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata

from citetools.sphinxext import upstream_versions

logger = logging.getLogger(__name__)

# A page name no site uses: the menu seen from it marks nothing.
OUTSIDER = "_citetools-site-menu-outsider"
_MENU = "_citetools_site_menu"

Toctree = Callable[..., str]


def furo_menu(toctree: Toctree) -> str:
    """The menu as furo renders it, from the page's ``toctree`` function."""
    # The arguments of furo's _compute_navigation_tree.
    return str(
        get_navigation_tree(
            toctree(collapse=False, titles_only=True, maxdepth=-1, includehidden=True)
        )
    )


class _Menu:
    """The menu of one directory, as seen from a page outside it."""

    def __init__(self, html: str) -> None:
        self.html = html
        self._soup = BeautifulSoup(html, "html.parser")
        self._line_starts = [0]
        for line in html.split("\n"):
            self._line_starts.append(self._line_starts[-1] + len(line) + 1)
        self._links: dict[str, list[Tag]] = {}
        for link in self._soup.find_all("a", href=True):
            if isinstance(link, Tag):
                self._links.setdefault(str(link["href"]), []).append(link)

    def _start_tag(self, tag: Tag, attrs: dict[str, Any]) -> str:
        copy = self._soup.new_tag(tag.name, attrs=attrs)
        text = str(copy)
        return text if copy.is_empty_element else text.removesuffix(f"</{tag.name}>")

    def _span(self, tag: Tag) -> tuple[int, int] | None:
        """Where *tag*'s start tag is in the menu, if it reads as its attributes say."""
        if tag.sourceline is None or tag.sourcepos is None:
            return None
        start = self._line_starts[tag.sourceline - 1] + tag.sourcepos
        end = self.html.find(">", start) + 1
        if self.html[start:end] != self._start_tag(tag, dict(tag.attrs)):
            return None
        return start, end

    def marked(self, href: str) -> str | None:
        """The menu of the page linked as *href*, as Sphinx and furo would mark it."""
        links = self._links.get(href, [])
        if len(links) != 1:
            return None
        link = links[0]
        # (tag, its new attributes); not a dict: a bs4 tag hashes by its markup.
        edits = [(link, {**link.attrs, "class": ["current", *link["class"]], "href": "#"})]
        own_item = True
        for parent in link.parents:
            if parent is self._soup:
                break
            classes = list(parent.get("class") or [])
            if parent.name == "ul":
                # Sphinx writes the class first (docutils sorts the attributes).
                others = {name: value for name, value in parent.attrs.items() if name != "class"}
                edits.append((parent, {"class": ["current", *classes], **others}))
            elif parent.name == "li":
                # Sphinx's classes, then furo's "has-children" and "current-page".
                at = classes.index("has-children") if "has-children" in classes else len(classes)
                classes.insert(at, "current")
                if own_item:
                    classes.append("current-page")
                    own_item = False
                edits.append((parent, {**parent.attrs, "class": classes}))
                checkbox = parent.find("input", class_="toctree-checkbox", recursive=False)
                if isinstance(checkbox, Tag):
                    edits.append((checkbox, {**checkbox.attrs, "checked": ""}))
            else:
                return None
        spans = []
        for tag, attrs in edits:
            span = self._span(tag)
            if span is None:
                return None
            spans.append((span, self._start_tag(tag, attrs)))
        pieces, done = [], 0
        for (start, end), text in sorted(spans):
            pieces += [self.html[done:start], text]
            done = end
        return "".join([*pieces, self.html[done:]])


class _Menus:
    """Each directory's menu for one build, while they match furo's."""

    def __init__(self, builder: Builder) -> None:
        self.builder = builder
        self.by_directory: dict[str, _Menu] = {}
        self.on = True

    def for_page(self, pagename: str, toctree: Toctree) -> str | None:
        directory = posixpath.dirname(pagename)
        outsider = posixpath.join(directory, OUTSIDER)
        if not self.on or outsider in self.builder.env.all_docs:
            return None
        menu = self.by_directory.get(directory)
        first = menu is None
        if menu is None:
            menu = self.by_directory[directory] = _Menu(self._render(outsider))
        html = menu.marked(self.builder.get_relative_uri(outsider, pagename))
        if first and html is not None and html != furo_menu(toctree):
            self.on = False
            logger.warning(
                f"citetools.sphinxext.site_menu is switched off: its menu for {pagename} "
                "differs from furo's. The output is the same, only slower.",
                type="citetools",
                subtype="site_menu",
            )
            return None
        return html

    def _render(self, docname: str) -> str:
        # The page's ``toctree`` function, as the HTML builder gives it to the templates.
        local_toctree = self.builder._get_local_toctree  # type: ignore[attr-defined]
        return furo_menu(functools.partial(local_toctree, docname))


_menus: weakref.WeakKeyDictionary[Sphinx, _Menus] = weakref.WeakKeyDictionary()


def start(app: Sphinx, env: object = None) -> None:
    """A fresh set of menus for the pages about to be written."""
    _menus.pop(app, None)
    if app.builder.name == "html" and app.config.html_theme == "furo":
        _menus[app] = _Menus(app.builder)


def before_theme(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    # furo renders no menu for a page without "toctree"; it is given back after.
    menus = _menus.get(app)
    if menus is None or "toctree" not in context:
        return
    html = menus.for_page(pagename, context["toctree"])
    if html is not None:
        context[_MENU] = (context.pop("toctree"), html)


def after_theme(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    if _MENU in context:
        context["toctree"], context["furo_navigation_tree"] = context.pop(_MENU)


def setup(app: Sphinx) -> ExtensionMetadata:
    if upstream_versions.check(
        app, "citetools.sphinxext.site_menu", {**upstream_versions.SPHINX, **upstream_versions.FURO}
    ):
        app.connect("env-updated", start)
        # furo fills in its menu at the default priority, 500.
        app.connect("html-page-context", before_theme, priority=499)
        app.connect("html-page-context", after_theme, priority=501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
