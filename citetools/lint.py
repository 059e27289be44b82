"""``citetools lint``: every mistake in ``references.bib`` and in the pages' citations.

With no BIB, checks ``references.bib`` and the site's pages (conf.py's
``include_patterns``) in the working directory. With BIB files, checks only
those, unless ``--pages DIR`` names pages to check them against. Several BIB
files are read in the order given, as one, as the build reads
``bibtex_bibfiles``: an @string holds in the files after its own.

Which rules run: see ``citetools/rules.py`` (``--list-rules`` prints them).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from citetools import bibfile, bibfilter, checks, rules
from citetools.args import DEFAULT_BIB, add_bib_files
from citetools.findings import ERROR, WARNING, Finding, display_path, plural, render

if TYPE_CHECKING:  # pages and siteconf load Sphinx: only when pages are checked
    from citetools import pages, siteconf

HTTPS_PROBE = "CITETOOLS_HTTPS_PROBE"
T = TypeVar("T")


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.split(",") if code.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_bib_files(parser, default="references.bib and the site's pages")
    parser.add_argument(
        "--pages",
        action="append",
        type=Path,
        metavar="DIR",
        help="check citations in the site's pages under DIR (a page file works too)",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default="text",
        help="text (path:line: CODE message), json, or GitHub annotations",
    )
    parser.add_argument("--strict", action="store_true", help="warnings fail too")
    parser.add_argument(
        "--online",
        action="store_true",
        help="ask each host of an http:// link whether it serves https",
    )
    rule_args = parser.add_argument_group(
        "rules",
        "Codes, comma-separated (ALL for every rule). Defaults: the rules that catch what "
        "breaks a build, loses data or misleads a reader, then the [tool.citetools.lint] "
        "table (select, extend-select, ignore) of the nearest pyproject.toml.",
    )
    rule_args.add_argument("--select", type=_codes, metavar="CODES", help="only these rules")
    rule_args.add_argument(
        "--extend-select", type=_codes, default=[], metavar="CODES", help="these rules too"
    )
    rule_args.add_argument(
        "--ignore", type=_codes, default=[], metavar="CODES", help="not these rules"
    )
    rule_args.add_argument(
        "--isolated", action="store_true", help="ignore pyproject.toml: the default rules"
    )
    rule_args.add_argument(
        "--list-rules", action="store_true", help="list every rule, whether it is on, and exit"
    )


def selected(args: argparse.Namespace, start: Path) -> rules.Selection:
    """The project's configuration (nearest pyproject.toml), then the command line."""
    project = rules.default_selection() if args.isolated else rules.configured(start)
    codes = rules.select(
        args.select, args.extend_select, args.ignore, "command line", set(project.codes)
    )
    return rules.Selection(frozenset(codes), project.source)


