"""Reading the site's MyST pages for citations, bibliography keys and citation-needed markers.

A light line scanner, not a Markdown parser: it knows fences (code is skipped,
directives are read), headings, list items and blank lines, which is all the
FAQ pages use. Every item keeps its 1-based line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent

from sphinxcontrib.bibtex.citation_target import parse_citation_targets

from citetools import siteconf
from citetools.page_patterns import FENCE, HEADING, LINK_TEXT, ROLE, ROLE_NAME, UNDERLINE


def _closed_run(ticks: str, body: str = ".+?") -> str:
    """A run of backticks (group *ticks*), *body*, then the next run exactly as long:
    how Markdown closes a code span and MyST a role's text."""
    return rf"(?P<{ticks}>`+)(?!`){body}(?<!`)(?P={ticks})(?!`)"


# A role and its text, however many backticks hold it (a reason may show `code`),
# or nothing between two backticks.
_ROLE = re.compile(rf"\{{(?P<role>{ROLE_NAME})\}}(?:{_closed_run('ticks', '(?P<body>.+?)')}|``)")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# A table's second line (`|---|:--|`, `--|--`): a table is no paragraph, so a `---`
# under it is a rule, not a heading's underline.
_TABLE_DELIMITER = re.compile(
    r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$|^\s*\|\s*:?-+:?\s*\|\s*$"
)
# A bibliography fence in a blockquote or on a list item's line, or written in
# reStructuredText: this reader does not read its options or keys (the FAQ has none),
# but the page has the list.
_RST_BIBLIOGRAPHY = re.compile(r"^\s*\.\.\s+bibliography::")
_NESTED_BIBLIOGRAPHY = re.compile(
    r"^\s*(?:>\s*|(?:[-*+]|\d+[.)])\s+)+(?:`{3,}|~{3,})\{bibliography\}"
)
# Any other fence opened on a list item's line (`- ```md`): code or a directive, as
# anywhere else; its closing fence, indented under the item, is no new fence.
_LIST_MARKER = r"(?:[-*+]|\d+[.)])[ \t]+"
_LIST_ITEM_FENCE = re.compile(rf"^[ \t]*(?:{_LIST_MARKER})+(?P<fence>`{{3,}}|~{{3,}})(?P<info>.*)$")
# Where a citation or marker is read but readers see its raw text, or none at all.
_BACKTICK_IN_FENCE_LINE = (
    "a backtick in a fence's first line (a citation or marker in a directive's title?) "
    "makes the line text, and the next fence starts a code block that shows the rest of "
    "the page as code, its Sources list included: move what is in backticks into the "
    "directive's body"
)
_ROLE_IN_HEADING = (
    "a citation or marker in a heading: the page's title, the menu and the section's link "
    "show its key or reason as text: put it in the text under the heading"
)
_ROLE_IN_UNDERLINED = (
    "a citation or marker in text with a line of `===` or `---` right under it, which makes "
    "the text a heading: the menu and the section's link show its key or reason as text: "
    "leave a blank line above the `---` if it is meant as a rule"
)
_ROLE_IN_LINK = (
    "a citation or marker inside a link's text or an image's description: readers get a "
    "link inside a link, or nothing at all: put it after the link or image"
)
NO_REASON = (
    "citation-needed marker without a reason: write "
    "{citation-needed}`why no source supports this yet`"
)
# MyST's option line: a colon, not a colon fence (`:::`).
_OPTION_LINE = re.compile(r"^\s*:(?!::)")
_NOT_TEXT = re.compile(r"^\s*(?:#|\(.+\)=\s*$|<!--|-{3,}\s*$|:[\w-]+:)")
# Directives whose body is code, page names or verbatim text, not Markdown.
_LITERAL_DIRECTIVES = {"code", "code-block", "code-cell", "sourcecode", "literalinclude",
                       "math", "raw", "eval-rst", "mermaid", "csv-table", "toctree",
                       "include", "image", "claims-awaiting-sources"}  # fmt: skip


@dataclass
class Citation:
    line: int
    key: str
    role: str


@dataclass
class Marker:
    line: int
    reason: str
    build_reports: bool = False  # empty backticks: no role runs, readers see the text


@dataclass
class Paragraph:
    line: int
    text: str
    citations: list[Citation] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)


@dataclass
class Option:
    line: int
    value: str | None  # as the directive gets it; None for a flag (`:all:`)


