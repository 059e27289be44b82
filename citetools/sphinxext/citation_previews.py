"""Citation previews and copyable heading links, for the website only.

The preview of a citation is the page's own bibliography entry (every answer
lists its sources), or the reference text the citation carries when the entry
is on another page; a citation-needed marker previews its reason. All of it is
in the page when Sphinx writes it: ``_static/citation-previews.js`` only shows
it, and nothing is fetched at build or read time. ``_static/copy-link.js``
copies a heading's address when its link is used.

The scripts are added for the web builders only: an ePub must not carry them.
"""

from __future__ import annotations

from citetools.sphinxext.html_pages import is_web_build

SCRIPTS = ("citation-previews.js", "copy-link.js")


def add_scripts(app) -> None:
    if is_web_build(app):
        for script in SCRIPTS:
            app.add_js_file(script, loading_method="defer")


def setup(app):
    app.connect("builder-inited", add_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
