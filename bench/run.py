"""``make bench``: how builds and checks grow with the FAQ, against the targets.

Prints a table and writes ``_build/bench.json``. Every timing is the median of
``--runs`` runs (7 by default) after one warm-up run; the two sides of a ratio
are measured in the same invocation, their runs interleaved so that both see
the same load. Builds also record their processor time (user + system), which
a busy machine inflates far less than wall time: the JSON's details give the
ratios in processor time too, to judge a run made on a shared machine. Each
build runs ``sphinx-build`` in a process of its own, as a contributor runs it,
with the site's warnings-as-errors options.

The project's own modules are compiled to bytecode first, as a contributor's
earlier runs leave them.

``--quick`` runs every part once, at a tiny size: a check that the benchmark
works, not a measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import compile_project
from bench import linkcheck as bench_linkcheck
from testbed import sitegen

PROJECT = sitegen.PROJECT
SPHINX_OPTS = ["-n", "-W", "--keep-going", "-q"]

# key: (comparison, limit)
TARGETS = {
    "build_overhead_ratio": ("<=", 1.15),
    "incremental_s": ("<=", 1.5),
    "scale_clean_s": ("<=", 15),
    "scale_peak_mb": ("<=", 1000),
    "scale_growth_ratio": ("<=", 10),
    "lint_5000_s": ("<=", 2),
    "cli_startup_s": ("<=", 0.2),
    "linkcheck_500_s": ("<=", 10),
    "linkcheck_cached_s": ("<=", 0.2),
    "linkcheck_vs_lychee": ("<=", 1.0),
    "pdf_s": ("<=", 10),
    "pdf_mb": ("<=", 1),
}


@dataclass(frozen=True)
class Size:
    """How big each part of the benchmark is."""

    runs: int
    warmup: bool
    scale_pages: int
    scale_citations: int
    scale_entries: int
    lint_entries: int
    link_urls: int
    link_slow_seconds: float


FULL = Size(7, True, 200, 10, 2000, 5000, 500, 2.0)
QUICK = Size(1, False, 20, 10, 200, 200, 20, 0.2)


@dataclass
class Run:
    seconds: float
    peak_mb: float
    # CPU time of the process (user + system): what a busy machine does not inflate.
    cpu_s: float = 0.0


def run_process(command: list[str], cwd: Path) -> Run:
    """Run *command*; its wall time and the peak resident memory of its process."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=output)
        # wait4 reports this child's own peak, not the largest of all children so far.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            log = output.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{log}")
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def sphinx_build(source: Path, out: Path, builder: str) -> Run:
    command = [sys.executable, "-m", "sphinx", "-b", builder, *SPHINX_OPTS]
    command += ["-d", str(out / "doctrees"), str(source), str(out / builder)]
    return run_process(command, source)


def clean_build(source: Path, builders: tuple[str, ...], work: Path) -> Run:
    """A build from nothing: fresh output and doctree directories each time."""
    out = Path(tempfile.mkdtemp(dir=work))
    try:
        runs = [sphinx_build(source, out, builder) for builder in builders]
    finally:
        shutil.rmtree(out)
    return Run(
        sum(r.seconds for r in runs),
        max(r.peak_mb for r in runs),
        sum(r.cpu_s for r in runs),
    )


def repeat(size: Size, **measures) -> dict[str, list[Run]]:
    """Each measure once to warm up, then *size.runs* times, interleaved."""
    if size.warmup:
        for measure in measures.values():
            measure()
    results: dict[str, list[Run]] = {name: [] for name in measures}
    for _ in range(size.runs):
        for name, measure in measures.items():
            results[name].append(measure())
    return results


def median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def cpu_ratio(runs: list[Run], base: list[Run]) -> float:
    """The ratio of the median processor times."""
    return statistics.median(r.cpu_s for r in runs) / statistics.median(r.cpu_s for r in base)


