"""A pytest plugin: Sphinx's own linkcheck tests, run with our changes to its checker.

``bench/upstream_tests.sh`` runs Sphinx's ``tests/test_builders/test_build_linkcheck.py``
with ``-p bench.upstream_linkcheck``. The worker patches of
``citetools.sphinxext.linkcheck_sources`` are applied before any test runs, and every
Sphinx application that loads the linkcheck builder also loads that extension, so the
per-host gate, the bounded 429 wait, the early start and the manifest take part in
every one of Sphinx's cases.

The per-host interval is 0 here: with the site's 1 s between two requests to one host,
Sphinx's ``test_connection_contention`` (10 links to one host within 5 s) fails by
design; that interval is tested by ``tests/test_linkcheck_politeness.py``. The limit of
requests at once per host stays at the site's value.
"""

from __future__ import annotations

import weakref
from typing import Any

import pytest
from sphinx.application import Sphinx
from sphinx.registry import SphinxComponentRegistry

from citetools.sphinxext import linkcheck_sources

EXTENSION = "citetools.sphinxext.linkcheck_sources"
_apps = {"with": 0}
_load_extension = SphinxComponentRegistry.load_extension
_loading: weakref.WeakSet[Sphinx] = weakref.WeakSet()


def _load_with_ours(self: SphinxComponentRegistry, app: Sphinx, extname: str) -> None:
    _load_extension(self, app, extname)
    # Ours loads the linkcheck builder itself: the guard keeps that from looping.
    if extname == "sphinx.builders.linkcheck" and app not in _loading:
        _loading.add(app)
        _load_extension(self, app, EXTENSION)
        app.config.citetools_linkcheck_host_interval = 0.0
        _apps["with"] += 1


def pytest_configure(config: pytest.Config) -> None:
    if not linkcheck_sources.patches_apply():
        raise pytest.UsageError("linkcheck_sources' patches are not written for this Sphinx")
    linkcheck_sources._patch_worker()
    SphinxComponentRegistry.load_extension = _load_with_ours  # type: ignore[method-assign]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(
        f"upstream_linkcheck: worker patched; Sphinx apps with {EXTENSION}: {_apps['with']}"
    )
