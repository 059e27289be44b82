"""``citetools claims``: per FAQ page, which paragraphs cite a source and which do not.

Default pages: ``index.md`` and ``faq/*.md`` (the pages that make claims). A
paragraph is a block of text between blank lines, or a list item; headings,
code and ``{bibliography}`` lists are not. With ``--max-needed N`` the command
fails when more than N citation-needed markers remain.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from citetools import pages
from citetools.bibfile import UnreadableBibFile
from citetools.findings import display_path, plural

_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "pages", nargs="*", type=Path, metavar="PAGE", help="pages (default: index.md, faq/*.md)"
    )
    parser.add_argument(
        "--max-needed",
        type=int,
        metavar="N",
        help="exit 1 when more than N citation-needed markers remain",
    )


def default_pages(root: Path = Path(".")) -> list[Path]:
    found = [root / "index.md"] if (root / "index.md").exists() else []
    return found + sorted((root / "faq").glob("*.md"))


def _excerpt(text: str) -> str:
    words = " ".join(pages.LIST_ITEM.sub("", _ROLE.sub("", text)).split())
    return words if len(words) <= 70 else words[:67].rstrip() + "..."


def _counts(paragraphs: int, cited: int, needed: int) -> str:
    return (
        f"{plural(paragraphs, 'paragraph')}, {cited} with a citation, {paragraphs - cited} "
        f"without; {plural(needed, 'citation-needed marker')}"
    )


def run(args: argparse.Namespace) -> int:
    paths = args.pages or default_pages()
    if not paths:
        print(
            "index.md:0: no pages found (index.md, faq/*.md): run citetools claims in the "
            "project folder, or name the pages",
            file=sys.stderr,
        )
        return 2
    totals = {"paragraphs": 0, "cited": 0, "needed": 0}
    unreadable = False
    for path in paths:
        shown = display_path(path)
        try:
            page = pages.scan(path)
        except UnreadableBibFile as error:
            print(f"{shown}:{error.line}: {error.code} {error.message}")
            unreadable = True
            continue
        cited = [p for p in page.paragraphs if p.citations]
        uncited = [p for p in page.paragraphs if not p.citations]
        print(f"{shown}: {_counts(len(page.paragraphs), len(cited), len(page.markers))}")
        notes = [(p.line, f"no citation: {_excerpt(p.text)}") for p in uncited]
        for marker in page.markers:
            reason = marker.reason or "(no reason given: write one between the backticks)"
            notes.append((marker.line, f"citation needed: {reason}"))
        # In reading order, as the contributor will go through the page.
        for line, note in sorted(notes, key=lambda n: n[0]):
            print(f"  {shown}:{line}: {note}")
        totals["paragraphs"] += len(page.paragraphs)
        totals["cited"] += len(cited)
        totals["needed"] += len(page.markers)
    print(f"total: {_counts(totals['paragraphs'], totals['cited'], totals['needed'])}")
    if unreadable:
        return 2
    if args.max_needed is not None and totals["needed"] > args.max_needed:
        print(
            f"citetools claims: {plural(totals['needed'], 'claim')} awaiting a source, more "
            f"than --max-needed {args.max_needed}",
            file=sys.stderr,
        )
        return 1
    return 0