def measure_site_builds(size: Size, work: Path) -> dict:
    """The real site: clean HTML + ePub against its bare copy, then one page touched.

    Its plain copy, built in the same runs, splits the overhead in two: what the
    bibliographies' text costs to build (plain against bare) and what the
    machinery making it costs (site against plain).
    """
    site = sitegen.copy_site(PROJECT, work / "site")
    bare = sitegen.make_bare(sitegen.copy_site(PROJECT, work / "bare"))
    out = work / "incremental"
    sphinx_build(site, out, "html")
    plain = sitegen.make_plain(sitegen.copy_site(PROJECT, work / "plain"), out / "html")
    builders = ("html", "epub")
    clean = repeat(
        size,
        site=lambda: clean_build(site, builders, work),
        bare=lambda: clean_build(bare, builders, work),
        plain=lambda: clean_build(plain, builders, work),
    )
    page = sorted((site / "faq").glob("*.md"))[0]

    def touch_and_rebuild() -> Run:
        now = time.time()
        os.utime(page, (now, now))
        return sphinx_build(site, out, "html")

    incremental = repeat(size, incremental=touch_and_rebuild)["incremental"]
    text = median(clean["plain"]) / median(clean["bare"])
    machinery = median(clean["site"]) / median(clean["plain"])
    text_cpu = cpu_ratio(clean["plain"], clean["bare"])
    machinery_cpu = cpu_ratio(clean["site"], clean["plain"])
    return {
        "build_overhead_ratio": median(clean["site"]) / median(clean["bare"]),
        "incremental_s": median(incremental),
        "samples": {
            "site_html_epub_s": [r.seconds for r in clean["site"]],
            "bare_html_epub_s": [r.seconds for r in clean["bare"]],
            "site_html_epub_cpu_s": [r.cpu_s for r in clean["site"]],
            "bare_html_epub_cpu_s": [r.cpu_s for r in clean["bare"]],
            "plain_html_epub_s": [r.seconds for r in clean["plain"]],
            "plain_html_epub_cpu_s": [r.cpu_s for r in clean["plain"]],
            "incremental_s": [r.seconds for r in incremental],
        },
        "cpu_ratios": {"build_overhead_ratio": cpu_ratio(clean["site"], clean["bare"])},
        "overhead_split": {
            "text_ratio": text,
            "machinery_ratio": machinery,
            "text_ratio_cpu": text_cpu,
            "machinery_ratio_cpu": machinery_cpu,
        },
        "note": (
            f"build_overhead_ratio = {text:.2f} (the bibliographies' text: plain copy "
            f"against bare) x {machinery:.2f} (the machinery making it: site against plain); "
            f"in processor time {text_cpu:.2f} x {machinery_cpu:.2f}"
        ),
        "site": f"{page.relative_to(site).as_posix()} touched; "
        f"{len(list((site / 'faq').glob('*.md')))} FAQ pages",
    }


def measure_scale(size: Size, work: Path) -> dict:
    """A generated site, and the same at a tenth of the size."""
    big = sitegen.generate_site(
        work / "scale", size.scale_pages, size.scale_citations, size.scale_entries
    )
    small = sitegen.generate_site(
        work / "scale-tenth",
        size.scale_pages // 10,
        size.scale_citations,
        size.scale_entries // 10,
    )
    runs = repeat(
        size,
        big=lambda: clean_build(big, ("html",), work),
        small=lambda: clean_build(small, ("html",), work),
    )
    return {
        "scale_clean_s": median(runs["big"]),
        "scale_peak_mb": max(r.peak_mb for r in runs["big"]),
        "scale_growth_ratio": median(runs["big"]) / median(runs["small"]),
        "samples": {
            "scale_clean_s": [r.seconds for r in runs["big"]],
            "scale_tenth_s": [r.seconds for r in runs["small"]],
            "scale_peak_mb": [r.peak_mb for r in runs["big"]],
            "scale_clean_cpu_s": [r.cpu_s for r in runs["big"]],
            "scale_tenth_cpu_s": [r.cpu_s for r in runs["small"]],
        },
        "cpu_ratios": {"scale_growth_ratio": cpu_ratio(runs["big"], runs["small"])},
        "site": f"{size.scale_pages} pages x {size.scale_citations} citations, "
        f"{size.scale_entries} entries; tenth: {size.scale_pages // 10} pages, "
        f"{size.scale_entries // 10} entries",
    }


