"""What ``citetools lint`` checks in a bibliography, entry by entry and across entries.

Each check returns findings that name the line and say how to fix it.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from citetools.bibfile import BibEntry, BibFile
from citetools.bibvalue import MONTHS
from citetools.doi import DOI, DOI_PREFIX
from citetools.findings import WARNING, Finding, display_path
from citetools.keys import follows_convention, suggest_key

# Required fields per entry type; a tuple lists fields of which one is enough.
# The site labels every source "Author, Year", so every type needs both.
_AUTHOR = ("author",)
_AUTHOR_OR_EDITOR = ("author", "editor")
_TITLE = ("title",)
_YEAR = ("year", "date")
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "article": [_AUTHOR, _TITLE, ("journal", "journaltitle"), _YEAR],
    "book": [_AUTHOR_OR_EDITOR, _TITLE, ("publisher",), _YEAR],
    "incollection": [_AUTHOR, _TITLE, ("booktitle",), ("publisher",), _YEAR],
    "inbook": [_AUTHOR_OR_EDITOR, _TITLE, ("chapter", "pages"), ("publisher",), _YEAR],
    "inproceedings": [_AUTHOR, _TITLE, ("booktitle",), _YEAR],
    "techreport": [_AUTHOR, _TITLE, ("institution",), _YEAR],
    "report": [_AUTHOR, _TITLE, ("institution",), _YEAR],
    "mastersthesis": [_AUTHOR, _TITLE, ("school", "institution"), _YEAR],
    "phdthesis": [_AUTHOR, _TITLE, ("school", "institution"), _YEAR],
    "misc": [_AUTHOR_OR_EDITOR, _TITLE, _YEAR],
    "online": [_AUTHOR_OR_EDITOR, _TITLE, _YEAR],
    "booklet": [_AUTHOR_OR_EDITOR, _TITLE, _YEAR],
    "manual": [_AUTHOR_OR_EDITOR, _TITLE, _YEAR],
    "proceedings": [_AUTHOR_OR_EDITOR, _TITLE, _YEAR],
    "unpublished": [_AUTHOR, _TITLE, ("note",), _YEAR],
}
# Types whose sources may be identified by an ISBN instead of a link.
ISBN_TYPES = {"book", "inbook", "incollection", "booklet", "manual", "proceedings"}
# Fields holding a URL or DOI: a `%` there is percent-encoding, not a comment.
VERBATIM = {"url", "doi", "archiveurl", "eprint", "file", "pdf"}
URLSTATUS = {"live", "dead"}

_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")
_FIX_FIELD = {
    "author": "`author = {Surname, Given and Surname, Given}` (an organisation in double "
    "braces: `{{World Health Organization}}`)",
    "editor": "`editor = {Surname, Given}`",
    "title": "`title = {...}` as printed on the source",
    "journal": "`journal = {...}`, the journal's full name",
    "year": "`year = {YYYY}`",
    "publisher": "`publisher = {...}`",
    "booktitle": "`booktitle = {...}`, the title of the book or proceedings",
    "institution": "`institution = {...}`, the organisation that published the report",
    "school": "`school = {...}`",
    "chapter": "`chapter = {...}` or `pages = {12--34}`",
    "note": "`note = {...}`",
}


def _finding(path, line, code, message, severity="error") -> Finding:
    return Finding(display_path(path), line, code, message, severity)


def check_files(bibs: list[BibFile], online_probe=None) -> list[Finding]:
    findings: list[Finding] = []
    for bib in bibs:
        findings += [_finding(bib.path, f.line, f.code, f.message) for f in bib.failures]
        findings += _check_strings(bib)
        keys = {e.key for e in bib.entries}
        by_key = {e.key.lower(): e for e in reversed(bib.entries)}  # the first of duplicates
        for entry in bib.entries:
            target = entry.fields.get("crossref", "").strip().lower()
            parent = by_key.get(target) if target else None
            findings += check_entry(bib, entry, parent, keys)
    findings += _duplicates(bibs)
    findings += _http_where_https(bibs, online_probe)
    return findings


def _check_strings(bib: BibFile) -> list[Finding]:
    found = []
    for string in bib.strings.values():
        for match in _UNESCAPED_PERCENT.finditer(string.raw):
            found.append(
                _finding(
                    bib.path,
                    string.line + string.raw.count("\n", 0, match.start()),
                    "unescaped-percent",
                    f"unescaped `%` in @string `{string.name}`: write `\\%`",
                )
            )
    return found


def check_entry(
    bib: BibFile, entry: BibEntry, parent: BibEntry | None = None, keys: Iterable[str] = ()
) -> list[Finding]:
    path = bib.path
    found: list[Finding] = []

    def add(line, code, message, severity="error"):
        found.append(_finding(path, line, code, message, severity))

    # A crossref'd entry inherits the fields it does not set (BibTeX, pybtex).
    fields = dict(parent.fields) if parent else {}
    fields.update(entry.fields)

    if entry.type not in REQUIRED:
        nearest = difflib.get_close_matches(entry.type, list(REQUIRED), n=1, cutoff=0.5)
        hint = (
            f"did you mean `@{nearest[0]}`?"
            if nearest
            else "use one of " + ", ".join(f"@{t}" for t in sorted(REQUIRED))
        )
        add(entry.line, "unknown-type", f"unknown entry type `@{entry.type}`: {hint}")
    else:
        for alternatives in REQUIRED[entry.type]:
            if not any(fields.get(name, "").strip() for name in alternatives):
                name = alternatives[0]
                either = " or ".join(f"`{a}`" for a in alternatives)
                add(
                    entry.line,
                    "missing-field",
                    f"@{entry.type} `{entry.key}` needs {either}: add "
                    f"{_FIX_FIELD.get(name, f'`{name} = {{...}}`')}",
                )

    year = entry.fields.get("year", "").strip()
    if "year" in entry.fields and year and not re.fullmatch(r"\d{4}", year):
        add(
            entry.field_lines["year"],
            "year-format",
            f"`year = {{{year}}}` must be four digits, e.g. `year = {{2019}}` (put a full date "
            "in `date` or `note`)",
        )
    for name in ("author", "editor"):
        if re.search(r"\bet\s*al\b", entry.fields.get(name, "")):
            add(
                entry.field_lines[name],
                "et-al",
                f"`{name}` contains `et al.`, which BibTeX reads as a person: list every "
                "name, or end the list with `and others`",
            )
    if "crossref" in entry.fields and parent is None:
        target = entry.fields["crossref"]
        nearest = difflib.get_close_matches(target, list(keys), n=1)
        hint = f"; did you mean `{nearest[0]}`?" if nearest else ""
        add(
            entry.field_lines["crossref"],
            "unknown-crossref",
            f"crossref `{target}` is not an entry of this file: add that entry or fix the "
            f"key{hint}",
        )

    for name, raw in entry.raw_fields.items():
        line = entry.field_lines[name]
        if not entry.fields.get(name, "").strip():
            add(line, "empty-field", f"`{name}` is empty: fill it in or delete the line")
        for part in entry.parts[name]:
            if (
                part.kind == "macro"
                and part.text.lower() not in bib.strings
                and (part.text.lower() not in MONTHS)
            ):
                add(
                    line,
                    "undefined-string",
                    f"`{name} = {part.text}` names an @string that is not defined: write the "
                    f"value in braces, `{name} = {{{part.text}}}`, or define "
                    f"`@string{{{part.text} = {{...}}}}` at the top of the file",
                )
        if name not in VERBATIM:
            for match in _UNESCAPED_PERCENT.finditer(raw):
                add(
                    line + raw.count("\n", 0, match.start()),
                    "unescaped-percent",
                    f"unescaped `%` in `{name}`: LaTeX reads it as the start of a comment; "
                    "write `\\%`",
                )

    _link_checks(entry, fields, add)

    if entry.key.strip() and not follows_convention(entry.key, fields.get("year")):
        suggestion = suggest_key(fields)
        add(
            entry.line,
            "key-convention",
            f"key `{entry.key}` does not follow the convention authoryearword (first author's "
            f"surname, year, first word of the title, lowercase): e.g. `{suggestion}`; change "
            "it here and in every page that cites it",
        )
    return found


def _is_iso_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _link_checks(entry: BibEntry, fields: dict[str, str], add) -> None:
    lines = entry.field_lines
    doi = fields.get("doi", "").strip()
    url = fields.get("url", "").strip()
    if not doi and not url:
        if entry.type in ISBN_TYPES and fields.get("isbn", "").strip():
            pass
        else:
            isbn = " (or an `isbn` for a printed book)" if entry.type in ISBN_TYPES else ""
            add(
                entry.line,
                "missing-link",
                f"`{entry.key}` has neither `doi` nor `url`{isbn}: add `doi = {{10.xxxx/...}}` "
                "or `url = {https://...}` so readers can find the source",
            )
    if "doi" in entry.fields:
        value = entry.fields["doi"].strip()
        bare = DOI_PREFIX.sub("", value, count=1)
        if bare != value and DOI.fullmatch(bare):
            add(
                lines["doi"],
                "doi-format",
                f"write the DOI without the resolver: `doi = {{{bare}}}`",
            )
        elif not DOI.fullmatch(value):
            add(
                lines["doi"],
                "doi-format",
                f"`{value}` is not a DOI: a DOI looks like `10.1186/s12888-018-1836-2`; copy it "
                "from the article page, or use `url` instead",
            )
    for name in ("url", "archiveurl"):
        if name in entry.fields:
            value = entry.fields[name].strip()
            scheme = urlsplit(value).scheme.lower() if "://" in value else ""
            if scheme not in ("http", "https") or not urlsplit(value).netloc:
                add(
                    lines[name],
                    "url-format",
                    f"`{name}` must be a full web address starting with `https://`, "
                    f"not `{value[:60]}`",
                )
            elif re.search(r"\s", value):
                add(
                    lines[name],
                    "url-format",
                    f"`{name}` contains a space: copy the address again from the browser "
                    "(spaces are written `%20`)",
                )
            elif "\\" in value:
                add(
                    lines[name],
                    "url-format",
                    f"`{name}` contains a backslash: write the address exactly as the browser "
                    "shows it (no `\\_` or `\\%`)",
                )
    if url and not doi and not fields.get("urldate", "").strip():
        add(
            entry.line,
            "missing-urldate",
            f"web source `{entry.key}` has no `urldate`: add `urldate = {{YYYY-MM-DD}}`, the day "
            "you read the page",
        )
    for name in ("urldate", "archivedate"):
        value = entry.fields.get(name, "").strip()
        if name in entry.fields and value and not _is_iso_date(value):
            add(
                lines[name],
                "date-format",
                f"`{name} = {{{value}}}` is not a date written YYYY-MM-DD: e.g. "
                f"`{name} = {{2026-03-01}}`",
            )
    if fields.get("archiveurl", "").strip() and not fields.get("archivedate", "").strip():
        add(
            lines.get("archiveurl", entry.line),
            "missing-archivedate",
            "`archiveurl` without `archivedate`: add `archivedate = {YYYY-MM-DD}`, the date of "
            "the archived copy (in a Wayback Machine address, the digits after /web/)",
        )
    if "urlstatus" in entry.fields:
        status = entry.fields["urlstatus"].strip()
        if status not in URLSTATUS:
            add(
                lines["urlstatus"],
                "urlstatus",
                f"`urlstatus = {{{status}}}` must be `live` or `dead` (lowercase)",
            )
        elif status == "dead" and not fields.get("archiveurl", "").strip():
            add(
                lines["urlstatus"],
                "dead-link",
                "the link is marked dead but has no `archiveurl`: find a copy on "
                "web.archive.org and add `archiveurl` and `archivedate`",
                WARNING,
            )


def _normal_url(url: str) -> str:
    """http/https, `www.` and a trailing slash do not make a different page."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}{'?' + parts.query if parts.query else ''}"


