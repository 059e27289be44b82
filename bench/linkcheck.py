"""Benchmark of link checking: 500 source URLs on a loopback server, 10% of them slow.

Three runs over the same bibliography:

* ``make linkcheck`` as the site runs it (the project's conf.py settings), cold cache;
* the same again, every link now cached as working: answered without starting Sphinx;
* Sphinx's linkcheck with its default settings, for comparison.

``python -m bench.linkcheck`` prints the figures; ``measure()`` returns them, for a
``make bench`` that gathers several benchmarks. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The tests' loopback server: `/ok` answers at once, `/slow` after its slow_seconds.
from testbed.linkserver import serving

PROJECT = Path(__file__).resolve().parents[1]


def _bibliography(port: int, count: int, slow_fraction: float) -> str:
    slow_every = round(1 / slow_fraction) if slow_fraction else 0
    entries = []
    for i in range(count):
        # The query makes each URL a link of its own; the server ignores it.
        kind = "slow" if slow_every and i % slow_every == 0 else "ok"
        entries.append(
            f"@misc{{source{i},\n  author = {{Author{i}, Ann}},\n  title = {{Source {i}}},\n"
            f"  year = {{2020}},\n  url = {{http://127.0.0.1:{port}/{kind}?source={i}}},\n}}\n"
        )
    return "\n".join(entries)


def _site(root: Path, bib: str, conf: str) -> Path:
    root.mkdir(parents=True)
    (root / "conf.py").write_text(conf, encoding="utf-8")
    (root / "index.md").write_text("# Sources\n\n```{bibliography}\n:all:\n```\n")
    (root / "references.bib").write_text(bib, encoding="utf-8")
    return root


_DEFAULT_CONF = """\
extensions = ["myst_parser", "sphinxcontrib.bibtex", "citetools.sphinxext.bibstyle"]
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "faq"
bibtex_reference_style = "faq"
"""


def _timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def _citetools(root: Path) -> int:
    # A process of its own, as make runs it: the interpreter's start counts too.
    command = [sys.executable, "-m", "citetools", "links", "--check", "--srcdir", str(root)]
    return subprocess.run(command, capture_output=True, check=False).returncode


def _sphinx_default(root: Path) -> int:
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-q",
        "-b",
        "linkcheck",
        str(root),
        str(root / "_build/linkcheck"),
    ]
    return subprocess.run(command, capture_output=True, check=False).returncode


def measure(count: int = 500, slow_fraction: float = 0.1, slow_seconds: float = 2.0) -> dict:
    """Seconds taken by each run, with the number of URLs and slow ones."""
    with serving(slow_seconds) as server, tempfile.TemporaryDirectory() as tmp:
        bib = _bibliography(server.port, count, slow_fraction)
        ours = _site(Path(tmp) / "site", bib, (PROJECT / "conf.py").read_text())
        default = _site(Path(tmp) / "default", bib, _DEFAULT_CONF)
        cold, cold_code = _timed(lambda: _citetools(ours))
        cached, cached_code = _timed(lambda: _citetools(ours))
        sphinx, sphinx_code = _timed(lambda: _sphinx_default(default))
        log = (ours / "_build/linkcheck/sphinx.log").read_text()
    return {
        "urls": count,
        "slow_urls": sum(1 for line in bib.splitlines() if "/slow?" in line),
        "slow_seconds": slow_seconds,
        "project_cold_s": round(cold, 2),
        "project_cold_exit": cold_code,
        "project_cached_s": round(cached, 2),
        "project_cached_exit": cached_code,
        "sphinx_default_s": round(sphinx, 2),
        "sphinx_default_exit": sphinx_code,
        "sphinx_log_tail": log.strip().splitlines()[-1] if log.strip() else "",
    }


def main() -> int:
    os.chdir(PROJECT)
    figures = measure()
    print(
        f"{figures['urls']} source URLs, {figures['slow_urls']} answering after "
        f"{figures['slow_seconds']:g} s, loopback server"
    )
    print(
        f"  make linkcheck, cold cache:          {figures['project_cold_s']:6.2f} s "
        f"(exit {figures['project_cold_exit']})"
    )
    print(
        f"  make linkcheck, all cached:          {figures['project_cached_s']:6.2f} s "
        f"(exit {figures['project_cached_exit']})"
    )
    print(
        f"  Sphinx linkcheck, default settings:  {figures['sphinx_default_s']:6.2f} s "
        f"(exit {figures['sphinx_default_exit']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
