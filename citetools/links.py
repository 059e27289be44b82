"""``citetools links``: which entry's link is broken, on which line, and what to do.

Reads Sphinx's ``linkcheck`` results (``_build/linkcheck/output.json``) and writes
``sources.json`` (one record per URL, DOI and archived copy of every entry) and
``sources.md`` beside them. ``--check`` runs Sphinx's builder first, in this process,
which is what ``make linkcheck`` does: the sources' links are requested before Sphinx
is set up, and the bibliography read for them is the one the report maps results to.
When nothing changed since the last run and the cache has every link as working, the
report is answered from the cache without starting Sphinx.

For a broken source without an archived copy, the report names the Wayback Machine's
snapshot closest to the entry's ``urldate`` and the lines to add (``archiveurl``,
``archivedate``, ``urlstatus = {dead}``); ``--fix`` writes them into the bibliography,
changing nothing else (:mod:`citetools.bibinsert`).

Exit status: 0 no link broken, 1 a source (or a link in a page) broken, 2 unreadable
input or a failed Sphinx run, 3 network unreachable (no host answered at all).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citetools.findings import display_path, plural
from citetools.linkcheck import report
from citetools.linkcheck.cache import NO_CACHE_VARIABLE, LinkCache, now
from citetools.linkcheck.classify import BROKEN, WORKING
from citetools.linkcheck.manifest import Manifest

if TYPE_CHECKING:
    from citetools.bibfile import BibFile

OFFLINE = 3
SPHINX_LOG = "sphinx.log"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check",
        action="store_true",
        help="run Sphinx's linkcheck builder first (skipped when nothing changed and the "
        "cache has every link as working)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="check every link again, however recently it worked"
    )
    parser.add_argument(
        "--fix",
        action="store_true",
        help="write the archived copy of each broken source into the bibliography "
        "(archiveurl, archivedate, urlstatus = {dead})",
    )
    parser.add_argument(
        "--format",
        choices=["text", "github"],
        default="text",
        help="github: annotations on the lines of references.bib",
    )
    parser.add_argument(
        "--srcdir", type=Path, default=Path("."), help="the site's source directory (default: .)"
    )
    parser.add_argument(
        "--builddir", type=Path, help="Sphinx's build directory (default: SRCDIR/_build)"
    )


def _run_sphinx(srcdir: Path, builddir: Path, outdir: Path, no_cache: bool) -> dict[str, BibFile]:
    """Sphinx's linkcheck, in this process: the sources' links are requested first,
    while Sphinx is set up (:func:`linkcheck_sources.check_sources_first`). Returns the
    bibliographies read for that, by name, for the report."""
    import logging
    from contextlib import redirect_stderr, redirect_stdout

    from citetools.sphinxext import linkcheck_sources

    outdir.mkdir(parents=True, exist_ok=True)
    # A stale result must never pass for this run's.
    for name in ("output.json", "output.txt", report.JSON_NAME, "links-manifest.json"):
        (outdir / name).unlink(missing_ok=True)
    saved = os.environ.get(NO_CACHE_VARIABLE)
    if no_cache:
        os.environ[NO_CACHE_VARIABLE] = "1"
    try:
        bibs = linkcheck_sources.check_sources_first(srcdir, outdir)
        from sphinx.cmd.build import build_main

        arguments = ["-b", "linkcheck", "-d", str(builddir / "doctrees"), str(srcdir), str(outdir)]
        with (
            open(outdir / SPHINX_LOG, "w", encoding="utf-8") as log,
            redirect_stdout(log),
            redirect_stderr(log),
        ):
            # Sphinx's exit status says only that some link failed; the report decides.
            build_main(arguments)
    finally:
        linkcheck_sources.stop_early()
        # Sphinx's log handlers write to the file closed above; a later run in this
        # process (tests) sets up its own.
        logging.getLogger("sphinx").handlers.clear()
        if saved is None:
            os.environ.pop(NO_CACHE_VARIABLE, None)
        else:
            os.environ[NO_CACHE_VARIABLE] = saved
    return bibs


def _read_output(outdir: Path) -> list[dict[str, Any]] | None:
    try:
        text = (outdir / "output.json").read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except (OSError, ValueError):
        return None


def _all_cached(
    lines: list[dict[str, Any]] | None, manifest: Manifest | None, srcdir: Path, cache: LinkCache
) -> dict[str, datetime] | None:
    """The cache's dates for every link of the last run (its ``lines`` and
    ``manifest``), if a rerun of Sphinx would learn nothing new."""
    if manifest is None or lines is None or not manifest.unchanged(srcdir):
        return None
    fresh = cache.fresh(manifest.cache_days)
    links = {line["uri"] for line in lines if str(line.get("uri", "")).startswith("http")}
    ignored = [re.compile(pattern) for pattern in manifest.ignore]
    needed = {uri for uri in links if not any(p.match(uri) for p in ignored)}
    return fresh if needed <= fresh.keys() else None


def _fix(records: list[report.Record], srcdir: Path) -> int:
    """Write each record's fix into its bibliography; 2 if a file could not take them."""
    from citetools import bibinsert
    from citetools.fmt import write_atomically

    by_file: dict[str, dict[str, dict[str, str]]] = {}
    for record in records:
        if record.fix and record.key:
            by_file.setdefault(record.file, {})[record.key.strip()] = record.fix
    status = 0
    for name, additions in by_file.items():
        path = srcdir / name
        try:
            text, inserted = bibinsert.add_fields(path, additions)
        except bibinsert.InsertError as error:
            print(f"{display_path(path)}:{error.line}: {error.message}", file=sys.stderr)
            status = 2
            continue
        write_atomically(path, text)
        for done in inserted:
            print(f"{display_path(path)}:{done.line}: {done.key}: fixed, added:")
            print("\n".join(done.lines))
    return status