def same_url(a: str, b: str) -> bool:
    return bool(a.strip() and b.strip()) and _normal_url(a) == _normal_url(b)


def _all_entries(bibs: list[BibFile]) -> Iterator[tuple[BibFile, BibEntry]]:
    for bib in bibs:
        for entry in bib.entries:
            yield bib, entry


def _where(bib: BibFile, entry: BibEntry, here: BibFile) -> str:
    if bib.path == here.path:
        return f"line {entry.line}"
    return f"{display_path(bib.path)}:{entry.line}"


def _duplicates(bibs: list[BibFile]) -> list[Finding]:
    found = []
    seen: dict[tuple[str, str], tuple[BibFile, BibEntry]] = {}
    for bib, entry in _all_entries(bibs):
        checks = [("key", entry.key.lower(), entry.line)]
        if DOI.fullmatch(doi := entry.fields.get("doi", "").strip()):
            checks.append(("doi", doi.lower(), entry.field_lines["doi"]))
        if url := entry.fields.get("url", "").strip():
            checks.append(("url", _normal_url(url), entry.field_lines["url"]))
        for kind, value, line in checks:
            if not value:
                continue
            first = seen.setdefault((kind, value), (bib, entry))
            if first[1] is entry:
                continue
            where = _where(*first, here=bib)
            if kind == "key":
                message = (
                    f"duplicate key `{entry.key}`: `{first[1].key}` is already defined on "
                    f"{where} (keys ignore case); merge the two entries or rename one"
                )
            else:
                message = (
                    f"same {kind.upper()} as `{first[1].key}` ({where}): the same source is "
                    "entered twice; keep one entry and cite its key"
                )
            found.append(_finding(bib.path, line, f"duplicate-{kind}", message))
    return found


