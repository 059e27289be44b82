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

Both are undone when the build finishes, for long-lived processes
(``make serve``). Objects are still freed by reference counting as before;
only cyclic garbage waits a little longer.
"""

import gc

FIRST_GENERATION_THRESHOLD = 10_000

_saved_thresholds: tuple[int, int, int] | None = None


def tune(app) -> None:
    global _saved_thresholds
    _saved_thresholds = gc.get_threshold()
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, *_saved_thresholds[1:])


def freeze(app, *args) -> None:
    gc.freeze()


def restore(app, exception) -> None:
    gc.unfreeze()
    if _saved_thresholds is not None:
        gc.set_threshold(*_saved_thresholds)


def setup(app):
    app.connect("builder-inited", tune, priority=100)
    # Late, after sphinxcontrib-bibtex parsed the .bib at builder-inited.
    app.connect("env-before-read-docs", freeze, priority=900)
    # Every page is written: what is left lives to the end, while the finished
    # pages are rewritten (html_pages) and parsed again.
    app.connect("build-finished", freeze, priority=1)
    app.connect("build-finished", restore, priority=1000)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
