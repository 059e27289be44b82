"""What one linkcheck run saw, written beside Sphinx's ``output.json``.

``output.json`` lists the links and their results; this records what is needed to read
it: the bibliography files, the DOI resolver, which links were skipped because the
cache had them, and a fingerprint of every input, so that ``citetools links --check`` can
tell that nothing changed since and answer from the cache without starting Sphinx, or
even importing it: a new page is noticed by listing the source files (every file with a
source suffix outside the excluded folders), which may include files Sphinx would not
read; a change among those only costs a run of Sphinx.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from citetools.linkcheck.doi import RESOLVER_VARIABLE

FILENAME = "links-manifest.json"
_FORMAT = 2


def digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass
class Manifest:
    bibfiles: list[str]  # relative to the source directory
    doi_resolver: str
    resolver_variable: str | None  # the environment's override when the run started
    ignore: list[str]  # linkcheck_ignore as conf.py sets it, without the cached links
    cached: list[str]  # links not requested because the cache had them as working
    cache_days: float
    timeout: float
    docs: list[str]  # source files of the pages, relative to the source directory
    inputs: dict[str, str | None] = field(default_factory=dict)  # relative path -> sha256
    include_patterns: list[str] = field(default_factory=list)
    exclude_patterns: list[str] = field(default_factory=list)
    source_suffix: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # source_files() when Sphinx ran

    def write(self, outdir: Path) -> None:
        data: dict[str, Any] = {"format": _FORMAT, **asdict(self)}
        (Path(outdir) / FILENAME).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, outdir: Path) -> Manifest | None:
        try:
            data = json.loads((Path(outdir) / FILENAME).read_text(encoding="utf-8"))
            if data.pop("format", None) != _FORMAT:
                return None
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None

    def unchanged(self, srcdir: Path) -> bool:
        """Whether a new run would see the same pages, bibliography, conf and extensions."""
        srcdir = Path(srcdir)
        if os.environ.get(RESOLVER_VARIABLE) != self.resolver_variable:
            return False
        if any(digest(srcdir / name) != sha for name, sha in self.inputs.items()):
            return False
        return source_files(srcdir, self.exclude_patterns, self.source_suffix) == self.sources


def source_files(srcdir: Path, exclude: list[str], suffixes: list[str]) -> list[str]:
    """Every file with a source suffix under ``srcdir``, outside hidden and excluded folders."""
    found = []
    for folder, dirs, files in os.walk(srcdir):
        relative = os.path.relpath(folder, srcdir)
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".")
            and not any(
                fnmatch.fnmatch(os.path.normpath(os.path.join(relative, d)), p) for p in exclude
            )
        ]
        found += [
            os.path.normpath(os.path.join(relative, name))
            for name in files
            if name.endswith(tuple(suffixes))
        ]
    return sorted(found)