def _http_where_https(bibs: list[BibFile], online_probe=None) -> list[Finding]:
    """Warn about http:// links to hosts that serve https.

    Offline, a host serves https when another link in the bibliography uses it;
    with ``online_probe`` (``lint --online``) the host is asked.
    """
    secure_hosts = set()
    for _, entry in _all_entries(bibs):
        for name in ("url", "archiveurl"):
            parts = urlsplit(entry.fields.get(name, "").strip())
            if parts.scheme == "https":
                secure_hosts.add(parts.hostname)
    found = []
    probed: dict[str, bool] = {}
    for bib, entry in _all_entries(bibs):
        for name in ("url", "archiveurl"):
            value = entry.fields.get(name, "").strip()
            parts = urlsplit(value)
            if parts.scheme != "http" or not parts.hostname:
                continue
            host = parts.hostname
            if host not in secure_hosts and online_probe is not None:
                if host not in probed:
                    probed[host] = online_probe(host)
                if not probed[host]:
                    continue
            elif host not in secure_hosts:
                continue
            secure = "https://" + value[len("http://") :]
            found.append(
                _finding(
                    bib.path,
                    entry.field_lines[name],
                    "http-url",
                    f"{host} serves https: write `{name} = {{{secure}}}`",
                    WARNING,
                )
            )
    return found
