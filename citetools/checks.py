"""What ``citetools lint`` checks in a bibliography, entry by entry and across entries.

Each check returns findings that name the line and say how to fix it.
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

from citetools import bibtypes
from citetools.bibfile import BibEntry, BibFailure, BibFile
from citetools.bibtypes import AUTHOR_OR_EDITOR
from citetools.bibvalue import MONTHS
from citetools.doi import DOI, DOI_PREFIX
from citetools.findings import Finding, display_path
from citetools.keys import follows_convention, split_names, suggest_key
from citetools.rules import RULES, Selection

Add = Callable[[int, str, str], None]
Probe = Callable[[str], bool]

# The FAQ prints every source as "Author, Year": its house style asks every type
# for these, beyond what the printed reference cannot do without (bibtypes).
HOUSE_FIELDS: list[tuple[str, ...]] = [AUTHOR_OR_EDITOR, ("title",), ("year", "date")]
HOUSE_EXTRA: dict[str, list[tuple[str, ...]]] = {
    "incollection": [("publisher",)],
    "inbook": [("chapter", "pages")],
    "unpublished": [("note",)],
}
# Types whose sources may be identified by an ISBN instead of a link.
ISBN_TYPES = {"book", "inbook", "incollection", "booklet", "manual", "proceedings"}
# Fields holding a URL or DOI: a `%` there is percent-encoding, not a comment.
VERBATIM = {"url", "doi", "archiveurl", "eprint", "file", "pdf"}
# Fields reference managers and databases export that the FAQ's style never
# prints: a `%` there reaches no LaTeX reader (INSPIRE writes
# `SLACcitation = "%%CITATION = ..."` in every entry, ACM and BibDesk abstracts
# hold `%`). Names starting with `bdsk-` are BibDesk's too.
UNPRINTED = {
    "abstract", "annotation", "annote", "comment", "date-added", "date-modified",
    "groups", "keywords", "mendeley-groups", "mendeley-tags", "owner", "review",
    "slaccitation", "timestamp", "__markedentry",
}  # fmt: skip
URLSTATUS = {"live", "dead"}

_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")
# URLs inside a value: a `%` there is percent-encoding, and `\%` would break the link.
_URL_IN_TEXT = re.compile(r"\\(?:url|href)\s*\{[^{}]*\}|https?://\S+")
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


def finding(path: Path | str, line: int, code: str, message: str) -> Finding:
    """A finding with the severity its rule has in the registry."""
    # One line per finding: a value quoted in a message may span lines.
    message = " ".join(message.split())
    return Finding(display_path(path), line, code, message, RULES[code].severity)


def from_failure(path: Path | str, failure: BibFailure) -> Finding:
    return finding(path, failure.line, failure.code, failure.message)


def check_files(
    bibs: list[BibFile], online_probe: Probe | None = None, selection: Selection | None = None
) -> list[Finding]:
    """Every finding in ``bibs``; only the selected rules' when ``selection`` is given."""
    findings: list[Finding] = []
    # A crossref's parent may be in any file: pybtex reads a site's files as one.
    keys = {e.key for bib in bibs for e in bib.entries}
    # The first of duplicates.
    by_key = {e.key.lower(): e for bib in reversed(bibs) for e in reversed(bib.entries)}
    for bib in bibs:
        findings += [from_failure(bib.path, f) for f in bib.failures + bib.notices]
        findings += _check_strings(bib)
        for entry in bib.entries:
            parent = by_key.get(entry.crossref) if entry.crossref else None
            findings += check_entry(bib, entry, parent, keys)
    findings += _duplicates(bibs)
    if selection is None or "http-url" in selection:
        findings += _http_where_https(bibs, online_probe)
    return unique(f for f in findings if selection is None or f.code in selection)


# Said once for its line: the fix, deleting from the first `%`, mends the whole line.
_ONE_PER_LINE = {"comment-in-entry"}


def unique(findings: Iterable[Finding]) -> list[Finding]:
    """Each finding once: the same message at the same line is said once."""
    seen: set[tuple[str, int, str, str]] = set()
    out = []
    for f in findings:
        said = (f.path, f.line, f.code, "" if f.code in _ONE_PER_LINE else f.message)
        if said not in seen:
            seen.add(said)
            out.append(f)
    return out


def unprinted(name: str) -> bool:
    """Whether the FAQ's style never prints the field *name* (lower case)."""
    return name in UNPRINTED or name.startswith("bdsk-")


def _percent_lines(raw: str, line: int) -> list[int]:
    """Lines of ``raw`` with a `%` that LaTeX would read as a comment (not in a URL)."""
    text = _URL_IN_TEXT.sub(lambda m: " " * len(m.group()), raw)
    found = {line + raw.count("\n", 0, m.start()) for m in _UNESCAPED_PERCENT.finditer(text)}
    return sorted(found)


