"""Every code ``citetools lint`` reports, in one table, and which of them are on.

A rule is on by default only when what it catches breaks the build, loses data
or misleads a reader; the FAQ's own house style (key convention, a link and an
access date on every entry, ...) is switched on by this repository's
``pyproject.toml``. Syntax errors are always on: nothing else can be read
reliably past them.

Selection works as in ruff: ``select`` replaces the default set,
``extend-select`` adds to it, ``ignore`` removes codes; ``ALL`` selects every
rule. The ``[tool.citetools.lint]`` table of the nearest ``pyproject.toml``
(walking up from the bibliography) comes first, then the command line.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SYNTAX = "syntax"  # always on
DEFAULT = "default"
HOUSE = "house"


@dataclass(frozen=True)
class Rule:
    code: str
    summary: str
    fix: str
    group: str = DEFAULT
    severity: str = "error"


# A `}` or a field between entries: an entry was closed too early, and BibTeX drops
# its last fields without a word (`fmt` would move them away from it).
CLOSED_EARLY = frozenset({"stray-brace", "field-outside-entry"})

# What stops the site's build (pybtex cannot read the file, or the style cannot print
# an entry, or an entry lost fields): the build's own check stops on these with
# lint's message.
BREAKS_BUILD = CLOSED_EARLY | frozenset(
    {
        "duplicate-key",
        "key-anchor",
        "unknown-type",
        "missing-field",
        "name-format",
        "undefined-string",
        "trailing-backslash",
    }
)


_RULES = [
    # -- the file cannot be read as BibTeX reads it: the build stops ------------------
    Rule("unreadable", "a file that is missing or cannot be opened", "check the name", SYNTAX),
    Rule("not-utf8", "the file is not saved as UTF-8", "save it as UTF-8", SYNTAX),
    Rule("conflict-marker", "a merge-conflict marker (`<<<<<<<`, `=======`, `>>>>>>>`)",
         "keep one side of the conflict and delete the markers", SYNTAX),
    Rule("unbalanced-braces", "a `{` or `\"` is never closed, or there is a `}` too many",
         "add the missing `}` or `\"`, or delete the extra one", SYNTAX),
    Rule("missing-comma", "a field's value is not followed by a comma",
         "add `,` after the value", SYNTAX),
    Rule("comment-in-entry", "a `%` comment inside an entry, which BibTeX reads as a field",
         "move the comment above the entry", SYNTAX),
    Rule("commented-out-entry", "an entry commented out with `%`, which hides nothing from "
         "BibTeX: its `@` still starts the entry", "delete the entry, or its `@` too", SYNTAX),
    Rule("quote-in-value", "a `\\\"` inside a `\"...\"` value, which ends the value there",
         "write the value in braces, `{...}`", SYNTAX),
    Rule("value-syntax", "text after a value's closing brace",
         "put the whole value in one pair of braces", SYNTAX),
    Rule("syntax", "anything else BibTeX cannot read (e.g. a field without `=`)",
         "write each field as `name = {value},`", SYNTAX),
    Rule("missing-key", "an entry without a key", "write `@type{key,`", SYNTAX),
    Rule("duplicate-field", "a field given twice in one entry (in any letter case)",
         "keep one and delete the other", SYNTAX),
    Rule("duplicate-string", "an `@string` macro defined twice", "delete one", SYNTAX),
    # -- on by default: breaks the build, loses data or misleads a reader -------------
    Rule("stray-brace", "a `}` or `,` between entries: an entry was closed too early",
         "check the braces of the entry above, then delete it"),
    Rule("field-outside-entry", "a `name = value` line outside any entry, which BibTeX "
         "ignores", "move it into its entry (an entry was closed too early)"),
    Rule("duplicate-key", "two entries with the same key (ignoring case)",
         "merge the two entries or rename one"),
    Rule("key-anchor", "a key that makes no anchor in the page (`8123456`, `9.8:1`: no letter "
         "first), or the same one as another key (`Smith:2019`, `smith-2019`)",
         "rename it: a letter first, and keys that differ in letters or digits"),
    Rule("duplicate-doi", "two entries with the same DOI", "keep one entry and cite its key"),
    Rule("duplicate-url", "two entries with the same URL", "keep one entry and cite its key"),
    Rule("unknown-type", "an entry type the site cannot print (`@artcle`)",
         "use the type the message names"),
    Rule("missing-field", "a field the printed reference cannot do without",
         "add the field the message names"),
    Rule("name-format", "an `author` or `editor` name BibTeX cannot split (too many commas)",
         "separate names with `and`; an organisation goes in double braces"),
    Rule("et-al", "`et al.` in `author`, which BibTeX reads as a person",
         "list every name, or end the list with `and others`"),
    Rule("undefined-string", "a value names an `@string` macro that is not defined",
         "write the value in braces or define the macro"),
    Rule("unknown-crossref", "`crossref` names an entry that does not exist",
         "add that entry or fix the key"),
    Rule("doi-format", "`doi` written as an address, or not a DOI", "write the bare DOI"),
    Rule("url-format", "`url`/`archiveurl` not a full `http(s)://` address, or with spaces "
         "or backslashes", "copy the address from the browser"),
    Rule("unescaped-percent", "a `%` in a value the FAQ prints, which LaTeX reads as the "
         "start of a comment", "write `\\%` (not in a URL)"),
    Rule("trailing-backslash", "a value, or a part of a name, that ends in `\\` "
         "(`Julia C.\\ and ...`), which the build cannot decode", "delete that `\\`"),
    Rule("undefined-key", "a page cites a key that is not in the bibliography",
         "fix the key or add the source"),
    Rule("cite-syntax", "a citation role that cannot be read", "see the citation syntax"),
    Rule("filter-name", "a bibliography's `:filter:` reads a name that is neither the "
         "filter's own nor a field of any entry (always empty)", "fix the name"),
    Rule("sources-list", "a page that cites sources its readers cannot see listed on it (no "
         "bibliography, one listing every source the site cites, or only other entries)",
         "end the page with its Sources list, `:filter: docname in docnames`"),
    Rule("list-prefix", "two lists on one page without a `:keyprefix:`, whose entries get "
         "the same anchors (upstream: \"duplicate citation id\")",
         "give each list but the Sources list its own `:keyprefix:`"),
    Rule("marker-reason", "a `{citation-needed}` marker without a reason",
         "write the reason inside the backticks"),
    Rule("conf-syntax", "`conf.py` does not parse, so the site's pages are not known",
         "fix the Python syntax error"),
    Rule("conf-error", "`conf.py` stops with an error when read (an import it cannot make), "
         "so the site's pages are not known", "fix it so that Sphinx can read the settings"),
    # -- the FAQ's house style: on in this repository's pyproject.toml ---------------------
    Rule("text-outside-entry", "text between entries that is not a `%` comment (BibTeX "
         "ignores it)", "start the line with `%`", HOUSE, "warning"),
    Rule("incomplete-entry", "an entry without what the FAQ prints for every source "
         "(author or editor, title, year, ...)", "add the field the message names", HOUSE),
    Rule("empty-field", "a field with nothing in it", "fill it in or delete the line", HOUSE),
    Rule("year-format", "`year` is not four digits", "`year = {2019}`", HOUSE),
    Rule("missing-link", "neither `doi` nor `url` (nor `isbn` for a book)",
         "add `doi` or `url`", HOUSE),
    Rule("missing-urldate", "a web source without `urldate`", "add `urldate = {YYYY-MM-DD}`",
         HOUSE),
    Rule("date-format", "`urldate`/`archivedate` not `YYYY-MM-DD`", "write YYYY-MM-DD", HOUSE),
    Rule("missing-archivedate", "`archiveurl` without `archivedate`",
         "add `archivedate = {YYYY-MM-DD}`", HOUSE),
    Rule("urlstatus", "`urlstatus` is not `live` or `dead`", "write `live` or `dead`", HOUSE),
    Rule("dead-link", "`urlstatus = {dead}` without an `archiveurl`",
         "add `archiveurl` and `archivedate`", HOUSE, "warning"),
    Rule("http-url", "an `http://` link to a site that serves `https://`",
         "write `https://`", HOUSE, "warning"),
    Rule("key-convention", "the key does not follow the FAQ's convention (authoryearword)",
         "rename it here and in every page that cites it", HOUSE),
    Rule("unused-entry", "an entry no page cites", "cite it or delete it", HOUSE, "warning"),
]  # fmt: skip
RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
#: Always on: BibTeX cannot read the file past them.
SYNTAX_CODES = frozenset(code for code, rule in RULES.items() if rule.group == SYNTAX)
ALL = "ALL"


class ConfigError(Exception):
    """A code that does not exist, or a ``[tool.citetools.lint]`` table that is wrong."""


@dataclass(frozen=True)
class Selection:
    codes: frozenset[str]
    source: str = ""  # the pyproject.toml that chose them, if any

    def __contains__(self, code: object) -> bool:
        return code in self.codes


def _check_codes(codes: Iterable[str], where: str) -> list[str]:
    out = []
    for code in codes:
        code = code.strip()
        if not code:
            continue
        if code != ALL and code not in RULES:
            import difflib

            near = difflib.get_close_matches(code, list(RULES), n=1)
            hint = f" (did you mean `{near[0]}`?)" if near else ""
            raise ConfigError(
                f"{where}: unknown rule `{code}`{hint}; `citetools lint --list-rules` lists them"
            )
        out.append(code)
    return out


def _expand(codes: Sequence[str]) -> set[str]:
    return set(RULES) if ALL in codes else set(codes)


def select(
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    where: str = "command line",
    base: set[str] | None = None,
) -> set[str]:
    """The codes on after one layer of configuration over ``base``."""
    chosen = set(base) if base is not None else default_codes()
    if select is not None:
        chosen = _expand(_check_codes(select, where))
    chosen |= _expand(_check_codes(extend_select, where))
    chosen -= _expand(_check_codes(ignore, where))
    return chosen | SYNTAX_CODES


def build_codes() -> frozenset[str]:
    """The codes the build stops on: every syntax error, and what pybtex cannot print."""
    return BREAKS_BUILD | SYNTAX_CODES


def default_selection() -> Selection:
    """The rules on with no configuration."""
    return Selection(frozenset(select()))


def default_codes() -> set[str]:
    return {code for code, rule in RULES.items() if rule.group != HOUSE}


def _find_pyproject(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest ``pyproject.toml`` with a ``[tool.citetools]`` table, walking up (as
    ruff), and what it holds."""
    here = start.resolve()
    for folder in [here, *here.parents] if here.is_dir() else here.parents:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if isinstance(data.get("tool"), dict) and "citetools" in data["tool"]:
                return candidate, data
    return None


