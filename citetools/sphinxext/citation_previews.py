"""Citation previews and copyable heading links, for the website only.

The preview of a citation is the page's own bibliography entry (every answer
lists its sources), or the reference text the citation carries when the entry
is on another page; a citation-needed marker previews its reason. All of it is
in the page when Sphinx writes it: ``_static/citation-previews.js`` only shows
it, and nothing is fetched at build or read time. ``_static/copy-link.js``
copies a heading's address when its link is used.

A citation whose entry is on its own page loses the ``title`` attribute that
repeats the entry (the preview shows the entry itself): a long answer carries
some 5 KB of them. The scripts are added, and titles dropped, for the web
builders only: an ePub has no previews and keeps both as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

from citetools.sphinxext.html_pages import is_web_build

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

SCRIPTS = ("citation-previews.js", "copy-link.js")


def add_scripts(app: Sphinx) -> None:
    if is_web_build(app):
        for script in SCRIPTS:
            app.add_js_file(script, loading_method="defer")


def drop_repeated_titles(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if not is_web_build(app):
        return
    entries = {id_ for citation in doctree.findall(nodes.citation) for id_ in citation["ids"]}
    for reference in doctree.findall(nodes.reference):
        # Sphinx links within a page by refid, across pages by refuri.
        if reference.get("refid") in entries:
            reference.attributes.pop("reftitle", None)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("builder-inited", add_scripts)
    app.connect("doctree-resolved", drop_repeated_titles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
