"""Shared fixtures: the real site built once per session, and Sphinx test roots."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from testbed import sitegen

PROJECT = Path(__file__).resolve().parents[1]
ROOTS = Path(__file__).resolve().parent / "roots"
SPHINX_OPTS = ["-n", "-W", "--keep-going"]


@pytest.fixture(scope="session")
def rootdir():
    """Test roots for ``sphinx.testing``: ``@pytest.mark.sphinx(testroot=...)``."""
    return ROOTS


@pytest.fixture
def built(app, warning):
    """The test root, built in this process; like the site, it must build without a warning."""
    app.build()
    assert warning.getvalue() == ""
    return app


def make_help() -> dict[str, str]:
    """The targets `make help` lists, each with what it says the target does."""
    result = subprocess.run(
        ["make", "help"], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    # Targets are the indented lines (under `make test`, make also says which directory).
    rows = [line.split(maxsplit=1) for line in result.stdout.splitlines() if line.startswith("  ")]
    return {row[0]: row[1] if len(row) > 1 else "" for row in rows}


def page(app, name: str = "index.html") -> BeautifulSoup:
    """A page of a built test root, as a reader's browser parses it."""
    return BeautifulSoup((app.outdir / name).read_text(encoding="utf-8"), "html.parser")


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables for the commands run inside the block, then restore them."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def sphinx_build(
    source: Path,
    out: Path,
    builder: str = "html",
    *extra: str,
    launcher: tuple[str, ...] = ("-m", "sphinx"),
):
    """Run sphinx-build as a contributor would; return the finished process.

    Sphinx colours its messages when CI is set; tests compare the text a reader sees."""
    return subprocess.run(
        [
            sys.executable,
            *launcher,
            "-b",
            builder,
            *SPHINX_OPTS,
            *extra,
            str(source),
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=source,
        env={**os.environ, "NO_COLOR": "1"},
    )


# A build in a process of its own that records the calls of one function made in
# that process: a child the build forks records its own, unseen here, so the calls
# show what the build did itself and what it left to a child. A process of its
# own also runs none of the other tests' threads (a build forks only without any).
_RECORDING_BUILD = """
import json, sys, time
from importlib import import_module
from sphinx.builders import Builder
from sphinx.cmd.build import build_main
from citetools.sphinxext import forking

target, index, attribute, fork, slow, *arguments = sys.argv[1:]
module, _, qualname = target.partition(":")
*path, name = qualname.split(".")
owner = import_module(module)
for part in path:
    owner = getattr(owner, part)
original = getattr(owner, name)
calls = []

def recording(*args, **kwargs):
    calls.append(str(getattr(args[int(index)], attribute)))
    return original(*args, **kwargs)

setattr(owner, name, recording)
if fork == "no":
    forking.can_fork = lambda: False
read_doc = Builder.read_doc

def slowly(self, *args, **kwargs):
    time.sleep(float(slow))
    return read_doc(self, *args, **kwargs)

Builder.read_doc = slowly
status = build_main(arguments)
print(json.dumps({"status": status, "calls": calls}))
"""


def recording_build(
    source: Path, out: Path, target: str, argument: tuple[int, str], *, fork: bool, slow: float = 0
) -> list[str]:
    """Build *source* into *out* (HTML) in a process of its own, forking or not, each page
    read *slow* seconds late; the calls of *target* (``module:qualified.name``) made in
    that process, each as its argument ``(position, attribute)``."""
    position, attribute = argument
    options = (target, str(position), attribute, "yes" if fork else "no", str(slow))
    run = sphinx_build(source, out, "html", "-q", launcher=("-c", _RECORDING_BUILD, *options))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    result = json.loads(run.stdout.splitlines()[-1])
    assert result["status"] == 0, run.stderr[-3000:]
    calls: list[str] = result["calls"]
    return calls


def copy_site(dest: Path) -> Path:
    """A copy of the site's sources that a test may break: the pages conf.py includes."""
    return sitegen.copy_site(PROJECT, dest)


def _build_once(tmp_path_factory, builder: str) -> Path:
    out = tmp_path_factory.mktemp(builder)
    doctrees = tmp_path_factory.mktemp(f"{builder}-doctrees")
    result = sphinx_build(PROJECT, out, builder, "-d", str(doctrees))
    assert result.returncode == 0, f"{builder} build failed:\n{result.stdout}\n{result.stderr}"
    assert "WARNING" not in result.stderr, result.stderr
    (out / "build.log").write_text(result.stdout + result.stderr)
    return out


@pytest.fixture(scope="session")
def site_html(tmp_path_factory) -> Path:
    """The real site, built to HTML with warnings as errors."""
    return _build_once(tmp_path_factory, "html")


@pytest.fixture(scope="session")
def site_epub(tmp_path_factory) -> Path:
    """The real site, built to an ePub with warnings as errors."""
    return _build_once(tmp_path_factory, "epub")
