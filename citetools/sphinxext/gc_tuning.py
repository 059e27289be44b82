"""Keep Python's garbage collector from rescanning what a build holds.

Every full collection walks every live container object, and a build holds
many: the environment, the parsed .bib, each page's doctree until it is
written. Reading and writing pages allocate nodes by the hundred thousand, so
with the default thresholds (700, 10, 10) collections come often and the full
ones grow with the site: on a generated site of 200 pages and 2,000 entries
(``make bench``) they took 6 s of a 19.5 s build, much of its growth over a
site a tenth of that size.

* ``gc.freeze()`` once the .bib is parsed, just before pages are read: what is
  alive then (extensions, configuration, bibliography) stays alive to the end
  and need not be scanned again. Not once pages are read: the doctrees Sphinx
  keeps for the writing phase would be frozen too and never collected once
  written. Again once every page is written, while ``html_pages`` parses the
  finished pages once more.
* A first-generation threshold of 10,000 instead of 700 makes collections
  rarer; each then looks at more new objects, so the work per object is the
  same, but far fewer full collections rescan the long-lived ones. Larger
  thresholds measured no faster.

Both are undone when the build ends, for long-lived processes (``make
serve``, tests), whether it succeeded or not: the tuning starts inside
Sphinx's build (at ``env-before-read-docs``), where any error ends in
``build-finished``; an error before the build leaves the collector untouched.
Objects are still freed by reference counting as before; only cyclic garbage
waits a little longer.

* ``gc.freeze()`` once more as the process exits: Python's last collection
  would walk, and free one by one, everything the finished build left behind,
  only for the operating system to reclaim the memory an instant later. On
  that 200-page site it kept ``sphinx-build`` alive 3 to 4 s after the build
  had ended. (Frozen objects get no finalizers at exit, as any object still
  referenced then; Sphinx closes every file it writes before the build ends.)
"""

from __future__ import annotations

import atexit
import gc

from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

FIRST_GENERATION_THRESHOLD = 10_000

_saved_thresholds: tuple[int, int, int] | None = None
_exit_registered = False


def tune(app: Sphinx, *args: object) -> None:
    global _saved_thresholds
    if _saved_thresholds is None:
        _saved_thresholds = gc.get_threshold()
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, *_saved_thresholds[1:])
    gc.freeze()


def finished(app: Sphinx, exception: BaseException | None) -> None:
    if exception is None:
        # Every page is written: what is left lives to the end, while the
        # finished pages are rewritten (html_pages) and parsed again.
        gc.freeze()
    else:
        # Before any other handler, which may fail again.
        restore(app, exception)


def restore(app: Sphinx, exception: BaseException | None) -> None:
    global _saved_thresholds
    gc.unfreeze()
    if _saved_thresholds is not None:
        gc.set_threshold(*_saved_thresholds)
        _saved_thresholds = None


def skip_last_collection() -> None:
    """At the process's exit, leave what is still alive to the operating system."""
    global _exit_registered
    if not _exit_registered:
        _exit_registered = True
        atexit.register(gc.freeze)


def setup(app: Sphinx) -> ExtensionMetadata:
    skip_last_collection()
    # Late, once sphinxcontrib-bibtex has parsed the .bib (at builder-inited):
    # what is alive then stays alive to the end.
    app.connect("env-before-read-docs", tune, priority=900)
    app.connect("build-finished", finished, priority=1)
    app.connect("build-finished", restore, priority=1000)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
