"""Command-line arguments that several citetools commands take in the same form."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_BIB = Path("references.bib")


def add_bib_files(parser: argparse.ArgumentParser, default: str) -> None:
    """Optional positional BIB files; ``default`` says what runs when none is given."""
    parser.add_argument(
        "bib",
        nargs="*",
        type=Path,
        metavar="BIB",
        help=f"bibliography files (default: {default})",
    )
