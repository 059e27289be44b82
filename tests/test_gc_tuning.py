"""gc_tuning leaves the collector as it found it, whether the build succeeds or fails."""

import gc
import shutil

import pytest

from citetools.sphinxext import gc_tuning

from conftest import ROOTS


@pytest.fixture
def collector():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield (700, 10, 10)
    gc.set_threshold(*before)


def app_failing_at(make_app, tmp_path, event):
    shutil.copytree(ROOTS / "test-gc-tuning", tmp_path / "src")
    return make_app("html", srcdir=tmp_path / "src", confoverrides={"fail_at": event})


def test_a_build_runs_tuned_and_restores(make_app, tmp_path, collector, monkeypatch):
    seen = []
    tune = gc_tuning.tune
    monkeypatch.setattr(
        gc_tuning, "tune", lambda *args: (tune(*args), seen.append(gc.get_threshold()))
    )
    app = app_failing_at(make_app, tmp_path, "")
    app.build()
    assert seen == [(gc_tuning.FIRST_GENERATION_THRESHOLD, 10, 10)]
    assert gc.get_threshold() == collector
    assert gc.get_freeze_count() == 0


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
