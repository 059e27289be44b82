"""A finding is one problem at one line, printed as ``path:line: CODE message``."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

ERROR = "error"
WARNING = "warning"


class UnwritableFile(Exception):
    """A file a command was to rewrite could not be written; it is as it was."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    message: str
    severity: str = ERROR

    def text(self) -> str:
        prefix = "warning: " if self.severity == WARNING else ""
        # One finding, one line: text a message quotes may hold a line break (a key
        # with a merge-conflict marker in it).
        message = " ".join(self.message.splitlines())
        return f"{self.path}:{self.line}: {self.code} {prefix}{message}"

    def github(self) -> str:
        # Workflow commands end the message at a newline; `%` must be escaped first.
        message = f"{self.code} {self.message}".replace("%", "%25").replace("\n", "%0A")
        return f"::{self.severity} file={self.path},line={self.line}::{message}"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 error``, ``2 errors``: summaries read as sentences."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def display_path(path: Path | str) -> str:
    """Relative to the working directory when under it, as a contributor types paths."""
    return _display_path(str(path), os.getcwd())


# Resolving a path takes a system call per part, and a file's findings share one
# path: on a 2,000-entry file that was a fifth of the checks' time.
@functools.lru_cache(maxsize=256)
def _display_path(path: str, cwd: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(cwd).resolve()))
    except ValueError:
        return str(Path(path))


def sort_key(finding: Finding) -> tuple[str, int, str]:
    return (finding.path, finding.line, finding.code)


def render(findings: Iterable[Finding], fmt: str) -> str:
    findings = sorted(findings, key=sort_key)
    if fmt == "json":
        return json.dumps([asdict(f) for f in findings], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(f.github() for f in findings)
    return "\n".join(f.text() for f in findings)
