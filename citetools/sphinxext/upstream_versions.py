"""Which upstream versions the speed patches were written for, and the check.

``bibtex_speedups``, ``search_stems`` and ``site_menu`` replace or wrap code
inside sphinxcontrib-bibtex, pybtex, Sphinx and furo. Each was proven against
the versions named here, with upstream's own test suite run with the patch
loaded (``bench/upstream_tests.sh``). On any other version a patch may no longer
match the code it replaces, so it stays off and says so once: the build is the
same, only slower. To accept a new version, run ``bench/upstream_tests.sh`` for
it, compare ``make bench``, and add it here and to ``pyproject.toml``.
"""

from __future__ import annotations

import functools
import importlib.metadata
from collections.abc import Mapping

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Distribution name -> the versions a patch was written for and tested with.
BIBTEX = {"sphinxcontrib-bibtex": ("2.7.0",), "pybtex": ("0.26.1",)}
SPHINX = {"sphinx": ("9.0.4",)}
FURO = {"furo": ("2025.12.19",)}


@functools.cache  # asked up to three times per build; each asking reads the installed metadata
def installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def untested(written_for: Mapping[str, tuple[str, ...]]) -> dict[str, str | None]:
    """The distributions installed at a version the patch was not written for."""
    found = {name: installed_version(name) for name in written_for}
    return {name: version for name, version in found.items() if version not in written_for[name]}


def check(app: Sphinx, patch: str, written_for: Mapping[str, tuple[str, ...]]) -> bool:
    """True when *patch* may run; otherwise one warning saying why it is off."""
    off = untested(written_for)
    if not off:
        return True
    found = ", ".join(f"{name} {version or 'not installed'}" for name, version in off.items())
    tested = ", ".join(f"{name} {' or '.join(versions)}" for name, versions in written_for.items())
    logger.warning(
        f"{patch} is switched off: it was written for {tested}, and this build has "
        f"{found}. The output is the same, only slower. To switch it back on, run "
        "bench/upstream_tests.sh with the new version and add the version to "
        "citetools/sphinxext/upstream_versions.py.",
        type="citetools",
        subtype="untested_upstream",
    )
    return False