@dataclass
class Bibliography:
    line: int  # of its fence
    options: dict[str, Option]  # by name
    keys: list[str]  # listed in its body
    read: bool = True  # False: nested, its options and keys unknown (_NESTED_BIBLIOGRAPHY)

    @property
    def values(self) -> dict[str, str | None]:
        return {name: option.value for name, option in self.options.items()}

    @property
    def filter(self) -> str | None:
        return self.values.get("filter")

    @property
    def keyprefix(self) -> str:
        return self.values.get("keyprefix") or ""

    @property
    def list_type(self) -> str:
        return self.values.get("list") or "citation"


@dataclass
class CiteProblem:
    line: int
    message: str
    # Only a reading of the source finds it (no role runs, or readers see its text
    # raw), so the build reports it from here too.
    build_reports: bool = False


@dataclass
class Page:
    path: Path
    citations: list[Citation] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    listed_keys: list[Citation] = field(default_factory=list)  # {bibliography} bodies
    bibliographies: list[Bibliography] = field(default_factory=list)
    includes: list[int] = field(default_factory=list)  # lines of {include}: not read here
    paragraphs: list[Paragraph] = field(default_factory=list)
    problems: list[CiteProblem] = field(default_factory=list)

    @property
    def filters(self) -> list[Option]:
        """Every bibliography's `:filter:`, with its line."""
        return self._options("filter")

    @property
    def styles(self) -> list[Option]:
        return self._options("style")

    def _options(self, name: str) -> list[Option]:
        found = (b.options.get(name) for b in self.bibliographies)
        return [option for option in found if option is not None and option.value is not None]


# What MyST does not render: HTML comments and `%` comment lines, blanked to spaces
# so that lines keep their numbers; and code spans, skipped where a left-to-right
# scan meets them (a role's backticks are taken with its name). An HTML comment
# counts only where MyST reads one: not in a fence or a code span.
# A code span ends at its paragraph: it does not cross a blank line. A fence closes
# with a run at least as long as the one that opened it.
_IN_PARAGRAPH = r"(?:(?!\n[ \t]*\n).)+?"
_CODE_SPAN = rf"(?<!`){_closed_run('code_ticks', _IN_PARAGRAPH)}"
_HTML_COMMENT = re.compile(
    rf"^[ \t]*(?:{_LIST_MARKER})*(?P<marker>`{{3,}}(?=[^`\n]*$)|~{{3,}}).*?"
    r"^[ \t]*(?P=marker)(?:(?<=`)`*|(?<=~)~*)[ \t]*$"
    rf"|{_CODE_SPAN}"
    r"|(?P<comment><!--.*?(?:-->|\Z))",
    re.M | re.S,
)
_COMMENT_LINE = re.compile(r"^[ \t]*%.*$", re.M)
_ROLE_OR_CODE = re.compile(
    # A role name with no backticks right after it: MyST shows it as text.
    # A backslash escapes the character after it: `\{cite:p}` is text, `\\{cite:p}` a role.
    rf"(?P<escape>\\.)|{_ROLE.pattern}|(?P<code>{_CODE_SPAN})|\{{(?P<bare>{ROLE_NAME})\}}",
    re.S,
)


def _blanked(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match[0])


def _comment_blanked(match: re.Match[str]) -> str:
    return _blanked(match) if match["comment"] is not None else match[0]