def measure_lint(size: Size, work: Path) -> dict:
    """``citetools lint`` on a generated .bib, no pages to cross-check."""
    bib = work / "lint" / "references.bib"
    pages = work / "lint" / "pages"
    pages.mkdir(parents=True)
    sitegen.write_bib(bib, size.lint_entries)
    command = [sys.executable, "-m", "citetools", "lint", str(bib), "--pages", str(pages)]

    def lint() -> Run:
        start = time.perf_counter()
        result = subprocess.run(command, cwd=work, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        # 1 means findings, which a generated file may well have.
        if result.returncode not in (0, 1):
            raise RuntimeError(f"citetools lint exited {result.returncode}:\n{result.stderr}")
        return Run(seconds, 0)

    # Start-up: `lint --help`, and a lint of a 50-entry file (neither loads Sphinx).
    small = work / "lint" / "small.bib"
    sitegen.write_bib(small, 50)
    startup_commands = {
        "help": [sys.executable, "-m", "citetools", "lint", "--help"],
        "lint_50": [sys.executable, "-m", "citetools", "lint", str(small)],
    }

    def timed(command: list[str]) -> Callable[[], Run]:
        def run() -> Run:
            start = time.perf_counter()
            subprocess.run(command, cwd=work, capture_output=True, text=True)
            return Run(time.perf_counter() - start, 0)

        return run

    runs = repeat(size, lint=lint)["lint"]
    startup = repeat(size, **{name: timed(c) for name, c in startup_commands.items()})
    return {
        "lint_5000_s": median(runs),
        "cli_startup_s": max(median(startup[name]) for name in startup_commands),
        "samples": {
            "lint_s": [r.seconds for r in runs],
            **{f"cli_startup_{n}_s": [r.seconds for r in startup[n]] for n in startup_commands},
        },
        "site": f"{size.lint_entries} generated entries",
    }


def measure_links(size: Size, work: Path) -> dict:
    """``bench/linkcheck.py``: ours cold and cached, and lychee, interleaved on one web."""
    if size.warmup:
        bench_linkcheck.measure(count=size.link_urls, slow_seconds=size.link_slow_seconds)
    figures = bench_linkcheck.measure(
        count=size.link_urls, slow_seconds=size.link_slow_seconds, repetitions=size.runs
    )
    if any(code != 0 for name in ("cold", "cached") for code in figures["exits"][name]):
        raise RuntimeError(f"the link check found broken links on loopback: {figures}")
    samples = figures["samples"]
    return {
        "linkcheck_500_s": statistics.median(samples["cold"]),
        "linkcheck_cached_s": statistics.median(samples["cached"]),
        # Each cold run over the lychee run beside it, then the median of those ratios.
        "linkcheck_vs_lychee": statistics.median(figures["ratios"]),
        "samples": {
            "linkcheck_cold_s": samples["cold"],
            "linkcheck_cached_s": samples["cached"],
            "lychee_s": samples["lychee"],
            "lychee_exit": figures["exits"]["lychee"],
            "ratios": figures["ratios"],
        },
        "site": (
            f"{size.link_urls} loopback URLs on {figures['hosts']} hosts, 10% answering after "
            f"{size.link_slow_seconds:g} s; per host: {figures['limits']}"
        ),
    }


def measure_pdf(size: Size, work: Path) -> dict:
    """``make pdf`` from nothing: the single-page build, the book and its layout."""
    command = [sys.executable, "-m", "citetools.pdfbook", "--srcdir", str(PROJECT)]
    last = work / "last"

    def build() -> Run:
        out = Path(tempfile.mkdtemp(dir=work))
        try:
            run = run_process([*command, "--builddir", str(out)], work)
            shutil.rmtree(last, ignore_errors=True)
            shutil.copytree(out / "pdf", last, ignore=shutil.ignore_patterns("doctrees"))
        finally:
            shutil.rmtree(out)
        return run

    runs = repeat(size, pdf=build)["pdf"]
    from pypdf import PdfReader  # a test dependency, as `make bench` installs them

    pdf = last / "co-responder-faq.pdf"
    pages = len(PdfReader(pdf).pages)
    return {
        "pdf_s": median(runs),
        "pdf_mb": pdf.stat().st_size / 1024 / 1024,
        "pdf_pages": pages,
        "pdf_cpu_s": statistics.median(r.cpu_s for r in runs),
        "samples": {"pdf_s": [r.seconds for r in runs], "pdf_cpu_s": [r.cpu_s for r in runs]},
        "site": "the real site, US Letter",
        "note": f"{pages} pages, {pdf.stat().st_size / 1024:.0f} KB, "
        f"{statistics.median(r.cpu_s for r in runs):.1f} s of CPU a build",
    }


def machine() -> dict:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg(),
    }


