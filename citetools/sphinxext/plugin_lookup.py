"""pybtex's plugin look-ups answered from one reading of the installed entry points.

``pybtex.plugin.find_plugin`` reads the metadata of every installed
distribution on each call for a plugin that is not registered at run time:
twice while sphinxcontrib-bibtex's modules load (its citation role and its
bibliography transform each look up the docutils backend in their class
bodies), then for the "plain" name style, the "plaintext" backend and more, in
every bibliography and citation. The metadata cannot change during a build, so
it is read once, and indexed by group and name: selecting from it compares every
entry point installed (220 here) on each look-up.

This module patches on import, so that ``bibtex_speedups`` (which imports it
first) is in place before sphinxcontrib-bibtex loads; ``conf.py`` lists that
extension first for this reason. Like the other speedups it runs only on the
pybtex and sphinxcontrib-bibtex versions in ``upstream_versions``: on others
nothing is patched, and ``bibtex_speedups`` warns once.
"""

from __future__ import annotations

import functools
import importlib.metadata
import warnings
from typing import Any

import pybtex.plugin

from citetools.sphinxext import upstream_versions

_UPSTREAM = pybtex.plugin.entry_points


@functools.cache
def _installed() -> Any:  # SelectableGroups on Python 3.11
    return importlib.metadata.entry_points()


@functools.cache
def _by_group_and_name() -> dict[tuple[str, str], list[importlib.metadata.EntryPoint]]:
    # Selecting scans every entry point installed, for each look-up: one scan answers all.
    installed = _installed()
    if isinstance(installed, dict):  # Python 3.11: by group, the same order as select()'s
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # for the dict interface
            installed = [entry_point for group in installed.values() for entry_point in group]
    index: dict[tuple[str, str], list[importlib.metadata.EntryPoint]] = {}
    for entry_point in installed:
        index.setdefault((entry_point.group, entry_point.name), []).append(entry_point)
    return index


def entry_points(**params: str) -> Any:
    """``importlib.metadata.entry_points(**params)``, from one reading of the metadata."""
    if params.keys() == {"group", "name"}:  # every look-up of a plugin by its name
        found = _by_group_and_name().get((params["group"], params["name"]), [])
        return importlib.metadata.EntryPoints(found)
    return _selected(tuple(sorted(params.items())))


@functools.cache
def _selected(params: tuple[tuple[str, str], ...]) -> Any:
    return _installed().select(**dict(params))


def patch() -> None:
    # pybtex.plugin looks entry points up through this module-level name.
    pybtex.plugin.entry_points = entry_points


def unpatch() -> None:
    pybtex.plugin.entry_points = _UPSTREAM


if not upstream_versions.untested(upstream_versions.BIBTEX):
    patch()
