"""Bibliography lists as plain ``<ul>``/``<li>`` markup.

Docutils wraps citations in ``<div role="list">`` holding ``role="doc-biblioentry"``
items: that role is deprecated (epubcheck warns, axe reports the list as
invalid). A real list needs no ARIA at all, in the browser and in the ePub.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata
    from sphinx.writers.html5 import HTML5Translator


def _is_citation(node: nodes.Node | None) -> bool:
    return isinstance(node, nodes.citation)


def visit_citation(self: HTML5Translator, node: nodes.Element) -> None:
    if not _is_citation(node.previous_sibling()):
        self.body.append('<ul class="citation-list">\n')
    self.body.append(self.starttag(node, "li", classes=["citation"]))


def depart_citation(self: HTML5Translator, node: nodes.Element) -> None:
    self.body.append("</li>\n")
    if not _is_citation(node.next_node(descend=False, siblings=True)):
        self.body.append("</ul>\n")


def setup(app: Sphinx) -> ExtensionMetadata:
    # Registered for the "html" format, which the ePub builder shares; naming a
    # builder here would hide every other handler from it.
    app.registry.add_translation_handlers(nodes.citation, html=(visit_citation, depart_citation))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
