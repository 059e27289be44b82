"""The collector is tuned while Sphinx builds and left as it was found once the build ends,
whether it succeeds or fails, for long-lived processes such as `make serve`."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys

import pytest

from citetools.sphinxext import gc_tuning
from citetools.sphinxext.gc_tuning import FIRST_GENERATION_THRESHOLD

from conftest import ROOTS


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


@pytest.fixture
def collector():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield (700, 10, 10)
    gc.set_threshold(*before)


def app_failing_at(make_app, tmp_path, event):
    shutil.copytree(ROOTS / "test-gc-tuning", tmp_path / "src")
    return make_app("html", srcdir=tmp_path / "src", confoverrides={"fail_at": event})


@pytest.mark.parametrize("event", ["source-read", "build-finished"])
def test_a_failed_build_restores_the_collector(make_app, tmp_path, collector, event):
    app = app_failing_at(make_app, tmp_path, event)
    with pytest.raises(Exception, match=f"failed at {event}"):
        app.build()
    assert gc.get_threshold() == collector
    assert gc.get_freeze_count() == 0


def test_a_failure_before_the_build_leaves_the_collector_alone(make_app, tmp_path, collector):
    with pytest.raises(Exception, match="failed at builder-inited"):
        app_failing_at(make_app, tmp_path, "builder-inited")
    assert gc.get_threshold() == collector
    assert gc.get_freeze_count() == 0
    assert gc_tuning._saved_thresholds is None


def test_sphinx_build_leaves_what_it_built_to_the_system_at_exit(tmp_path):
    # Exit handlers run last registered first: this one, registered before Sphinx
    # loads the extension, sees the collector as Python's final collection will.
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "from sphinx.cmd.build import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    source = tmp_path / "src"
    shutil.copytree(ROOTS / "test-gc-tuning", source)
    result = subprocess.run(
        [sys.executable, "-c", script, "-b", "html", "-q", str(source), str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "frozen at exit: True"