def list_rules(selection: rules.Selection) -> str:
    width = max(len(code) for code in rules.RULES)
    source = f" (configured in {display_path(selection.source)})" if selection.source else ""
    lines = [f"on = the rule runs here{source}; house = this FAQ's house style"]
    for rule in rules.RULES.values():
        on = "on " if rule.code in selection else "off"
        lines.append(
            f"{on} {rule.code:<{width}}  {rule.group:<7} {rule.severity:<7} {rule.summary}; "
            f"fix: {rule.fix}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    bib_paths: list[Path] = args.bib or [DEFAULT_BIB]
    page_args = args.pages if args.pages is not None else ([] if args.bib else [Path(".")])
    try:
        selection = selected(args, bib_paths[0].parent if args.bib else Path.cwd())
    except rules.ConfigError as error:
        print(f"citetools lint: {error}", file=sys.stderr)
        return 2
    if args.list_rules:
        print(list_rules(selection))
        return 0
    findings: list[Finding] = []
    page_files: list[Path] = []
    readings = bibfile.read_in_order(bib_paths)
    bibs = [bib for bib in readings if isinstance(bib, bibfile.BibFile)]
    findings += [_unreadable(error) for error in readings if not isinstance(error, bibfile.BibFile)]
    unreadable = len(bibs) < len(bib_paths)
    probe = _probe_https if args.online else None
    findings += checks.check_files(bibs, online_probe=probe, selection=selection)
    # Pages are checked against the bibliography: without all of it, every key looks unknown.
    if page_args and not unreadable:
        from citetools import pages, siteconf

        try:
            for arg in page_args:
                page_files += pages.site_pages(arg) if arg.is_dir() else [arg]
        except siteconf.UnreadableConf as error:
            # Without the list of pages, every entry would look uncited.
            unreadable = True
            page_files = []
            findings.append(_unreadable(error))
        else:
            scanned = _read_each(pages.scan, page_files, findings)
            unreadable = len(scanned) < len(page_files)
            findings += [f for f in check_pages(bibs, scanned) if f.code in selection]
    output = render(findings, args.format)
    if output:
        print(output)
    errors = sum(f.severity == ERROR for f in findings)
    warnings = sum(f.severity == WARNING for f in findings)
    if args.format == "text":
        checked = ", ".join(display_path(p) for p in bib_paths)
        if page_files:
            checked += f" and {plural(len(page_files), 'page')}"
        print(
            f"citetools lint: {plural(errors, 'error')}, {plural(warnings, 'warning')} "
            f"in {checked}",
            file=sys.stderr,
        )
    if unreadable:
        return 2
    return 1 if errors or (args.strict and warnings) else 0


def _unreadable(error: bibfile.UnreadableBibFile | siteconf.UnreadableConf) -> Finding:
    return Finding(display_path(error.path), error.line, error.code, error.message)


def _read_each(
    read: Callable[[Path], T], paths: Sequence[Path], findings: list[Finding]
) -> list[T]:
    """``read(path)`` for each path; a file that cannot be read becomes a finding."""
    done: list[T] = []
    for path in paths:
        try:
            done.append(read(path))
        except bibfile.UnreadableBibFile as error:
            findings.append(_unreadable(error))
    return done


# A fence left open: the page's next lines are read as keys of the list above them.
_TEXT_IN_LIST = (
    "this line is read as a key of the bibliography fence above it, and keys have no "
    "spaces: if the list ended before it, close the fence there with its backticks (```)"
)


def check_pages(bibs: list[bibfile.BibFile], scanned: list[pages.Page]) -> list[Finding]:
    """Keys cited but not defined (or lines of a bibliography left open), entries never
    cited (a crossref's parent counts as cited with its child), markers without a reason,
    filters reading a name no entry has, pages that do not list what they cite, and what
    the page reader found."""
    from citetools import pages, sources_lists  # pages loaded already: it read *scanned*

    defined = {e.key: (bib, e) for bib in bibs for e in bib.entries}
    fields = sorted({name for bib in bibs for e in bib.entries for name in e.fields})
    by_lower = {k.lower(): k for k in defined}
    # A citation list's :keyprefix: is cited with the key: `{cite:p}`read-smith2020``
    # (a bullet or numbered list's entries are no citations' targets).
    prefixes = {
        b.keyprefix
        for page in scanned
        for b in page.bibliographies
        if b.keyprefix and b.list_type == "citation"
    }

    def resolve(cited: str) -> tuple[str, str] | None:
        return sources_lists.named_entry(cited, defined.__contains__, prefixes)

    listing_everything = [
        page
        for page in scanned
        if any(
            b.read and sources_lists.lists_everything(sources_lists.upstream_filter(b.values))
            for b in page.bibliographies
        )
    ]
    cited: set[str] = set()
    found: list[Finding] = []
    for page in scanned:
        path = display_path(page.path)
        for problem in page.problems:
            found.append(Finding(path, problem.line, "cite-syntax", problem.message))
        text_in_list = False  # a line with spaces read as a listed key: once per page
        for citation in page.citations + page.listed_keys:
            if citation.role == "bibliography":  # a list's own keys have no prefix
                key = citation.key if citation.key in defined else None
            else:
                named = resolve(citation.key)
                key = named[0] if named else None
            cited.add(key or citation.key)
            if key is not None:
                continue
            if citation.role == "bibliography" and len(citation.key.split()) > 1:
                if not text_in_list:
                    found.append(Finding(path, citation.line, "undefined-key", _TEXT_IN_LIST))
                text_in_list = True
                continue
            if citation.key.lower() in by_lower:
                exact = by_lower[citation.key.lower()]
                hint = f"did you mean `{exact}`? (write keys exactly as defined)"
            else:
                nearest = difflib.get_close_matches(citation.key, list(defined), n=1, cutoff=0.6)
                hint = (
                    f"did you mean `{nearest[0]}`?"
                    if nearest
                    else "add the source with `citetools add DOI-or-URL`"
                )
            found.append(
                Finding(
                    path,
                    citation.line,
                    "undefined-key",
                    f"`{citation.key}` is not in the bibliography: {hint}",
                )
            )
        references_elsewhere = any(p is not page for p in listing_everything)
        for line, code, message in sources_lists.page_findings(page, resolve, references_elsewhere):
            found.append(Finding(path, line, code, message))
        for bib_filter in page.filters:
            for name in bibfilter.unknown_names(bib_filter.value or "", fields):
                message = bibfilter.unknown_name_message(name, fields)
                found.append(Finding(path, bib_filter.line, "filter-name", message))
        for marker in page.markers:
            if not marker.reason:
                found.append(
                    Finding(
                        path,
                        marker.line,
                        "marker-reason",
                        pages.NO_REASON,
                    )
                )
    # A crossref's parent is printed through its children: used if one of them is.
    children: dict[str, set[str]] = {}
    for bib in bibs:
        for e in bib.entries:
            children.setdefault(e.crossref, set()).add(e.key)
    for key, (bib, entry) in defined.items():
        if key not in cited and not children.get(key.lower(), set()) & cited:
            found.append(
                Finding(
                    display_path(bib.path),
                    entry.line,
                    "unused-entry",
                    f"`{key}` is not cited on any page: cite it where it supports a claim, "
                    "or delete the entry",
                    WARNING,
                )
            )
    return found


def _probe_https(host: str) -> bool:
    """Whether ``host`` answers over https; the template is for tests on 127.0.0.1."""
    url = os.environ.get(HTTPS_PROBE, "https://{host}/").format(host=host)
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "citetools"})
    try:
        with urllib.request.urlopen(request, timeout=10):
            return True
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (urllib.error.URLError, OSError, ValueError):
        return False