PARTS = {
    "site builds": measure_site_builds,
    "scale": measure_scale,
    "lint": measure_lint,
    "link check": measure_links,
    "pdf": measure_pdf,
}


def verdict(key: str, value) -> str:
    if value is None:
        return "n/a"
    comparison, limit = TARGETS[key]
    met = value <= limit if comparison == "<=" else value >= limit
    return "met" if met else "MISSED"


def table(results: dict) -> str:
    lines = [f"{'key':<22} {'value':>9}  {'target':<9} verdict"]
    for key, (comparison, limit) in TARGETS.items():
        value = results.get(key)
        shown = "null" if value is None else f"{value:9.2f}"
        lines.append(f"{key:<22} {shown:>9}  {comparison} {limit:<6g} {verdict(key, value)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each part once, tiny sizes")
    parser.add_argument("--runs", type=int, help="runs per timing after the warm-up")
    parser.add_argument("--only", choices=list(PARTS), action="append", help="run only these")
    parser.add_argument(
        "--out", type=Path, default=PROJECT / "_build" / "bench.json", help="JSON to write"
    )
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    if args.runs:
        size = Size(**{**size.__dict__, "runs": args.runs})
    started = time.perf_counter()
    compile_project()
    host = machine()
    results: dict = {key: None for key in TARGETS}
    details: dict = {}
    with tempfile.TemporaryDirectory(prefix="faq-bench-") as tmp:
        for name, measure in PARTS.items():
            if args.only and name not in args.only:
                continue
            print(f"bench: {name}...", file=sys.stderr, flush=True)
            work = Path(tmp) / name.replace(" ", "-")
            work.mkdir()
            part = measure(size, work)
            details[name] = {
                k: part.pop(k)
                for k in ("samples", "site", "note", "cpu_ratios", "overhead_split")
                if k in part
            }
            results.update(part)
    report = {
        **results,
        "targets": {key: f"{c} {limit:g}" for key, (c, limit) in TARGETS.items()},
        "verdicts": {key: verdict(key, results[key]) for key in TARGETS},
        "runs": size.runs,
        "warmup": size.warmup,
        "quick": args.quick,
        "machine": {**host, "load_average_at_end": os.getloadavg()},
        "elapsed_s": round(time.perf_counter() - started, 1),
        "details": details,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    for name, detail in details.items():
        if "note" in detail:
            print(f"{name}: {detail['note']}")
        for key, value in detail.get("cpu_ratios", {}).items():
            print(f"{key} in processor time: {value:.2f}")
    load = report["machine"]
    print(
        f"load average (1, 5, 15 min): {load['load_average_at_start']} at the start, "
        f"{load['load_average_at_end']} at the end"
    )
    print(f"({report['elapsed_s']} s; medians of {size.runs} runs; written to {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
