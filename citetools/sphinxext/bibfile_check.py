"""Stop the build at a malformed ``references.bib`` with its file and line.

pybtex raises from inside sphinxcontrib-bibtex, and Sphinx then prints a crash
report that names neither the file nor a fix. Parsing first lets us say
``references.bib:5: ERROR: syntax error: '}' expected`` and what usually causes
it, then stop: every citation would otherwise fail too, burying the one
message that matters.
"""

from __future__ import annotations

import re
from pathlib import Path

from pybtex.database import BibliographyData, BibliographyDataError
from pybtex.database.input.bibtex import Parser
from pybtex.scanner import PybtexSyntaxError
from sphinx.util import logging

from citetools import bibfile
from citetools.sphinxext import bibtex_speedups

logger = logging.getLogger(__name__)

HINT = "look for a missing comma after the previous field or an unclosed brace"
EXIT_STATUS = 2


class BibliographyError(Exception):
    def __init__(self, path: Path, line: int, message: str):
        super().__init__(message)
        self.location = f"{path}:{line}" if line else str(path)


def _repeated_key_line(text: str, message: str) -> int:
    """pybtex names a repeated key but not where it repeats."""
    match = re.search(r"entry: (\S+)", message)
    if not match:
        return 0
    pattern = re.compile(r"@\w+\s*[{(]\s*" + re.escape(match.group(1)) + r"\s*,", re.IGNORECASE)
    starts = [text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(text)]
    return starts[1] if len(starts) > 1 else (starts[0] if starts else 0)


def check(path: Path) -> BibliographyData:
    try:
        text = bibfile.read_text(path)
    except bibfile.UnreadableBibFile as error:
        raise BibliographyError(path, error.line, error.message) from None
    try:
        return Parser().parse_string(text)
    except PybtexSyntaxError as error:
        raise BibliographyError(
            path, error.lineno or 0, f"{error.error_type}: {error.args[0]}; {HINT}"
        ) from None
    except BibliographyDataError as error:
        line = _repeated_key_line(text, str(error))
        raise BibliographyError(path, line, f"{error}; give each entry its own key") from None


def check_bibfiles(app) -> None:
    names = app.config.bibtex_bibfiles or []
    fast = bibtex_speedups.is_active(app)
    if fast and bibtex_speedups.bibdata_is_current(app, names):
        return  # checked when that parse was made
    for name in names:
        try:
            data = check(Path(app.confdir, name))
        except BibliographyError as error:
            logger.error(str(error), location=error.location)
            # SystemExit passes through Sphinx's crash report: the message
            # above is the whole story.
            raise SystemExit(EXIT_STATUS) from None
    if fast and len(names) == 1:
        bibtex_speedups.seed_bibdata(app, names[0], data)


def setup(app):
    # Before sphinxcontrib-bibtex parses the files in its own handler.
    app.connect("builder-inited", check_bibfiles, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
