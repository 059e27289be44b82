"""The collector is tuned while Sphinx builds and left as it was found once the build ends,
for long-lived processes such as `make serve`."""

from __future__ import annotations

import gc

import pytest

from citetools.sphinxext.gc_tuning import FIRST_GENERATION_THRESHOLD


@pytest.fixture
def untuned():
    """The collector's settings before Sphinx starts (the extension tunes it at start-up)."""
    return gc.get_threshold(), gc.get_freeze_count()


@pytest.mark.sphinx("html", testroot="gc-tuning")
def test_the_build_runs_tuned_and_leaves_the_collector_as_it_was(untuned, app, warning):
    during = []
    app.connect("doctree-resolved", lambda *_: during.append(gc.get_threshold()))
    app.build()
    assert warning.getvalue() == ""
    assert during and all(t[0] == FIRST_GENERATION_THRESHOLD for t in during)
    assert untuned[0][0] != FIRST_GENERATION_THRESHOLD
    assert (gc.get_threshold(), gc.get_freeze_count()) == untuned