def scan(path: Path, text: str | None = None) -> Page:
    if text is None:
        from citetools.bibfile import read_text  # with bibtexparser: not for the build

        text = read_text(path)  # names the line of a byte that is not UTF-8
    page = Page(Path(path))
    text = _COMMENT_LINE.sub(_blanked, _HTML_COMMENT.sub(_comment_blanked, text))
    lines = text.split("\n")
    block: list[str] = []
    block_line = 0
    fences: list[tuple[str, str]] = []  # open fences: (marker, directive name)

    def flush() -> None:
        nonlocal block
        if block:
            _read_block(page, block_line, "\n".join(block))
        block = []

    i = _skip_front_matter(lines)
    while i < len(lines):
        line = lines[i]
        number = i + 1
        fence = FENCE.match(line)
        literal = bool(fences) and fences[-1][1] in _LITERAL_DIRECTIVES | {""}
        if fence and not literal and _backtick_in_info(fence):
            # No fence to Markdown, whose fences' first lines hold no backtick: text.
            if _meant_as_fence(fence):
                page.problems.append(CiteProblem(number, _BACKTICK_IN_FENCE_LINE, True))
            fence = None
        if (
            fence
            and fences
            and line.strip().startswith(fences[-1][0])
            and not fence["info"].strip()
        ):
            flush()
            fences.pop()
        elif fence and not literal:
            flush()
            name = _directive_name(fence["info"])
            if name == "bibliography":
                i = _read_bibliography(page, lines, i, fence["fence"], len(fence["indent"]))
                continue
            if name == "include":
                page.includes.append(number)
            fences.append((fence["fence"], name))
        elif literal:
            if fences[-1][1] == "eval-rst" and _RST_BIBLIOGRAPHY.match(line):
                page.bibliographies.append(Bibliography(number, {}, [], read=False))
        elif _NESTED_BIBLIOGRAPHY.match(line):
            flush()
            page.bibliographies.append(Bibliography(number, {}, [], read=False))
        elif (item_fence := _LIST_ITEM_FENCE.match(line)) and not _backtick_in_info(item_fence):
            flush()
            fences.append((item_fence["fence"], _directive_name(item_fence["info"])))
        elif block and not _not_paragraph(block) and UNDERLINE.match(line):
            _read_heading(page, block_line, "\n".join(block), _ROLE_IN_UNDERLINED)
            block = []
        elif not line.strip():
            flush()
        elif _NOT_TEXT.match(line) or LIST_ITEM.match(line):
            flush()
            if LIST_ITEM.match(line):
                block, block_line = [line], number
            elif HEADING.match(line):
                _read_heading(page, number, line, _ROLE_IN_HEADING)
            else:
                _read_block(page, number, line, counts=False)
        else:
            if not block:
                block_line = number
            block.append(line)
        i += 1
    flush()
    return page


def _backtick_in_info(fence: re.Match[str]) -> bool:
    """A backtick fence whose first line holds a backtick: Markdown reads no fence there."""
    return fence["fence"][0] == "`" and "`" in fence["info"]


def _directive_name(info: str) -> str:
    """The directive a fence's first line names (`{note}`), or "" for code."""
    info = info.strip()
    return info[1 : info.index("}")] if info.startswith("{") and "}" in info else ""


def _not_paragraph(block: list[str]) -> bool:
    """A list item or a table: text that a line of `---` under it does not make a heading."""
    return bool(LIST_ITEM.match(block[0])) or (
        len(block) > 1 and bool(_TABLE_DELIMITER.match(block[1]))
    )


def _read_heading(page: Page, line: int, text: str, problem: str) -> None:
    """A heading's citations and markers count; that it holds any is *problem*."""
    found = len(page.citations) + len(page.markers)
    _read_block(page, line, text, counts=False)
    if len(page.citations) + len(page.markers) > found:
        page.problems.append(CiteProblem(line, problem, True))


def _meant_as_fence(fence: re.Match[str]) -> bool:
    """No run of backticks as long as the line's opening one closes it as inline code."""
    return not re.search(rf"(?<!`){fence['fence']}(?!`)", fence["info"])


def _skip_front_matter(lines: list[str]) -> int:
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return i + 1
    return 0


def _read_bibliography(page: Page, lines: list[str], i: int, fence: str, indent: int) -> int:
    """The ```{bibliography} opened on line *i*: keys listed in its body count as cited;
    its options are kept with their lines."""
    end = _closing(lines, i + 1, fence)
    options: dict[str, Option] = {}
    keys = []
    for j in range(_read_options(lines, i + 1, end, indent, options), end):
        stripped = lines[j].strip()
        if stripped and not stripped.startswith(":"):
            page.listed_keys.append(Citation(j + 1, stripped, "bibliography"))
            keys.append(stripped)
    page.bibliographies.append(Bibliography(i + 1, options, keys))
    return end + 1


def _closing(lines: list[str], i: int, fence: str) -> int:
    """The index of the line closing the fence opened above line *i* (or of the end)."""
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped.startswith(fence) and not stripped[len(fence) :].strip():
            return i
        i += 1
    return i


def _in_fence(line: str, indent: int) -> str:
    """*line* as the directive's body has it: without the fence's own indentation."""
    return line[min(indent, len(line) - len(line.lstrip(" "))) :]


