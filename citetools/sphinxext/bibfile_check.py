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
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        line = path.read_bytes().count(b"\n", 0, error.start) + 1
        raise BibliographyError(path, line, "not UTF-8; save the file as UTF-8") from None
    except OSError as error:
        raise BibliographyError(path, 0, f"cannot read: {error.strerror}") from None
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
    if _bibtex_cache_is_current(app, names):
        return
    for name in names:
        try:
            data = check(Path(app.confdir, name))
        except BibliographyError as error:
            logger.error(str(error), location=error.location)
            # SystemExit passes through Sphinx's crash report: the message
            # above is the whole story.
            raise SystemExit(EXIT_STATUS) from None
    if len(names) == 1:
        _seed_bibtex_cache(app, names[0], data)


# -- One parse per build (see make bench) --------------------------------------
# sphinxcontrib-bibtex (2.7.0) parses the .bib again right after this check,
# and the check parsed it even when sphinxcontrib-bibtex's cache of it was
# current (the ePub after the HTML, an edited page). A file unchanged since
# that cache was made was checked then; a single checked file's parse is
# handed to the cache in sphinxcontrib-bibtex's own format, so it reads the
# file once: 0.3 s a build on a 2,000-entry file.


def _resolved(app, name: str) -> Path:
    return (Path(app.confdir) / name).resolve()  # as sphinxcontrib-bibtex resolves it


def _bibtex_cache_is_current(app, names) -> bool:
    if "cite" not in app.env.domains or not names:
        return False
    from sphinxcontrib.bibtex.bibfile import is_bibdata_outdated

    bibdata = app.env.get_domain("cite").data["bibdata"]
    paths = [_resolved(app, name) for name in names]
    return not is_bibdata_outdated(bibdata, paths, app.config.bibtex_encoding)


def _seed_bibtex_cache(app, name: str, data: BibliographyData) -> None:
    if "cite" not in app.env.domains:
        return
    from sphinxcontrib.bibtex.bibfile import BibData, BibFile, get_mtime

    path = _resolved(app, name)
    app.env.get_domain("cite").data["bibdata"] = BibData(
        encoding=app.config.bibtex_encoding,
        bibfiles={path: BibFile(mtime=get_mtime(path), keys=dict.fromkeys(data.entries.keys()))},
        data=data,
    )


def setup(app):
    # Before sphinxcontrib-bibtex parses the files in its own handler.
    app.connect("builder-inited", check_bibfiles, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
