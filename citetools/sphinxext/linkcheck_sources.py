"""Sphinx's ``linkcheck`` builder, set up for checking a bibliography's sources.

* DOI links are checked against the resolver's registration record, not by fetching the
  publisher's page (see :mod:`citetools.linkcheck.doi`).
* Links found working within ``citetools_linkcheck_cache_days`` are not requested again:
  for this run they join ``linkcheck_ignore``, and the manifest names them so that
  ``citetools links`` reports them as working (cached), not as ignored.
* Per-host politeness (:mod:`citetools.linkcheck.politeness`): at most
  ``citetools_linkcheck_host_concurrency`` requests at once to one host, and
  ``citetools_linkcheck_host_interval`` seconds between the starts of two of them. A link
  whose host is busy goes back in Sphinx's queue (its log then shows it as
  "-rate limited-") while the worker checks another host's link; workers look at the
  queue every ``QUEUE_POLL_SECONDS`` instead of Sphinx's second, so a freed slot is
  used at once. A worker waiting for its host's next start holds no request: there
  are enough workers for every host's slots, and ``linkcheck_workers`` of them
  request at once.
* The User-Agent names the site: ``citetools_linkcheck_user_agent`` with ``{baseurl}``
  replaced by ``html_baseurl``.
* The sources' links are requested from the start: the links of every entry of
  ``bibtex_bibfiles`` go to the workers, which check them while Sphinx reads the pages
  and formats the bibliography (most of a cold run's time on a large bibliography).
  ``citetools links --check`` starts them before Sphinx itself is set up
  (:func:`check_sources_first`: only this module, Sphinx's linkcheck and ``conf.py``
  are needed), then builds in the same process, where the builder takes over the
  running checks; a plain ``sphinx-build -b linkcheck`` starts them when the builder
  starts. When Sphinx then hands over the links it found, the results of those it has
  are taken, with its page and line; a link of an entry no page shows is checked for
  nothing and left out of ``output.json``.
* A 429's wait is bounded per host (see :func:`limit_rate`); Sphinx's own answer to a 429
  stays per host (its ``rate_limits`` are by host and port).
* After the run, a manifest beside ``output.json`` (:mod:`citetools.linkcheck.manifest`),
  drawn up while the last answers are awaited.

The changes to Sphinx's checker (politeness, the early start, the bounded wait) patch its
internals, so they are made only on the Sphinx release they were written and tested against
(``PATCHED_SPHINX``); on any other, the linkcheck builder warns once and runs without
them. The builder's own behaviour (workers, timeout, retries, anchors, headers) is set in
``conf.py``; nothing here changes a build other than ``linkcheck``.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import sphinx
from sphinx.builders import linkcheck
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.tags import Tags

from citetools.linkcheck import doi, report
from citetools.linkcheck.cache import NO_CACHE_VARIABLE, LinkCache
from citetools.linkcheck.manifest import Manifest, digest, source_files
from citetools.linkcheck.politeness import HostGate

if TYPE_CHECKING:  # an early start must not wait for the rest of Sphinx
    from sphinx.application import Sphinx

    from citetools.bibfile import BibFile

logger = logging.getLogger(__name__)

#: The Sphinx release (major, minor) whose worker internals the patches below match.
PATCHED_SPHINX = (9, 0)
#: How often a worker looks again at a link that is not due yet (Sphinx: 1 s).
QUEUE_POLL_SECONDS = 0.1
_Worker = linkcheck.HyperlinkAvailabilityCheckWorker
_URIProperties = tuple[Any, str, int]

#: host -> when its current run of 429 answers began.
_first_rate_limited: dict[str, float] = {}


def _resolver(config: Config) -> str:
    return (os.environ.get(doi.RESOLVER_VARIABLE) or config.citetools_doi_resolver).rstrip("/")


def check_doi_registration(app: Sphinx, uri: str) -> str | None:
    checked = doi.checked_uri(uri, _resolver(app.config))
    return checked if checked != uri else None


def _cached_links(config: Config, outdir: Path) -> list[str]:
    """The links found working within the cache's age, which this run does not request;
    for this run they join ``linkcheck_ignore``."""
    days = config.citetools_linkcheck_cache_days
    use_cache = days > 0 and not os.environ.get(NO_CACHE_VARIABLE)
    cached = sorted(LinkCache.load(outdir).fresh(days)) if use_cache else []
    config.linkcheck_ignore = [
        *config.linkcheck_ignore,
        *(re.escape(uri) + r"\Z" for uri in cached),
    ]
    return cached


def skip_cached_links(app: Sphinx) -> None:
    if app.builder.name != "linkcheck":
        return
    global _building
    _building = app
    config = app.config
    builder: Any = app.builder
    builder.citetools_ignore = list(config.linkcheck_ignore)
    early = _early
    if early is not None and early.before_sphinx and early.srcdir == Path(app.srcdir).resolve():
        # Started by check_sources_first() from this conf.py: the same gate, cache and
        # links; only this configuration is told what that run decided.
        _set_user_agent(config)
        builder.citetools_cached = _cached_links(config, app.outdir)
        return
    stop_early()
    _first_rate_limited.clear()
    _set_up_politeness(config)
    builder.citetools_cached = _cached_links(config, app.outdir)
    _start_early(config, Path(app.srcdir), _read_bibfiles(config, Path(app.confdir)))


def _relative(path: str | os.PathLike[str], srcdir: Path) -> str:
    return os.path.relpath(Path(srcdir, path), srcdir)


def _project_code(srcdir: Path) -> set[str]:
    """The project's own code that ran (local extensions and what they import), not
    installed packages: a change to it may change which links are checked. A run has
    some two thousand modules loaded from a few hundred folders: each folder is
    resolved once (this runs after the last link's answer, where every 0.1 s counts)."""
    root = srcdir.resolve()
    inside: dict[str, bool] = {}
    code = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not file or f"{os.sep}site-packages{os.sep}" in file:
            continue
        folder = os.path.dirname(file)
        if folder not in inside:
            inside[folder] = Path(folder).resolve().is_relative_to(root)
        if inside[folder]:
            code.add(_relative(file, srcdir))
    return code


def _draw_up_manifest(app: Sphinx) -> Manifest:
    env, config, srcdir = app.env, app.config, Path(app.srcdir)
    builder: Any = app.builder
    docs = sorted(str(env.doc2path(name, False)) for name in env.found_docs)
    bibfiles = [_relative(name, srcdir) for name in getattr(config, "bibtex_bibfiles", [])]
    dependencies = {_relative(dep, srcdir) for deps in env.dependencies.values() for dep in deps}
    code = _project_code(srcdir)
    conf = _relative(Path(app.confdir) / "conf.py", srcdir)
    exclude = [*config.exclude_patterns, *config.templates_path]
    inputs = sorted({conf, *docs, *bibfiles, *dependencies, *code})
    return Manifest(
        bibfiles=bibfiles,
        doi_resolver=_resolver(config),
        resolver_variable=os.environ.get(doi.RESOLVER_VARIABLE),
        ignore=builder.citetools_ignore,
        cached=builder.citetools_cached,
        cache_days=config.citetools_linkcheck_cache_days,
        timeout=config.linkcheck_timeout,
        docs=docs,
        inputs={name: digest(srcdir / name) for name in inputs},
        include_patterns=list(config.include_patterns),
        exclude_patterns=exclude,
        source_suffix=list(config.source_suffix),
        sources=source_files(srcdir, exclude, list(config.source_suffix)),
    )


#: The linkcheck build under way (set when its builder starts), and its manifest once
#: drawn up: when Sphinx hands over the links it found, every page has been read and
#: every module loaded, so the manifest is made while the last answers are awaited,
#: not after them.
_building: Sphinx | None = None
_drawn_up: tuple[Sphinx, Manifest] | None = None


def _links_collected() -> None:
    global _drawn_up
    if _building is not None:
        _drawn_up = (_building, _draw_up_manifest(_building))


def write_manifest(app: Sphinx, exception: Exception | None) -> None:
    global _building, _drawn_up
    drawn_up, _drawn_up, _building = _drawn_up, None, None
    if app.builder.name != "linkcheck" or exception is not None:
        return
    manifest = drawn_up[1] if drawn_up and drawn_up[0] is app else _draw_up_manifest(app)
    manifest.write(app.outdir)


# -- Patches of Sphinx's worker (PATCHED_SPHINX only) ----------------------------

#: The gate every worker of this run shares; None when politeness is off.
_gate: HostGate | None = None
#: At most ``linkcheck_workers`` requests at once in all: the workers that wait for a
#: host's next start are not counted (see _start_early).
_requests_at_once = threading.BoundedSemaphore(1)


def patches_apply(version: tuple[int, ...] | None = None) -> bool:
    """Whether this Sphinx is the release the worker patches were written for."""
    return tuple((version or sphinx.version_info)[:2]) == PATCHED_SPHINX


def _set_up_politeness(config: Config) -> None:
    global _gate
    if not patches_apply():
        _gate = None
        logger.warning(
            "citetools.sphinxext.linkcheck_sources: written for Sphinx %s, running on %s: "
            "per-host limits and the bounded 429 wait are off; check the patches against "
            "this release and update PATCHED_SPHINX",
            ".".join(map(str, PATCHED_SPHINX)),
            sphinx.__display_version__,
            type="citetools",
            subtype="linkcheck_patch",
            once=True,
        )
        return
    global _requests_at_once
    _gate = HostGate(
        config.citetools_linkcheck_host_concurrency, config.citetools_linkcheck_host_interval
    )
    _requests_at_once = threading.BoundedSemaphore(config.linkcheck_workers)
    _set_user_agent(config)


def _set_user_agent(config: Config) -> None:
    config.user_agent = config.citetools_linkcheck_user_agent.format(
        baseurl=config.html_baseurl or ""
    )


def limit_rate(
    unbounded: Callable[[_Worker, str, str | None], float | None],
) -> Callable[[_Worker, str, str | None], float | None]:
    """Sphinx's answer to a 429, with the total wait per host bounded.

    Sphinx (9.0) waits what ``Retry-After`` says (seconds or an HTTP date), without
    limit. Without ``Retry-After`` it waits 60 s, then twice its previous wait each
    time, the last wait cut to ``linkcheck_rate_limit_timeout``, and gives up once the
    doubled wait exceeds that timeout.

    The bound here: counted from the host's first 429 in a row (a 2xx answer from the
    host ends the row), a next check later than ``linkcheck_rate_limit_timeout`` after it
    is not made: ``None``, and Sphinx reports the 429 (``rate-limited`` in the report).
    With ``Retry-After`` this caps what a server may ask. Without it, the bound also
    ends Sphinx's doubling sooner: it applies to the total, not to each wait, so with a
    timeout of 120 s Sphinx alone would wait 60 s then 120 s, and here it waits 60 s and
    then gives up (60 s + 120 s is past 120 s).
    """

    @functools.wraps(unbounded)
    def bounded(self: _Worker, response_url: str, retry_after: str | None) -> float | None:
        netloc = urlsplit(response_url).netloc
        if netloc not in self.rate_limits:
            # Sphinx forgets a host's limit once it answers; the wait is counted from here.
            _first_rate_limited[netloc] = time.time()
        next_check = unbounded(self, response_url, retry_after)
        if next_check is None:
            return None
        if next_check - _first_rate_limited.get(netloc, time.time()) > self.rate_limit_timeout:
            return None
        return next_check

    return bounded


def polite(
    check_uri: Callable[[_Worker, str, linkcheck.Hyperlink], _URIProperties],
) -> Callable[[_Worker, str, linkcheck.Hyperlink], _URIProperties]:
    """Each check of a link (HEAD, and GET when needed) waits for its host's slot."""

    @functools.wraps(check_uri)
    def check(self: _Worker, uri: str, hyperlink: linkcheck.Hyperlink) -> _URIProperties:
        host = urlsplit(uri).netloc
        gate = _gate
        if gate is None or not host:
            return check_uri(self, uri, hyperlink)
        slot = gate.reserve(host)
        if not slot.granted:
            self.wqueue.put(linkcheck.CheckRequest(time.time() + slot.wait, hyperlink), False)
            return linkcheck._Status.RATE_LIMITED, "", 0
        try:
            time.sleep(slot.wait)
            with _requests_at_once:
                while (late := gate.begin(host)) > 0:
                    time.sleep(late)
                if gate.closed:
                    return linkcheck._Status.UNCHECKED, "", 0
                return check_uri(self, uri, hyperlink)
        finally:
            gate.release(host)

    return check


@dataclass
class _EarlyChecks:
    """The checker started with the sources' links, before Sphinx found any."""

    checker: linkcheck.HyperlinkAvailabilityChecker
    gate: HostGate
    uris: set[str]
    srcdir: Path
    #: started by check_sources_first(), for the build that follows to take over
    before_sphinx: bool
    found: dict[str, linkcheck.Hyperlink] = field(default_factory=dict)

    def stop(self) -> None:
        """Drop the links not yet checked and let the workers end (a build that failed
        before handing over its links must not leave them requesting)."""
        self.gate.closed = True
        queue = self.checker.wqueue
        while True:
            try:
                queue.get_nowait()
            except Empty:
                break
            queue.task_done()
        for _ in self.checker.workers:
            queue.put(linkcheck.CheckRequest(linkcheck.CHECK_IMMEDIATELY, None), False)


_early: _EarlyChecks | None = None


def _read_bibfiles(config: Config, confdir: Path) -> dict[str, BibFile]:
    """Each readable file of ``bibtex_bibfiles``, by its name relative to ``confdir``."""
    from citetools import bibfile  # not needed by a build that is not linkcheck

    bibs = {}
    for name in getattr(config, "bibtex_bibfiles", None) or []:
        try:
            bibs[_relative(name, confdir)] = bibfile.read(confdir / name)
        except bibfile.UnreadableBibFile:
            continue  # sphinxcontrib-bibtex reports it; the links are then found as usual
    return bibs


def _source_links(config: Config, bibs: dict[str, BibFile]) -> list[str]:
    """Every link the bibliography can show, as linkcheck requests it, in file order."""
    resolver = _resolver(config)
    uris: dict[str, None] = {}
    for bib in bibs.values():
        for entry in bib.entries:
            for _, uri, dead in report.entry_links(entry.fields):
                if not dead and uri.startswith(("http://", "https://")):
                    uris[doi.checked_uri(uri, resolver)] = None
    return list(uris)


def _start_early(
    config: Config, srcdir: Path, bibs: dict[str, BibFile], before_sphinx: bool = False
) -> None:
    global _early
    _early = None
    gate = _gate
    if gate is None:  # the patches are off on this Sphinx
        return
    checker = linkcheck.HyperlinkAvailabilityChecker(config)
    uris = [uri for uri in _source_links(config, bibs) if not checker.is_ignored_uri(uri)]
    if not uris:
        return
    root = config.root_doc
    docpath = Path(srcdir, root)  # read only for local files, which these links are not
    for position, uri in enumerate(uris):
        hyperlink = linkcheck.Hyperlink(uri, root, docpath, -1)  # type: ignore[arg-type]
        # Sphinx's queue orders links due at the same time by address; a due time just
        # after "now" (0 s) keeps the bibliography's order instead.
        due = linkcheck.CHECK_IMMEDIATELY + position * 1e-9
        checker.wqueue.put(linkcheck.CheckRequest(due, hyperlink), False)
    # A worker holds its link while it waits for the host's next start (up to
    # HostGate.max_wait): with as many hosts as workers, every worker would be waiting
    # and the other hosts' starts would slip. So there is a worker for each host slot,
    # and linkcheck_workers of them request at once (_requests_at_once), the limit
    # Sphinx's workers set. Links are queued first: the first workers start while the
    # rest are made.
    hosts = len({urlsplit(uri).netloc for uri in uris})
    waiting = hosts * config.citetools_linkcheck_host_concurrency
    checker.num_workers = max(config.linkcheck_workers, min(len(uris), waiting))
    checker.invoke_threads()
    _early = _EarlyChecks(checker, gate, set(uris), Path(srcdir).resolve(), before_sphinx)


class _ConfigValues:
    """Takes the configuration values an extension's ``setup()`` declares: enough of
    an application for Sphinx's linkcheck to declare its own on a bare ``Config``."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def add_config_value(
        self, name: str, default: Any, rebuild: Any, types: Any = (), description: str = ""
    ) -> None:
        self.config.add(name, default, rebuild, types, description)

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None  # builders, events, transforms: not needed


def check_sources_first(srcdir: Path, outdir: Path) -> dict[str, BibFile]:
    """Start requesting the sources' links before Sphinx is set up, from ``conf.py``
    in ``srcdir``, as the builder would; the bibliographies read, by name.

    For ``citetools links --check``, which then builds in this process: the builder
    takes over these checks (:func:`skip_cached_links`). Setting Sphinx up (its
    application, every extension, the theme) takes a second or two, which the requests
    no longer wait for. On another Sphinx release, or with a ``conf.py`` Sphinx will
    refuse (its log then says why), nothing starts here.
    """
    stop_early()
    srcdir = Path(srcdir)
    if not patches_apply():
        return {}
    try:
        config = Config.read(srcdir, overrides={}, tags=Tags())
    except Exception:  # noqa: BLE001 - Sphinx's own run reports it, in its log
        return {}
    values = _ConfigValues(config)
    linkcheck.setup(cast("Sphinx", values))
    _declare_config_values(cast("Sphinx", values))
    # Declared by sphinxcontrib-bibtex and the HTML builder, with these defaults.
    config.add("bibtex_bibfiles", None, "html", ())
    config.add("html_baseurl", "", "html", frozenset({str}))
    linkcheck.compile_linkcheck_allowed_redirects(cast("Sphinx", values), config)
    _patch_worker()
    _first_rate_limited.clear()
    _set_up_politeness(config)
    _cached_links(config, Path(outdir))
    bibs = _read_bibfiles(config, srcdir)
    _start_early(config, srcdir, bibs, before_sphinx=True)
    return bibs


def stop_early() -> None:
    """End checks started early that no build took over."""
    global _early
    early, _early = _early, None
    if early is not None:
        early.stop()


def check_found_links(
    check: Callable[
        [linkcheck.HyperlinkAvailabilityChecker, dict[str, linkcheck.Hyperlink]],
        Iterator[linkcheck.CheckResult],
    ],
) -> Callable[
    [linkcheck.HyperlinkAvailabilityChecker, dict[str, linkcheck.Hyperlink]],
    Iterator[linkcheck.CheckResult],
]:
    """Sphinx's ``check`` of the links it found, on the checker started early if any."""

    @functools.wraps(check)
    def checked(
        self: linkcheck.HyperlinkAvailabilityChecker, hyperlinks: dict[str, linkcheck.Hyperlink]
    ) -> Iterator[linkcheck.CheckResult]:
        global _early
        early, _early = _early, None
        if early is None:
            yield from check(self, hyperlinks)
            return
        checker = early.checker
        expected = len(early.uris)
        for hyperlink in hyperlinks.values():
            if self.is_ignored_uri(hyperlink.uri):
                yield linkcheck.CheckResult(
                    hyperlink.uri,
                    hyperlink.docname,
                    hyperlink.lineno,
                    linkcheck._Status.IGNORED,
                    "",
                    0,
                )
            elif hyperlink.uri in early.uris:
                early.found[hyperlink.uri] = hyperlink
            else:
                checker.wqueue.put(
                    linkcheck.CheckRequest(linkcheck.CHECK_IMMEDIATELY, hyperlink), False
                )
                expected += 1
        _links_collected()
        for _ in range(expected):
            result = checker.rqueue.get()
            if result.uri in early.uris:
                found = early.found.get(result.uri)
                if found is None:
                    continue  # an entry no page shows
                result = result._replace(docname=found.docname, lineno=found.lineno)
            yield result
        checker.shutdown_threads()

    return checked


def _patch_worker() -> None:
    if not patches_apply() or getattr(_Worker, "citetools_patched", False):
        return
    setattr(_Worker, "limit_rate", limit_rate(_Worker.limit_rate))  # noqa: B010
    setattr(_Worker, "_check_uri", polite(_Worker._check_uri))  # noqa: B010
    checker = linkcheck.HyperlinkAvailabilityChecker
    setattr(checker, "check", check_found_links(checker.check))  # noqa: B010
    # A worker that takes a link not yet due sleeps this long before putting it back:
    # Sphinx's 1 s would leave a host's freed slot idle for up to a second.
    setattr(linkcheck, "QUEUE_POLL_SECS", QUEUE_POLL_SECONDS)  # noqa: B010
    setattr(_Worker, "citetools_patched", True)  # noqa: B010


def _declare_config_values(app: Sphinx) -> None:
    app.add_config_value("citetools_doi_resolver", doi.DEFAULT_RESOLVER, "", types=frozenset({str}))
    app.add_config_value("citetools_linkcheck_cache_days", 7, "", types=frozenset({int, float}))
    app.add_config_value("citetools_linkcheck_host_concurrency", 2, "", types=frozenset({int}))
    app.add_config_value(
        "citetools_linkcheck_host_interval", 1.0, "", types=frozenset({int, float})
    )
    app.add_config_value(
        "citetools_linkcheck_user_agent",
        "Mozilla/5.0 (compatible; citetools-linkcheck; +{baseurl})",
        "",
        types=frozenset({str}),
    )


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx.builders.linkcheck")
    _declare_config_values(app)
    app.connect("linkcheck-process-uri", check_doi_registration)
    # First among the handlers that read the bibliography (bibfile_check at 400,
    # sphinxcontrib-bibtex at 500): the sources' requests start before those parses.
    app.connect("builder-inited", skip_cached_links, priority=300)
    app.connect("build-finished", write_manifest)
    _patch_worker()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
