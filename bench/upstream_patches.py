"""A pytest plugin: upstream's own test suite, run with our patches of it loaded.

``bench/upstream_tests.sh`` runs sphinxcontrib-bibtex's and pybtex's test suites
with ``-p bench.upstream_patches``. Every Sphinx application that loads
sphinxcontrib.bibtex then loads ``citetools.sphinxext.bibtex_speedups`` right
after it (its domain, directive and pybtex patches), and pybtex's patches are
applied before any test runs. A run fails if the version guard switched the
speedups off, since nothing would then have been tested.
"""

from __future__ import annotations

from typing import Any

import pytest
from sphinx.application import Sphinx
from sphinx.registry import SphinxComponentRegistry

from citetools.sphinxext import bibtex_speedups, upstream_versions

SPEEDUPS = "citetools.sphinxext.bibtex_speedups"
_apps = {"with speedups": 0, "without": 0}
_load_extension = SphinxComponentRegistry.load_extension


def _load_with_speedups(self: SphinxComponentRegistry, app: Sphinx, extname: str) -> None:
    loads_bibtex = extname == "sphinxcontrib.bibtex" and extname not in app.extensions
    _load_extension(self, app, extname)
    if loads_bibtex:
        _load_extension(self, app, SPEEDUPS)
        _apps["with speedups" if bibtex_speedups.is_active(app) else "without"] += 1


def pytest_configure(config: pytest.Config) -> None:
    untested = upstream_versions.untested(upstream_versions.BIBTEX)
    if untested:
        raise pytest.UsageError(f"bibtex_speedups is not written for {untested}")
    bibtex_speedups.patch_pybtex()
    SphinxComponentRegistry.load_extension = _load_with_speedups  # type: ignore[method-assign]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(
        f"upstream_patches: pybtex patched; Sphinx apps with bibtex_speedups: "
        f"{_apps['with speedups']}, with it switched off: {_apps['without']}"
    )