def _read_options(
    lines: list[str], i: int, end: int, indent: int, options: dict[str, Option]
) -> int:
    """The options at the top of a directive's body, read by MyST's own reader, added
    to *options* with their lines; the index of the first line after them."""
    if i < end and _in_fence(lines[i], indent).startswith("---"):  # the options as YAML
        last = next(
            (j for j in range(i + 1, end) if _in_fence(lines[j], indent).startswith("---")), end
        )
        block = dedent("\n".join(_in_fence(line, indent) for line in lines[i + 1 : last]))
        first, after = i + 1, min(last + 1, end)
    elif i < end and _OPTION_LINE.match(lines[i]):  # `:name: value` lines
        after = next((j for j in range(i, end) if not _OPTION_LINE.match(lines[j])), end)
        first, block = i, "\n".join(line.lstrip()[1:] for line in lines[i:after])
    else:
        return i
    # As MyST reads them: quoted values unquoted, folded ones joined.
    from myst_parser.parsers.options import TokenizeError, options_to_tokens

    try:
        tokens, _ = options_to_tokens(block)
    except TokenizeError:
        return after  # MyST warns of the options itself
    for key, value in tokens:
        options[key.value] = Option(
            first + key.start.line + 1, None if value is None else value.value
        )
    return after


def _read_block(page: Page, first_line: int, text: str, counts: bool = True) -> None:
    paragraph = Paragraph(first_line, text)
    for match in _ROLE_OR_CODE.finditer(text):
        if match["code"] is not None or match["escape"] is not None:
            continue
        line = first_line + text.count("\n", 0, match.start())
        if match["bare"] is not None:
            unclosed = text.startswith("`", match.end())
            page.problems.append(CiteProblem(line, not_a_role(match["bare"], unclosed), True))
            continue
        role, body = match["role"], match["body"] or ""
        if role == "citation-needed":
            marker = Marker(line, " ".join(body.split()), build_reports=not body)
            paragraph.markers.append(marker)
            page.markers.append(marker)
            continue
        try:
            targets = list(parse_citation_targets(body))
        except ValueError:
            problem = CiteProblem(line, unreadable_citation(role, body), build_reports=not body)
            page.problems.append(problem)
            continue
        for target in targets:
            citation = Citation(line, target.key, role)
            paragraph.citations.append(citation)
            page.citations.append(citation)
    # A role in a link's text or an image's description: code spans set aside first.
    plain = _ROLE_OR_CODE.sub(lambda m: m[0] if m["code"] is None else _blanked(m), text)
    for link in LINK_TEXT.finditer(plain):
        role = ROLE.search(link["inner"])
        if role:
            line = first_line + plain.count("\n", 0, link.start("inner") + role.start())
            page.problems.append(CiteProblem(line, _ROLE_IN_LINK, True))
    if counts:
        page.paragraphs.append(paragraph)


def unreadable_citation(role: str, body: str) -> str:
    """What lint and the build say of a citation sphinxcontrib-bibtex cannot read."""
    if not body.strip():
        return (
            f"`{{{role}}}` has no key between its backticks: write the key there, e.g. "
            "{cite:p}`rogers2019effectiveness`"
        )
    return (
        f"cannot read the citation `{{{role}}}`{body}``: write keys separated by commas, "
        "e.g. {cite:p}`{see}rogers2019effectiveness{p. 5},puntis2018systematic`"
    )


def not_a_role(role: str, unclosed: bool = False) -> str:
    """What lint and the build say of a role name the page shows as text; *unclosed*
    when a backtick follows it that nothing closes."""
    if unclosed:
        return (
            f"`{{{role}}}` has no closing backtick, so the page shows it as text: end the "
            "key with a backtick, e.g. {cite:p}`rogers2019effectiveness`"
        )
    return (
        f"`{{{role}}}` is not followed by backticks, so the page shows it as text: write "
        f"`{{{role}}}` and the backticks with nothing between, e.g. "
        "{cite:p}`rogers2019effectiveness`"
    )


def site_pages(root: Path) -> list[Path]:
    """The pages of the site under ``root``: those conf.py's ``include_patterns`` selects,
    as Sphinx selects them; without that setting, every ``.md`` file outside hidden, ``_``
    and test directories.

    Raises ``UnreadableConf`` at the line where conf.py fails: guessing the pages then
    would check files the site never publishes."""
    root = Path(root)
    conf = root / siteconf.FILENAME
    config = siteconf.read(conf) if conf.exists() else {}
    if "include_patterns" in config:
        return siteconf.page_sources(root, config)
    skip = {"node_modules", "tests", "venv"}
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if not d.startswith((".", "_")) and d not in skip]
        found += [Path(folder) / f for f in files if f.endswith(".md")]
    return sorted(found)