def _defined_before(bib: BibFile, macro: str, line: int) -> bool:
    """Whether *macro* means something at *line*: a month, an @string of a file read
    before this one, or one of this file above that line."""
    name = macro.lower()
    here = bib.strings.get(name)
    return name in MONTHS or name in bib.earlier_strings or (here is not None and here.line < line)


def _check_strings(bib: BibFile) -> list[Finding]:
    found = []
    for string in bib.strings.values():
        for part in string.parts:
            if part.kind != "macro" or _defined_before(bib, part.text, string.line):
                continue
            found.append(
                finding(
                    bib.path,
                    string.line,
                    "undefined-string",
                    f"@string `{string.name}` uses `{part.text}`, which is not defined above it "
                    "(pybtex stops there): define it first, or write the text in braces",
                )
            )
        for line in _percent_lines(string.raw, string.line):
            found.append(
                finding(
                    bib.path,
                    line,
                    "unescaped-percent",
                    f"unescaped `%` in @string `{string.name}`: write `\\%`",
                )
            )
    return found


def _missing(
    entry: BibEntry,
    fields: dict[str, str],
    needs: Iterable[tuple[str, ...]],
    code: str,
    add: Add,
    first_fix: str = "",
) -> set[str]:
    """One finding naming every group of ``needs`` that ``fields`` lacks (*first_fix*
    the fix to try before adding them); the fields named."""
    lacking = [a for a in needs if not any(fields.get(name, "").strip() for name in a)]
    if not lacking:
        return set()
    wanted = " and ".join(" or ".join(f"`{a}`" for a in group) for group in lacking)
    fixes = "; ".join(_FIX_FIELD.get(group[0], f"`{group[0]} = {{...}}`") for group in lacking)
    why = (
        "the printed reference cannot do without them"
        if code == "missing-field"
        else "the FAQ prints them for every source"
    )
    fix = f"{first_fix}, or add {fixes}" if first_fix else f"add {fixes}"
    add(entry.line, code, f"@{entry.type} `{entry.key}` needs {wanted} ({why}): {fix}")
    return {name for group in lacking for name in group}


# `A and and B`, `and A`, `A and`: pybtex reads the lone `and` as part of a name.
_LONE_AND = re.compile(r"(?i)(?:^|\s)and\s+and(?:\s|$)|^\s*and\s|\sand\s*$")


def _names(entry: BibEntry, add: Add) -> None:
    for name in AUTHOR_OR_EDITOR:
        value = entry.fields.get(name, "")
        if re.search(r"\bet\s*al\b", value):
            add(
                entry.field_lines[name],
                "et-al",
                f"`{name}` contains `et al.`, which BibTeX reads as a person: list every "
                "name, or end the list with `and others`",
            )
        if _LONE_AND.search(value):
            add(
                entry.field_lines[name],
                "name-format",
                f"`{name}` has an `and` with no name on one side (`and and`, or `and` at the "
                "start or the end), which BibTeX prints as a name: delete the extra `and`",
            )
        for person in split_names(value):
            if _top_level_commas(person) > 2:
                add(
                    entry.field_lines[name],
                    "name-format",
                    f"`{person[:50]}` in `{name}` has more than two commas, so BibTeX cannot "
                    "tell the names apart: separate people with ` and ` (`Surname, Given and "
                    "Surname, Given`); an organisation goes in double braces, `{{...}}`",
                )
                break


# A run of backslashes of odd length at the end: the last one escapes nothing.
_TRAILING_BACKSLASH = re.compile(r"(?<!\\)(?:\\\\)*\\\Z")


def _backslash_ends(entry: BibEntry, add: Add) -> None:
    """A `\\` that ends what pybtex decodes from LaTeX on its own: each value, and
    each part of each name (`C.\\ and` leaves `C.\\`). latexcodec then raises, and the
    build stops without naming the file (``Text.from_latex``)."""
    for name, value in entry.fields.items():
        if name in VERBATIM or "\\" not in value:
            continue
        # pybtex drops the white space at the ends of a value: `{A\\ }` leaves `A\\`.
        pieces = _name_parts(value) if name in AUTHOR_OR_EDITOR else [value.strip()]
        for piece in pieces:
            if _TRAILING_BACKSLASH.search(piece) and not _decodes(piece):
                add(
                    entry.field_lines[name],
                    "trailing-backslash",
                    f"`{piece[-40:]}` in `{name}` ends in a `\\`, which the build cannot read "
                    "(it escapes nothing there): delete that `\\`",
                )
                break


def _name_parts(value: str) -> list[str]:
    """The parts of each name, as pybtex splits them (only values holding a `\\` get here)."""
    from pybtex.bibtex.utils import split_name_list
    from pybtex.database import Person
    from pybtex.exceptions import PybtexError

    parts: list[str] = []
    for written in split_name_list(value):
        try:
            person = Person(written)
        except PybtexError:
            continue  # name-format says why
        parts += person.first_names + person.middle_names + person.prelast_names
        parts += person.last_names + person.lineage_names
    return parts


