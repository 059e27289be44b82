"""What an incremental build must do again to show what a clean build shows.

Two of Sphinx's shortcuts left a contributor's preview wrong after an edit
(``make html`` builds the ePub, then the HTML, from one doctree directory):

* A builder writes again only the pages whose source is newer than its own
  output. After an edit to ``references.bib`` the first builder reads the pages
  that cite it again; the second found their sources unchanged and kept its old
  pages (the HTML showed the old title). A page whose doctree is newer than
  this builder's output of it is now written again.
* A page is read only when it changed, and its warnings (a key that is not in
  the .bib, a citation that cannot be read) come only when it is read or
  written: the next build succeeded with the mistake still in the page. The
  pages that warned are kept beside the doctrees and read again by the next
  build, whichever builder runs it, so the warning comes again until it is
  fixed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment
from sphinx.util import logging as sphinx_logging
from sphinx.util.typing import ExtensionMetadata

_WARNED = "citetools-warned.json"


def _warned_file(app: Sphinx) -> Path:
    return Path(app.doctreedir, _WARNED)


def _docname(env: BuildEnvironment, location: object) -> str | None:
    """The page a warning's location names, in any of the forms Sphinx accepts."""
    if isinstance(location, tuple):
        location = location[0]
    if isinstance(location, nodes.Node):
        location = sphinx_logging.get_node_location(location)
    if not isinstance(location, str) or not location:
        return None
    if location in env.found_docs:
        return location
    path = location.rsplit(":", 1)[0] if ":" in location else location
    return env.path2doc(path)


class _Warnings(logging.Handler):
    """The pages that warned in this build (warnings the configuration suppresses aside)."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__(logging.WARNING)
        self.app = app
        self.docnames: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        suppressed = self.app.config.suppress_warnings
        kind, subkind = getattr(record, "type", None), getattr(record, "subtype", None) or ""
        if kind and sphinx_logging.is_suppressed_warning(kind, subkind, suppressed):
            return
        docname = _docname(self.app.env, getattr(record, "location", None))
        if docname is not None:
            self.docnames.add(docname)


_handler: _Warnings | None = None
_read: set[str] = set()


def _previously_warned(app: Sphinx) -> set[str]:
    try:
        saved = json.loads(_warned_file(app).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {name for name in saved if isinstance(name, str)} if isinstance(saved, list) else set()


def listen(app: Sphinx) -> None:
    global _handler
    _read.clear()
    _handler = _Warnings(app)
    logging.getLogger(sphinx_logging.NAMESPACE).addHandler(_handler)


def read_again(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> Iterable[str]:
    return _previously_warned(app) & env.found_docs


def note_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    _read.update(docnames)


def write_again(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages read since this builder last wrote them (by another builder, or a failed build)."""
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder):
        return []
    stale = []
    for docname in sorted(env.found_docs):
        try:
            read = Path(app.doctreedir, f"{docname}.doctree").stat().st_mtime_ns
            written = Path(builder.get_outfilename(docname)).stat().st_mtime_ns
        except OSError:
            continue  # not read yet, or never written: Sphinx writes it anyway
        if read > written:
            stale.append(docname)
    return stale


def remember(app: Sphinx, exception: BaseException | None) -> None:
    global _handler
    handler, _handler = _handler, None
    if handler is None:
        return
    logging.getLogger(sphinx_logging.NAMESPACE).removeHandler(handler)
    # A page this build did not read keeps its warning for the next one.
    warned = (_previously_warned(app) - _read) | handler.docnames
    try:
        _warned_file(app).write_text(json.dumps(sorted(warned)), encoding="utf-8")
    except OSError:
        pass  # the doctree directory is gone: the next build reads every page


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("builder-inited", listen)
    app.connect("env-get-outdated", read_again)
    app.connect("env-before-read-docs", note_read)
    app.connect("env-updated", write_again)
    app.connect("build-finished", remember, priority=1000)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
