"""``citetools COMMAND``: one module per command, loaded only when it runs.

Each command module provides ``add_arguments(parser)`` and ``run(args) -> int``.
Exit codes: 0 clean, 1 findings, 2 usage error or unreadable input.

Only the module of the command being run is imported: ``links`` loads Sphinx,
and ``lint`` and ``fmt`` must start without it.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from citetools.findings import UnwritableFile, display_path

COMMANDS = {
    # name: (module, one-line help)
    "lint": ("citetools.lint", "Check references.bib and the pages' citations."),
    "fmt": ("citetools.fmt", "Rewrite references.bib in the canonical layout."),
    "add": ("citetools.add", "Add a source to references.bib from its DOI or web address."),
    "claims": ("citetools.claims", "Count cited and uncited paragraphs per FAQ page."),
    "links": ("citetools.links", "Report broken source links by entry and line of references.bib."),
    "archive": ("citetools.archive", "Add an archived copy (Wayback Machine) to every web source."),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """All commands' names and summaries; the arguments of ``command`` only."""
    parser = argparse.ArgumentParser(
        prog="citetools", description="Check and maintain the FAQ's sources."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, summary) in COMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary)
        if name == command:
            module = importlib.import_module(module_name)
            module.add_arguments(sub)
            sub.set_defaults(run=module.run)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(_command(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:
        return int(exit.code or 0)
    try:
        status: int = args.run(args)
    except UnwritableFile as error:
        print(
            f"{display_path(error.path)}:0: cannot write the file ({error.reason}): it is as it "
            "was; check that you may write to it and to its folder",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("citetools: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped reading (`citetools lint | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return status


def console() -> NoReturn:
    """The ``citetools`` program and ``python -m citetools``: :func:`main`, then the
    process ends as soon as its output is flushed and its exit hooks have run, without
    tearing down every module and object one by one: after ``links --check``, which
    builds with Sphinx in this process, that teardown alone took half a second."""
    status = main()
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # the reader stopped reading; main() said so already
    os._exit(status)