def _decodes(latex: str) -> bool:
    import codecs

    import latexcodec  # noqa: F401  (registers the codec pybtex decodes with)

    try:
        codecs.decode(latex, "ulatex")  # type: ignore[call-overload]
    except UnicodeDecodeError:
        return False
    return True


def _top_level_commas(text: str) -> int:
    depth = commas = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            commas += 1
    return commas


def check_entry(
    bib: BibFile, entry: BibEntry, parent: BibEntry | None = None, keys: Iterable[str] = ()
) -> list[Finding]:
    """Every rule's findings for one entry (the caller keeps the selected ones)."""
    path = bib.path
    found: list[Finding] = []

    def add(line: int, code: str, message: str) -> None:
        found.append(finding(path, line, code, message))

    # A crossref'd entry inherits the fields it does not set (BibTeX, pybtex).
    fields = dict(parent.fields) if parent else {}
    fields.update(entry.fields)

    # A misspelt crossref: the fields its parent would give are missing too, and
    # adding them to this entry is not the fix.
    crossref_fix = ""
    target = entry.fields.get("crossref", "").strip()
    if target and parent is None:  # an empty one is an empty field
        nearest = difflib.get_close_matches(target, list(keys), n=1)
        add(
            entry.field_lines["crossref"],
            "unknown-crossref",
            f"crossref `{target}` is not an entry of this file: add that entry or fix the "
            "key" + (f"; did you mean `{nearest[0]}`?" if nearest else ""),
        )
        crossref_fix = f"fix its crossref, `{target}`, which is not an entry of this file" + (
            f" (did you mean `{nearest[0]}`?)" if nearest else ""
        )

    kind = bibtypes.TYPES.get(entry.type)
    reported: set[str] = set()
    if kind is None:
        add(
            entry.line,
            "unknown-type",
            f"{bibtypes.unprintable(entry.type)} (the types are listed in CONTRIBUTING.md)",
        )
    else:
        reported = _missing(entry, fields, kind.required(), "missing-field", add, crossref_fix)
    house = HOUSE_FIELDS + HOUSE_EXTRA.get(entry.type, [])
    house = [a for a in house if not reported & set(a)]
    reported |= _missing(entry, fields, house, "incomplete-entry", add, crossref_fix)
    _names(entry, add)
    _backslash_ends(entry, add)

    year = entry.fields.get("year", "").strip()
    if "year" in entry.fields and year and not re.fullmatch(r"\d{4}", year):
        add(
            entry.field_lines["year"],
            "year-format",
            f"`year = {{{year}}}` must be four digits, e.g. `year = {{2019}}` (put a full date "
            "in `date` or `note`)",
        )
    for name, raw in entry.raw_fields.items():
        line = entry.field_lines[name]
        if not entry.fields.get(name, "").strip() and name not in reported:
            add(line, "empty-field", f"`{name}` is empty: fill it in or delete the line")
        for part in entry.parts[name]:
            if part.kind != "macro" or _defined_before(bib, part.text, entry.line):
                continue
            string = bib.strings.get(part.text.lower())
            if string is None:
                add(
                    line,
                    "undefined-string",
                    f"`{name} = {part.text}` names an @string that is not defined: write the "
                    f"value in braces, `{name} = {{{part.text}}}`, or define "
                    f"`@string{{{part.text} = {{...}}}}` at the top of the file",
                )
            else:  # below the entry: BibTeX reads the file from the top
                add(
                    line,
                    "undefined-string",
                    f"`{name} = {part.text}` comes before `@string{{{string.name} = ...}}` "
                    f"(line {string.line}), which BibTeX has not read yet there: move the "
                    "@string to the top of the file",
                )
        if name not in VERBATIM and not unprinted(name):
            for percent_line in _percent_lines(raw, line):
                add(
                    percent_line,
                    "unescaped-percent",
                    f"unescaped `%` in `{name}`: LaTeX reads it as the start of a comment; "
                    "write `\\%`",
                )

    _link_checks(entry, fields, add)

    # The year may be in `date` (biblatex); an undated source's key says `nd`, as
    # suggest_key writes it, so the key it suggests always passes.
    dated = fields.get("year") or fields.get("date")
    if (
        entry.key.strip()
        and not follows_convention(entry.key, dated)
        and (suggestion := suggest_key(fields)) != entry.key
    ):
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


# `{{10.1109/x}}` and `{\url{https://...}}`: an address wrapped once more, as some
# exports write it; the braces or the command would end up in the link.
_WRAPPED = re.compile(r"^(?:\{(?P<braced>[^{}]*)\}|\\url\s*\{(?P<url>[^{}]*)\})$")


