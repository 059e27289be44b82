"""``make bench`` (``python -m bench.run``): timings of builds, lint and link checks."""

import compileall
from pathlib import Path


def compile_project() -> None:
    """Write the bytecode of the project's own modules, as a contributor's earlier runs
    leave it: PYTHONDONTWRITEBYTECODE (set on some machines) would otherwise time the
    compiling of every changed module of citetools in every run, and on one side of a
    ratio more than on the other."""
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "citetools", quiet=1)
