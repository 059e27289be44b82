"""Stop the build at a ``references.bib`` it cannot print, with lint's file, line and fix.

pybtex raises from inside sphinxcontrib-bibtex, and Sphinx then prints a crash
report that names neither the file nor a fix; an entry the style cannot print
only warns, far from the .bib. So the build reads the file first the way
``citetools lint`` does (one reading, ``citetools.bibfile``; one diagnosis,
``citetools.checks``) and stops on what would break it, with the same
``references.bib:LINE: code message`` lint prints. If pybtex still fails on
something lint let through, that is reported at its line too, never as a crash
report.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Union

from sphinx.application import Sphinx
from sphinx.util import logging

from citetools.findings import ERROR, Finding
from citetools.sphinxext import bibtex_speedups, forking
from citetools.sphinxext.forking import Forked

if TYPE_CHECKING:
    from pybtex.database import BibliographyData

    from citetools import bibfile

logger = logging.getLogger(__name__)

EXIT_STATUS = 2


class BibliographyError(Exception):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(f.text() for f in findings))
        self.findings = findings

    def __reduce__(self) -> tuple[type[BibliographyError], tuple[list[Finding]]]:
        return BibliographyError, (self.findings,)  # from the child that checked the file


def _finding(path: Path, line: int, code: str, message: str) -> Finding:
    return Finding(str(path), line, code, message)


# A site's files are read in order, each after those before it (their @strings),
# and checked together (a crossref's parent may be in any of them), as
# sphinxcontrib-bibtex's one pybtex parser reads them.
Reading = Union["bibfile.BibFile", "BibliographyError"]


def check(path: Path) -> BibliographyData:
    """The file as pybtex reads it, once lint's reading finds nothing that breaks the build.

    What the style cannot print (an unknown type, a missing field) is found by
    lint's rules, which hold the same table as the style (``citetools.bibtypes``);
    formatting every entry here to be sure would cost a tenth of a second a build.
    """
    (checked,) = _check_all(path.parent, [path.name])
    if isinstance(checked, BibliographyError):
        raise checked
    return checked


def diagnose(path: Path) -> list[Finding]:
    """What in the file would break the build, as lint reports it; nothing if it builds."""
    (found,) = _diagnose_all(path.parent, [path.name])
    return found


def read(path: Path) -> BibliographyData:
    """The file as pybtex reads it, unchecked: :func:`diagnose` says whether it may be used."""
    (reading,) = _read_all(path.parent, [path.name])
    if isinstance(reading, Exception):
        raise reading
    return reading


def _read_in_order(confdir: Path, names: list[str]) -> list[Reading]:
    # Lint's reader and rules load only when a file is read: not in the ePub
    # built after the HTML, whose cached parse is current (check_bibfiles).
    from citetools import bibfile

    return [
        BibliographyError([_finding(r.path, r.line, r.code, r.message)])
        if isinstance(r, bibfile.UnreadableBibFile)
        else r
        for r in bibfile.read_in_order(confdir / name for name in names)
    ]


def _site(readings: list[Reading]) -> list[bibfile.BibFile]:
    return [reading for reading in readings if not isinstance(reading, BibliographyError)]


def _breaking(readings: list[Reading]) -> list[list[Finding]]:
    """What breaks the build in each file read (nothing for one not read), the files
    checked together, once."""
    from citetools import checks, rules
    from citetools.findings import display_path

    site = _site(readings)
    by_file: dict[str, list[Finding]] = {display_path(bib.path): [] for bib in site}
    for f in checks.check_files(site, selection=rules.Selection(rules.build_codes())):
        if f.severity == ERROR:
            by_file[f.path].append(f)
    return [
        []
        if isinstance(reading, BibliographyError)
        else [
            _finding(reading.path, f.line, f.code, f.message)
            for f in by_file[display_path(reading.path)]
        ]
        for reading in readings
    ]


def _pybtex_data(bib: bibfile.BibFile) -> BibliographyData:
    from pybtex.exceptions import PybtexError

    from citetools import bibfile
    from citetools.sphinxext import bibdata

    path = bib.path
    try:
        # Lint's reading, as pybtex's parser would read the file; pybtex parses only
        # where the two could differ (see bibdata), reading the file again.
        data = bibdata.from_bibfile(bib) or _parser(bib).parse_string(bibfile.read_text(path))
    except PybtexError as error:
        line = getattr(error, "lineno", None) or _entry_line(bib, str(error))
        raise BibliographyError([_finding(path, line, "syntax", str(error))]) from None
    return data


def _parser(bib: bibfile.BibFile) -> Any:
    """pybtex's parser, having read the @strings of the files read before *bib*'s, as
    written, in order: it gives them the values it would give them."""
    from pybtex.database.input.bibtex import Parser

    parser = Parser()
    parser.parse_string("".join(f"@string{{{s.name} = {s.raw}}}\n" for s in bib.earlier))
    return parser


def _entry_line(bib: bibfile.BibFile, message: str) -> int:
    """The line of the entry a pybtex message names (it names a key, not a line)."""
    for entry in bib.entries:
        if entry.key and (f": {entry.key}" in message or f" {entry.key} " in message):
            return entry.line
    return 0


# -- Checked while the extensions load ------------------------------------------
# The check needs only conf.py's settings, so a child forked when this extension
# loads (``forking``) checks the files while the build loads the others, then
# reads them for pybtex, writing each result as it has it. At builder-inited a
# child that has finished gives both: a small file costs the build nothing. A
# larger one the build reads itself meanwhile (loading the child's pickled
# reading would take as long), then takes the child's verdict: lint's rules
# then cost the build almost nothing it waits for. Not when the build
# environment is newer than the files and bibtex_speedups runs: the files are
# then most likely not checked at all (check_bibfiles).

_prefetched: tuple[list[str], Forked] | None = None

Checked = list[Union["BibliographyData", BibliographyError]]
Verdicts = list[list[Finding]]
Readings = list[Union["BibliographyData", Exception]]


def _check_all(confdir: Path, names: list[str]) -> Checked:
    checked: Checked = []
    readings = _read_in_order(confdir, names)
    for reading, found in zip(readings, _breaking(readings), strict=True):
        try:
            if isinstance(reading, BibliographyError):
                raise reading
            if found:
                raise BibliographyError(found)
            checked.append(_pybtex_data(reading))
        except BibliographyError as error:
            checked.append(error)
            break  # the build stops at the first file that fails
    return checked


def _diagnose_all(confdir: Path, names: list[str]) -> Verdicts:
    verdicts: Verdicts = []
    readings = _read_in_order(confdir, names)
    for reading, found in zip(readings, _breaking(readings), strict=True):
        verdicts.append(reading.findings if isinstance(reading, BibliographyError) else found)
        if verdicts[-1]:
            break  # the build stops at the first file that fails
    return verdicts


def _read_all(confdir: Path, names: list[str]) -> Readings:
    readings: Readings = []
    for reading in _read_in_order(confdir, names):
        if isinstance(reading, BibliographyError):
            readings.append(reading)
            continue
        try:
            readings.append(_pybtex_data(reading))
        except Exception as error:  # a file lint rejects may break pybtex in any way
            readings.append(error)
    return readings


def _judged(verdicts: Verdicts, readings: Readings) -> Checked:
    """The readings, up to the first file the check or pybtex rejects, as check() gives them."""
    checked: Checked = []
    for index, found in enumerate(verdicts):
        if found:
            checked.append(BibliographyError(found))
            break
        reading = readings[index]
        if isinstance(reading, BibliographyError):
            checked.append(reading)
            break
        if isinstance(reading, Exception):
            raise reading  # what check() would have raised: lint found nothing
        checked.append(reading)
    return checked


def _check_then_read(confdir: Path, names: list[str], results: IO[bytes]) -> None:
    """In the child: the verdicts, then the readings of the files before any that fails."""
    verdicts = _diagnose_all(confdir, names)
    forking.write_record(results, verdicts)
    passed = names if not any(verdicts) else names[: len(verdicts) - 1]
    forking.write_record(results, _read_all(confdir, passed))


def _prefetch(app: Sphinx) -> None:
    global _prefetched
    names = list(app.config.bibtex_bibfiles or [])
    confdir = Path(app.confdir)
    paths = [confdir / name for name in names]
    environment = Path(app.doctreedir, "environment.pickle")
    if not names or not forking.can_fork() or not all(p.is_file() for p in paths):
        return
    if environment.is_file() and bibtex_speedups.is_active(app):
        built = environment.stat().st_mtime
        if all(p.stat().st_mtime < built for p in paths):
            return
    try:
        child = Forked(lambda results: _check_then_read(confdir, names, results))
    except forking.Unavailable:
        return  # checked at builder-inited, in the build
    _prefetched = names, child


def _take_prefetched() -> tuple[list[str], Forked] | None:
    global _prefetched
    prefetched, _prefetched = _prefetched, None
    return prefetched


def _from_child(child: Forked, confdir: Path, names: list[str]) -> Checked:
    """What check() would give, from what the child finished and what the build reads."""
    if child.finished():
        done = forking.records(child.written(wait=True))
        if len(done) != 2:
            raise forking.Unavailable  # it exited without its results
        return _judged(*done)
    readings = _read_all(confdir, names)
    # The verdict if written, else once the child has finished (the check stays there).
    done = forking.records(child.so_far()) or forking.records(child.written(wait=True))
    child.stop()
    if not done:
        raise forking.Unavailable
    return _judged(done[0], readings)


def _checked(app: Sphinx, names: list[str]) -> Checked:
    """The files checked by the child if it checked these, else here."""
    confdir = Path(app.confdir)
    prefetched = _take_prefetched()
    if prefetched is not None:
        child_names, child = prefetched
        if child_names == names:  # unless a config-inited handler changed them since
            try:
                return _from_child(child, confdir, names)
            except forking.Unavailable:
                pass  # checked here: whatever broke the child is reported as usual
        child.stop()
    return _check_all(confdir, names)


def _discard_prefetched() -> None:
    prefetched = _take_prefetched()
    if prefetched is not None:
        prefetched[1].stop()


def check_bibfiles(app: Sphinx) -> None:
    names = app.config.bibtex_bibfiles or []
    fast = bibtex_speedups.is_active(app)
    if fast and bibtex_speedups.bibdata_is_current(app, names):
        _discard_prefetched()
        return  # checked when that parse was made
    for result in _checked(app, names):
        if isinstance(result, BibliographyError):
            for f in result.findings:
                location = f"{f.path}:{f.line}" if f.line else f.path
                logger.error(f"{f.code} {f.message}", location=location)
            # SystemExit passes through Sphinx's crash report: the messages
            # above are the whole story.
            raise SystemExit(EXIT_STATUS) from None
        data = result
    if fast and len(names) == 1:
        bibtex_speedups.seed_bibdata(app, names[0], data)


def setup(app: Sphinx) -> dict[str, bool]:
    # Before sphinxcontrib-bibtex parses the files in its own handler.
    app.connect("builder-inited", check_bibfiles, priority=400)
    _prefetch(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
