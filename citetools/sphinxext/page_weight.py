"""Keep each page light: load only the stylesheets and scripts the page uses.

Most readers open one answer on a phone. The theme loads, on every page,
assets this site does not use there:

* ``pygments.css`` colours code, and the FAQ has no code blocks (a page that
  does gets it back);
* ``styles/furo-extensions.css`` styles extensions the site does not load;
* Sphinx's search helpers (``documentation_options.js``, ``doctools.js``,
  ``sphinx_highlight.js``) matter only on the search page, which keeps them;
* the theme's icon sheet holds icons no page shows (edit and view buttons
  for a source repository): each page keeps the ones it uses;
* docutils' HTML writer adds a ``<meta name="viewport">`` of its own, which
  Sphinx passes on in ``metatags``, after the one the theme's layout already
  writes: the page keeps the theme's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bs4 import Tag

from citetools.sphinxext.html_pages import add_rewrite, icon_ref, is_web_build

if TYPE_CHECKING:
    from bs4 import BeautifulSoup
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

CODE_CSS = "pygments.css"
UNUSED_CSS = frozenset({"styles/furo-extensions.css"})
SEARCH_ONLY_JS = frozenset({"documentation_options.js", "doctools.js", "sphinx_highlight.js"})
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>\s*')


def _filename(asset: object) -> str:
    """``_static/pygments.css`` -> ``pygments.css``."""
    return str(getattr(asset, "filename", asset)).removeprefix("_static/")


def trim_assets(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    if not is_web_build(app):
        return
    has_code = 'class="highlight' in context.get("body", "")
    unused_css = UNUSED_CSS if has_code else UNUSED_CSS | {CODE_CSS}
    if "css_files" in context:
        context["css_files"] = [
            css for css in context["css_files"] if _filename(css) not in unused_css
        ]
    if "script_files" in context and pagename != "search":
        context["script_files"] = [
            js for js in context["script_files"] if _filename(js) not in SEARCH_ONLY_JS
        ]


def drop_second_viewport(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    # Every builder: the ePub's layout (Sphinx's basic theme) writes one too.
    if "metatags" in context:
        context["metatags"] = _VIEWPORT.sub("", context["metatags"])


def drop_unused_icons(app: Sphinx, page: str, soup: BeautifulSoup) -> None:
    # One walk over the page: a CSS selector would walk it once more.
    used: set[str] = set()
    symbols: list[Tag] = []
    for element in soup.descendants:
        if not isinstance(element, Tag):
            continue
        if element.name == "use":
            used.add(icon_ref(element).removeprefix("#"))
        elif element.name == "symbol" and element.get("id") is not None:
            parent = element.parent
            if parent is not None and parent.name == "svg":
                symbols.append(element)
    for symbol in symbols:
        if symbol["id"] not in used:
            symbol.decompose()


def setup(app: Sphinx) -> ExtensionMetadata:
    # After the theme and the other extensions have added their assets.
    app.connect("html-page-context", trim_assets, priority=900)
    app.connect("html-page-context", drop_second_viewport, priority=900)
    # Before html_hardening's rewrite, in the same pass over the pages.
    add_rewrite(app, drop_unused_icons, order=800, whole_page=False)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
