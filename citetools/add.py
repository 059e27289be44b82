"""``citetools add DOI|URL``: one new, normalised entry in ``references.bib``.

The entry gets a key by the convention, ``urldate`` = today, and goes where
``fmt`` would put it (sorted by key); the rest of the file is left exactly as
it was. Nothing is written when the source is already there, when the file
has syntax errors, or when the metadata cannot be fetched in full within
``--timeout`` seconds. What the source's metadata lacks (a year, an author) is
listed with the line to complete.

Exit codes: 0 added; 1 added, but the entry needs fields only a person can
fill in (listed as ``path:line`` findings), or the file must be fixed first;
2 nothing written (already present, offline, too slow, HTTP error, bad argument).
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

from citetools import bibfile, checks, metadata
from citetools.args import DEFAULT_BIB
from citetools.bibfile import BibComment, BibEntry, BibFile
from citetools.bibvalue import Part
from citetools.doi import bare_doi
from citetools.findings import display_path
from citetools.fmt import format_entry, write_atomically
from citetools.keys import follows_convention, split_names, suggest_key

_VERBATIM = checks.VERBATIM
_SPECIAL = re.compile(r"(?<!\\)([%&#$_{}])")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        metavar="DOI|URL",
        help="a DOI (10.xxxx/...), a doi.org address, or a web page address",
    )
    parser.add_argument(
        "--bib",
        type=Path,
        default=DEFAULT_BIB,
        help=f"the bibliography to add to (default: {DEFAULT_BIB})",
    )
    parser.add_argument("--key", help="use this key instead of the one made by the convention")
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=metadata.TIMEOUT,
        metavar="SECONDS",
        help=f"give up on a source that has not answered in full after this long "
        f"(default: {metadata.TIMEOUT:g})",
    )


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 3600:
        raise argparse.ArgumentTypeError(f"`{text}` is not a number of seconds, e.g. 60")
    return seconds


def _escape(name: str, value: str) -> str:
    """Characters LaTeX would read as commands, escaped; links are left verbatim."""
    if name in _VERBATIM:
        return value
    return _SPECIAL.sub(lambda m: "\\" + m.group(1), value)


def _bib_value(name: str, value: str) -> str:
    if name in ("author", "editor"):
        # Organisations arrive as `{Name}`: keep those braces, escape the inside.
        names = [
            "{" + _escape(name, n[1:-1]) + "}" if n.startswith("{") and n.endswith("}")
            else _escape(name, n)
            for n in split_names(value)
        ]  # fmt: skip
        return " and ".join(names)
    return _escape(name, value)


def _fail(path: Path, line: int, message: str) -> int:
    """``path:line: message``; line 0 when the problem is not at a line of the file."""
    print(f"{display_path(path)}:{line}: {message} (nothing was written)", file=sys.stderr)
    return 2


def _already_there(bib: BibFile, doi: str | None, url: str | None) -> BibEntry | None:
    doi = doi.lower() if doi else None  # DOIs ignore case
    for entry in bib.entries:
        for name in ("doi", "url"):
            if doi and (bare_doi(entry.fields.get(name, "")) or "").lower() == doi:
                return entry
        if url and checks.same_url(entry.fields.get("url", ""), url):
            return entry
    return None


def _insert_line(bib: BibFile, key: str) -> int | None:
    """The line to insert before (1-based), or None to append: sorted position, before the
    comments that belong to the next entry, after the file's header comments."""
    blocks = bib.blocks
    for index, block in enumerate(blocks):
        if isinstance(block, BibEntry) and block.key.strip().lower() > key.lower():
            start = index
            while start > 0 and isinstance(blocks[start - 1], BibComment):
                start -= 1
            return blocks[start].line if start > 0 else block.line
    return None


def run(args: argparse.Namespace) -> int:
    path: Path = args.bib
    source = args.source.strip()
    doi = bare_doi(source)
    url = None if doi else source
    # Arguments first: a typo must not be reported as a network problem.
    if url and not re.match(r"https?://\S+$", url):
        return _fail(
            path, 0, f"`{source}` is neither a DOI (10.xxxx/...) nor a web address (https://...)"
        )
    if args.key and not follows_convention(args.key, None):
        return _fail(
            path,
            0,
            f"the key `{args.key}` does not follow the convention: lowercase first author's "
            "surname, year, first word of the title, e.g. `rogers2019effectiveness`",
        )
    try:
        bib = bibfile.read(path)
        text = bibfile.read_text(path)
    except bibfile.UnreadableBibFile as error:
        return _fail(error.path, error.line, error.message)
    if bib.failures:
        for failure in bib.failures:
            print(f"{display_path(path)}:{failure.line}: {failure.code} {failure.message}")
        print(
            f"{display_path(path)}:0: fix the errors above first (nothing was written)",
            file=sys.stderr,
        )
        return 1
    taken = {e.key for e in bib.entries}
    if args.key:
        used = next((e for e in bib.entries if e.key.lower() == args.key.lower()), None)
        if used:
            return _fail(
                path, used.line, f"the key `{args.key}` is already used here: choose another"
            )
    existing = _already_there(bib, doi, url)
    if existing:
        return _fail(
            path,
            existing.line,
            f"{source} is already there as `{existing.key}`: "
            f"cite that key, {{cite:p}}`{existing.key}`",
        )
    try:
        record = (
            metadata.doi_metadata(doi, args.timeout)
            if doi
            else metadata.page_metadata(source, args.timeout)
        )
    except metadata.FetchError as error:
        return _fail(path, 0, str(error))
    fields = record.fields
    existing = _already_there(bib, fields.get("doi"), None)
    if existing:
        return _fail(
            path,
            existing.line,
            f"the page has DOI {fields['doi']}, which is already there as `{existing.key}`: "
            f"cite that key, {{cite:p}}`{existing.key}`",
        )
    fields["urldate"] = datetime.date.today().isoformat()
    key = args.key or suggest_key(fields, taken)
    if args.key and not follows_convention(key, fields.get("year")):
        return _fail(
            path,
            0,
            f"the key `{key}` does not contain the source's year {fields.get('year')}: "
            f"e.g. `{suggest_key(fields, taken)}`",
        )
    entry = BibEntry(key=key, type=record.type, line=0)
    for name, value in fields.items():
        entry.parts[name] = (Part("text", _bib_value(name, value)),)
    new_text = _insert(text, format_entry(entry), _insert_line(bib, key))
    added = bibfile.parse(new_text, path)
    new_entry = next((e for e in added.entries if e.key == key), None)
    if added.failures or new_entry is None or len(added.entries) != len(bib.entries) + 1:
        return _fail(
            path, 0, f"the new entry for {source} could not be read back (please report this)"
        )
    write_atomically(path, new_text)
    print(f"{display_path(path)}:{new_entry.line}: added `{key}`; cite it as {{cite:p}}`{key}`")
    print(format_entry(entry))
    findings = checks.check_entry(added, new_entry, keys=[e.key for e in added.entries])
    for finding in findings:
        print(finding.text())
    for why in record.missing:
        print(f"{display_path(path)}:{new_entry.line}: {why}")
    if findings:
        print(
            f"{display_path(path)}:{new_entry.line}: the entry was written; "
            "complete it as listed above",
            file=sys.stderr,
        )
    return 1 if findings else 0


def _insert(text: str, entry_text: str, before_line: int | None) -> str:
    lines = text.split("\n")
    if before_line is None:
        body = text.rstrip("\n")
        return (body + "\n\n" if body else "") + entry_text + "\n"
    index = before_line - 1
    return "\n".join(lines[:index] + [entry_text, ""] + lines[index:])