def _list(table: dict[str, object], name: str, where: str) -> list[str] | None:
    value = table.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{where}: `{name}` must be a list of codes, e.g. ["key-convention"]')
    return [str(v) for v in value]


def configured(start: Path) -> Selection:
    """The rules the nearest ``pyproject.toml`` switches on (the defaults without one)."""
    found = _find_pyproject(start)
    if found is None:
        return default_selection()
    path, data = found
    table = data["tool"]["citetools"].get("lint", {})
    where = f"{path}:1: [tool.citetools.lint]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = set(table) - {"select", "extend-select", "ignore"}
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting `{sorted(unknown)[0]}` (use select, extend-select, ignore)"
        )
    codes = select(
        _list(table, "select", where),
        _list(table, "extend-select", where) or (),
        _list(table, "ignore", where) or (),
        where,
    )
    return Selection(frozenset(codes), str(path))


def table_markdown() -> str:
    """The table of codes in CONTRIBUTING.md, as the registry holds them."""
    rows = ["| Code | On | Meaning | Fix |", "|---|---|---|---|"]
    on = {SYNTAX: "always", DEFAULT: "yes", HOUSE: "house style"}
    for rule in _RULES:
        warning = " (warning)" if rule.severity == "warning" else ""
        rows.append(f"| `{rule.code}`{warning} | {on[rule.group]} | {rule.summary} | {rule.fix} |")
    return "\n".join(rows)