def _unwrapped(value: str) -> tuple[str, str]:
    """*value* without braces or ``\\url{}`` around it, and what was around it ("" if none)."""
    wrapped = _WRAPPED.match(value)
    if wrapped is None:
        return value, ""
    if wrapped["braced"] is not None:
        return wrapped["braced"].strip(), "braces"
    return wrapped["url"].strip(), "`\\url{...}`"


def _web_address(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _link_checks(entry: BibEntry, fields: dict[str, str], add: Add) -> None:
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
    if entry.fields.get("doi", "").strip():  # an empty one is `empty-field`
        value = entry.fields["doi"].strip()
        inner, wrapper = _unwrapped(value)
        bare = DOI_PREFIX.sub("", inner, count=1)
        if wrapper and DOI.fullmatch(bare):
            add(lines["doi"], "doi-format", f"delete the {wrapper} around it: `doi = {{{bare}}}`")
        elif bare != value and DOI.fullmatch(bare):
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
        if entry.fields.get(name, "").strip():
            value = entry.fields[name].strip()
            inner, wrapper = _unwrapped(value)
            if wrapper and _web_address(inner):
                add(
                    lines[name],
                    "url-format",
                    f"delete the {wrapper} around the address: `{name} = {{{inner}}}`",
                )
            elif not _web_address(value):
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


# Letters that docutils spells out before it drops what is not ASCII.
_ANCHOR_LETTERS = str.maketrans(
    {"ß": "sz", "æ": "ae", "œ": "oe", "þ": "th", "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i"}
)


def page_anchor(key: str) -> str:
    """The anchor docutils' ``make_id`` makes of ``key`` (lint does not load docutils):
    lowercase ASCII letters and digits, each other run one `-`, starting with a letter."""
    text = unicodedata.normalize("NFKD", key.lower().translate(_ANCHOR_LETTERS))
    text = re.sub(r"[^a-z0-9]+", "-", text.encode("ascii", "ignore").decode())
    return re.sub(r"^[-0-9]+|-+$", "", text)


def _duplicates(bibs: list[BibFile]) -> list[Finding]:
    found = []
    seen: dict[tuple[str, str], tuple[BibFile, BibEntry]] = {}
    for bib, entry in _all_entries(bibs):
        checks = [("key", entry.key.lower(), entry.line)]
        # The same key twice is one problem: its DOI and URL repeat with it.
        if ("key", entry.key.lower()) not in seen:
            if DOI.fullmatch(doi := entry.fields.get("doi", "").strip()):
                checks.append(("doi", doi.lower(), entry.field_lines["doi"]))
            if url := entry.fields.get("url", "").strip():
                checks.append(("url", _normal_url(url), entry.field_lines["url"]))
            # The page anchor sphinxcontrib-bibtex makes of the key (bibtex_cite_id =
            # "{key}"), for every entry of the file: two alike stop the build under -W;
            # none (`8123456`, `10.1145/3290605`) links the citation to the top of the
            # page, with an `id=""` that makes the ePub invalid.
            anchor = page_anchor(entry.key)
            if entry.key and anchor:
                checks.append(("anchor", anchor, entry.line))
            elif entry.key:
                found.append(
                    finding(
                        bib.path,
                        entry.line,
                        "key-anchor",
                        f"key `{entry.key}` makes no anchor in the page (an anchor starts with "
                        "a letter): its citations would link to the top of the page; rename "
                        f"it, starting with a letter, e.g. `{suggest_key(entry.fields)}`",
                    )
                )
        for kind, value, line in checks:
            if not value:
                continue
            first = seen.setdefault((kind, value), (bib, entry))
            if first[1] is entry:
                continue
            where = _where(*first, here=bib)
            if kind == "anchor":
                message = (
                    f"key `{entry.key}` makes the same anchor in the page as `{first[1].key}` "
                    f"({where}), `#{value}`, and the build stops on `duplicate citation id`: "
                    "rename one so that the two differ in letters or digits"
                )
            elif kind == "key":
                message = (
                    f"duplicate key `{entry.key}`: `{first[1].key}` is already defined on "
                    f"{where} (keys ignore case); merge the two entries or rename one"
                )
            else:
                message = (
                    f"same {kind.upper()} as `{first[1].key}` ({where}): the same source is "
                    "entered twice; keep one entry and cite its key"
                )
            code = "key-anchor" if kind == "anchor" else f"duplicate-{kind}"
            found.append(finding(bib.path, line, code, message))
    return found


def _http_where_https(bibs: list[BibFile], online_probe: Probe | None = None) -> list[Finding]:
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
                finding(
                    bib.path,
                    entry.field_lines[name],
                    "http-url",
                    f"{host} serves https: write `{name} = {{{secure}}}`",
                )
            )
    return found