def _records(
    srcdir: Path, manifest: Manifest, results: report.Results, read: dict[str, BibFile]
) -> list[report.Record] | None:
    """One record per link of each bibliography and page; a broken source's with the
    closest archived copy. None (and a message) when a bibliography cannot be read.
    ``read``: the bibliographies this run read already, by name."""
    from citetools import bibfile
    from citetools.linkcheck import wayback

    records: list[report.Record] = []
    fields_by_key: dict[str, dict[str, str]] = {}
    for name in manifest.bibfiles:
        try:
            bib = read[name] if name in read else bibfile.read(srcdir / name)
        except bibfile.UnreadableBibFile as error:
            print(f"{display_path(error.path)}:{error.line}: {error.message}", file=sys.stderr)
            return None
        records += report.bib_records(bib, name, results, manifest.doi_resolver)
        fields_by_key.update({entry.key: entry.fields for entry in bib.entries})
    records += report.page_records(results, {r.checked for r in records})
    if not report.offline(records):
        report.suggest_snapshots(records, fields_by_key, wayback.closest)
    return records


def run(args: argparse.Namespace) -> int:
    srcdir = args.srcdir.resolve()
    builddir = (args.builddir or srcdir / "_build").resolve()
    outdir = builddir / "linkcheck"
    cache = LinkCache.load(outdir)
    lines, manifest = _read_output(outdir), Manifest.read(outdir)
    from_cache = None
    bibs: dict[str, BibFile] = {}
    if args.check:
        from_cache = None if args.no_cache else _all_cached(lines, manifest, srcdir, cache)
        if from_cache is None:
            bibs = _run_sphinx(srcdir, builddir, outdir, args.no_cache)
            lines, manifest = _read_output(outdir), Manifest.read(outdir)

    if lines is None or manifest is None:
        where = outdir / SPHINX_LOG if args.check else outdir / "output.json"
        what = (
            "Sphinx's linkcheck did not finish: see this log"
            if args.check
            else "no linkcheck results here: run make linkcheck"
        )
        print(f"{display_path(where)}:0: {what}", file=sys.stderr)
        return 2

    cached = (
        from_cache
        if from_cache is not None
        else {uri: cache.checked[uri] for uri in manifest.cached if uri in cache.checked}
    )
    results = report.Results.read(lines, cached, manifest.ignore, manifest.timeout)
    last = report.read_json(outdir) if from_cache is not None else None
    if last is not None:
        # Nothing changed since the report was written: its records, with this run's dates.
        records = report.refresh(last, results, manifest.doi_resolver)
    else:
        found = _records(srcdir, manifest, results, bibs)
        if found is None:
            return 2
        records = found

    when = now()
    if report.offline(records):
        # No sources.json: a record per source, each "broken", is the list of
        # false alarms that the one line below replaces.
        waiting = sum(1 for r in records if r.checked_now and r.key)
        message = (
            f"linkcheck: network unreachable: no external host answered "
            f"({plural(waiting, 'source')} not checked)"
        )
        (outdir / report.MARKDOWN_NAME).write_text(
            f"# Source links\n\n{message}\n", encoding="utf-8"
        )
        print(message)
        return OFFLINE  # the cache keeps what worked before the network went away

    report.write_json(records, outdir)

    if from_cache is None:
        checked = [r for r in records if r.checked_now]
        cache.record(
            {r.checked for r in checked if r.status == WORKING},
            {r.checked for r in checked if r.status != WORKING},
            at=when,
        )
        cache.save(manifest.cache_days)
    (outdir / report.MARKDOWN_NAME).write_text(
        report.markdown(records, when) + "\n", encoding="utf-8"
    )

    lines_out = (
        report.github_annotations(records)
        if args.format == "github"
        else report.text_lines(records)
    )
    for line in lines_out:
        print(line)
    if from_cache is not None:
        print(
            "linkcheck: nothing changed since the last run and every link worked within "
            f"{manifest.cache_days:g} days: answered from the cache (--no-cache checks again)"
        )
    fixed = _fix(records, srcdir) if args.fix else 0
    sources = [r for r in records if r.key]
    print(
        f"linkcheck: {plural(len(sources), 'source link')}, "
        f"{plural(len(records) - len(sources), 'other link')}: "
        f"{report.counts(records) or 'none'}; report: {display_path(outdir / report.MARKDOWN_NAME)}"
    )
    if fixed:
        return fixed
    return 1 if any(r.status == BROKEN for r in records) else 0
