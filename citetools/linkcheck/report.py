"""The report about sources: one record per URL, DOI and archived copy of every entry.

Sphinx reports links by page; a maintainer fixes entries. Each record names the entry,
the line of the field in ``references.bib`` and what to do. Links in pages that are not
from the bibliography keep their page and line.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as default
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citetools.findings import plural
from citetools.linkcheck import doi
from citetools.linkcheck.classify import (
    BLOCKED,
    BROKEN,
    IGNORED,
    RATE_LIMITED,
    REDIRECTED,
    STATUSES,
    TIMEOUT,
    WORKING,
    Outcome,
    classify,
)

if TYPE_CHECKING:  # the rest is imported where used: a report from the cache needs neither
    from citetools import bibfile
    from citetools.linkcheck import wayback

FIELDS = ("url", "doi", "archiveurl")
DEAD_ORIGINAL = (
    "original marked dead (urlstatus = {dead}); readers get the archived copy, which is "
    "checked instead"
)
JSON_NAME = "sources.json"
MARKDOWN_NAME = "sources.md"


@dataclass
class Record:
    key: str | None  # None for a link written in a page
    file: str
    line: int
    field: str | None  # url, doi or archiveurl; None for a link written in a page
    url: str  # the link as readers see it
    status: str
    code: int  # the HTTP status where Sphinx reports it, else 0
    info: str
    checked: str = ""  # the URL actually requested (a DOI's registration check)
    checked_now: bool = False  # requested in this run, not taken from the cache
    no_answer: bool = False
    detail: str = ""  # what happened, before the advice
    fix: dict[str, str] = default(default_factory=dict)  # fields `links --fix` adds

    def public(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PUBLIC_FIELDS}

    @property
    def fix_lines(self) -> list[str]:
        from citetools.bibinsert import field_line

        return [field_line(name, value) for name, value in self.fix.items()]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def subject(self) -> str:
        return f"{self.key} {self.field}" if self.key else "link"


#: What sources.json holds of each record, in this order.
PUBLIC_FIELDS = ("key", "file", "line", "field", "url", "status", "code", "info")


@dataclass
class Results:
    """``output.json`` with what the manifest and the cache say about it."""

    by_uri: dict[str, dict[str, Any]]
    cached: dict[str, datetime]  # uri -> when it was last found working
    ignore: list[re.Pattern[str]]
    timeout: float

    @classmethod
    def read(
        cls,
        lines: list[dict[str, Any]],
        cached: dict[str, datetime],
        ignore: list[str],
        timeout: float,
    ) -> Results:
        by_uri: dict[str, dict[str, Any]] = {}
        for line in lines:
            by_uri.setdefault(line.get("uri", ""), line)
        return cls(by_uri, cached, [re.compile(p) for p in ignore], timeout)

    def outcome(self, uri: str) -> tuple[Outcome, bool]:
        """The outcome for ``uri`` and whether it was requested in this run."""
        if any(pattern.match(uri) for pattern in self.ignore):
            return Outcome(IGNORED, 0, "matches linkcheck_ignore in conf.py"), False
        if uri in self.cached:
            when = self.cached[uri].strftime("%Y-%m-%d")
            return Outcome(WORKING, 0, f"working when checked on {when} (cached)"), False
        if uri not in self.by_uri:
            return Outcome(IGNORED, 0, "not in the last linkcheck run: run make linkcheck"), False
        return classify(self.by_uri[uri]), True


def _advice(record: Record, outcome: Outcome, fields: dict[str, str], timeout: float) -> str:
    """What happened, then what to do about it."""
    detail, field, status = outcome.detail, record.field, outcome.status
    if status == BROKEN:
        if field == "doi" and outcome.code == 404:
            return (
                f"the DOI is not registered ({detail}): check it against the "
                "publisher's page; a typo is the usual cause"
            )
        if field == "doi":
            return f"the DOI resolver failed ({detail}): check again later"
        if field == "archiveurl":
            return (
                f"the archived copy is broken ({detail}): pick another snapshot of the "
                "original and update archiveurl"
            )
        if field == "url" and fields.get("archiveurl"):
            record.fix = {"urlstatus": "dead"}
            return (
                f"{detail}: the entry has an archived copy: add urlstatus = {{dead}} so "
                "readers get the archive (`citetools links --fix` writes it)"
            )
        if field == "url":
            return (
                f"{detail}: if the page moved, update url; if it is gone, add an archived "
                "copy: archiveurl = {...} (e.g. from "
                f"https://web.archive.org/web/*/{record.url}), archivedate = {{YYYY-MM-DD}} "
                "and urlstatus = {dead}"
            )
        return f"{detail}: fix or remove the link in the page"
    if status == REDIRECTED:
        what = f"the {field}" if field else "the link"
        return f"{detail}: if it is the same document, replace {what} with the new address"
    if status == BLOCKED:
        return f"{detail}: open it in a browser; if it shows the source there is nothing to change"
    if status == RATE_LIMITED:
        return f"{detail}: nothing to change; it is checked again on the next run"
    if status == TIMEOUT:
        return (
            f"{detail} ({timeout:g} s): check again later; if it keeps failing, treat it as broken"
        )
    return detail


def _record(
    results: Results,
    uri: str,
    key: str | None,
    file: str,
    line: int,
    field: str | None,
    checked: str | None = None,
) -> tuple[Record, Outcome]:
    checked = checked or uri
    outcome, checked_now = results.outcome(checked)
    record = Record(
        key=key,
        file=file,
        line=line,
        field=field,
        url=uri,
        status=outcome.status,
        code=outcome.code,
        info=outcome.detail,
        checked=checked,
        checked_now=checked_now,
        no_answer=outcome.no_answer,
        detail=outcome.detail,
    )
    return record, outcome


def entry_links(fields: dict[str, str]) -> list[tuple[str, str, bool]]:
    """(field, link as readers see it, dead original) for each link of an entry."""
    dead = fields.get("urlstatus", "").strip().lower() == "dead" and bool(fields.get("archiveurl"))
    links = []
    for field in FIELDS:
        value = fields.get(field, "").strip()
        if value:
            uri = doi.reader_link(value) if field == "doi" else value
            links.append((field, uri, field == "url" and dead))
    return links


def bib_records(bib: bibfile.BibFile, name: str, results: Results, resolver: str) -> list[Record]:
    records = []
    for entry in bib.entries:
        for field, uri, dead in entry_links(entry.fields):
            line = entry.field_lines[field]
            if dead:
                records.append(
                    Record(
                        key=entry.key,
                        file=name,
                        line=line,
                        field=field,
                        url=uri,
                        status=IGNORED,
                        code=0,
                        info=DEAD_ORIGINAL,
                    )
                )
                continue
            checked = doi.checked_uri(uri, resolver)
            record, outcome = _record(results, uri, entry.key, name, line, field, checked)
            record.info = _advice(record, outcome, entry.fields, results.timeout)
            records.append(record)
    return records


def page_records(results: Results, claimed: set[str]) -> list[Record]:
    records = []
    for uri, line in results.by_uri.items():
        if uri in claimed or not uri.startswith(("http://", "https://")):
            continue
        where = (str(line.get("filename", "")), int(line.get("lineno") or 0))
        record, outcome = _record(results, uri, None, *where, None)
        record.info = _advice(record, outcome, {}, results.timeout)
        records.append(record)
    return records


Lookup = Callable[[str, date | None], "wayback.Snapshot | None"]


def suggest_snapshots(
    records: list[Record], fields_by_key: dict[str, dict[str, str]], lookup: Lookup
) -> None:
    """A broken source without an archived copy: the closest snapshot, and the lines that
    make readers get it (``citetools links --fix`` writes them)."""
    from citetools.linkcheck import wayback

    for record in records:
        if record.status != BROKEN or record.field != "url" or record.key is None:
            continue
        fields = fields_by_key.get(record.key, {})
        if fields.get("archiveurl"):
            continue
        try:
            snapshot = lookup(record.url, wayback.read_day(fields.get("urldate", "")))
        except (wayback.Unreachable, wayback.ArchiveError) as error:
            record.info += f" (the Wayback Machine could not be asked: {error})"
            continue
        if snapshot is None:
            record.info = (
                f"{record.detail}: if the page moved, update url; the Wayback Machine has no "
                "snapshot of it: look for a copy elsewhere (the publisher's site, a library), "
                "or cite another source"
            )
            continue
        record.fix = {"archiveurl": snapshot.url, "archivedate": snapshot.date, "urlstatus": "dead"}
        record.info = (
            f"{record.detail}: if the page moved, update url; if it is gone, the closest "
            f"archived copy is {snapshot.url} (captured {snapshot.date}): add these lines to "
            f"{record.key} (`citetools links --fix` writes them)"
        )


def read_json(outdir: Path) -> list[Record] | None:
    """The records of the last report, or None when there is none to read."""
    try:
        data = json.loads((Path(outdir) / JSON_NAME).read_text(encoding="utf-8"))
        return [Record(**record) for record in data]
    except (OSError, ValueError, TypeError):
        return None


def refresh(records: list[Record], results: Results, resolver: str) -> list[Record]:
    """The last report's records with this run's outcomes, for a run in which nothing
    changed since (same bibliography, same pages): no need to read the bibliography."""
    fresh = []
    for old in records:
        if old.status == IGNORED and old.info == DEAD_ORIGINAL:
            fresh.append(old)
            continue
        checked = doi.checked_uri(old.url, resolver) if old.field == "doi" else old.url
        record, outcome = _record(results, old.url, old.key, old.file, old.line, old.field, checked)
        record.info = _advice(record, outcome, {}, results.timeout)
        fresh.append(record)
    return fresh


def offline(records: list[Record]) -> bool:
    """Whether no host answered at all: every link requested in this run failed to connect."""
    requested = [record for record in records if record.checked_now]
    return bool(requested) and all(record.no_answer for record in requested)


# -- Writing ------------------------------------------------------------------


def write_json(records: list[Record], outdir: Path) -> Path:
    path = Path(outdir) / JSON_NAME
    # One record a line: readable, and written by json's fast encoder (indent is slow).
    lines = ",\n".join(json.dumps(r.public(), ensure_ascii=False) for r in records)
    path.write_text(f"[\n{lines}\n]\n" if records else "[]\n", encoding="utf-8")
    return path


def counts(records: list[Record]) -> str:
    tally = Counter(record.status for record in records)
    return ", ".join(f"{tally[status]} {status}" for status in STATUSES if tally[status])


def markdown(records: list[Record], when: datetime) -> str:
    sources = [r for r in records if r.key]
    pages = [r for r in records if not r.key]
    lines = [
        "# Source links",
        "",
        f"Checked {when:%Y-%m-%d %H:%M} UTC: {plural(len(sources), 'link')} of bibliography "
        f"entries and {plural(len(pages), 'other link')} in pages "
        f"({counts(records) or 'none'}).",
        "",
    ]
    for status in STATUSES:
        group = [r for r in records if r.status == status]
        if not group:
            continue
        lines += [f"## {status.capitalize()} ({len(group)})", ""]
        if status == WORKING:
            cached = sum(1 for r in group if r.info.endswith("(cached)"))
            works = plural(len(group), "link works", "links work")
            lines += [f"{works} ({cached} from the cache).", ""]
            continue
        for r in sorted(group, key=lambda r: (r.file, r.line)):
            lines.append(f"- `{r.where}` {r.subject} <{r.url}>: {r.info}")
            if r.fix:
                lines += ["", "  ```bibtex", *(f"  {line}" for line in r.fix_lines), "  ```", ""]
        lines.append("")
    return "\n".join(lines)


_PROBLEMS = (BROKEN, REDIRECTED, BLOCKED, RATE_LIMITED, TIMEOUT)


def problems(records: list[Record]) -> list[Record]:
    return sorted((r for r in records if r.status in _PROBLEMS), key=lambda r: (r.file, r.line))


def _escape(text: str, *, property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_annotations(records: list[Record]) -> list[str]:
    lines = []
    for r in problems(records):
        level = "error" if r.status == BROKEN else "warning"
        title = f"{r.status}: {r.key or 'link'}"
        message = "\n".join([f"{r.subject} {r.url}: {r.info}", *r.fix_lines])
        lines.append(
            f"::{level} file={_escape(r.file, property=True)},line={r.line},"
            f"title={_escape(title, property=True)}::{_escape(message)}"
        )
    return lines


def text_lines(records: list[Record]) -> list[str]:
    lines = []
    for r in problems(records):
        lines += [f"{r.where}: {r.status}: {r.subject} {r.url}: {r.info}", *r.fix_lines]
    return lines
