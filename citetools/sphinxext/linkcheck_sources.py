"""Sphinx's ``linkcheck`` builder, set up for checking a bibliography's sources.

* DOI links are checked against the resolver's registration record, not by fetching the
  publisher's page (see :mod:`citetools.linkcheck.doi`).
* Links found working within ``citetools_linkcheck_cache_days`` are not requested again:
  for this run they join ``linkcheck_ignore``, and the manifest names them so that
  ``citetools links`` reports them as working (cached), not as ignored.
* A server's ``Retry-After`` is honoured only up to ``linkcheck_rate_limit_timeout`` of
  waiting per host: Sphinx follows it without limit, so one host answering 429 forever
  would hold the whole run.
* After the run, a manifest beside ``output.json`` (:mod:`citetools.linkcheck.manifest`).

The builder's own behaviour (workers, timeout, retries, anchors, headers) is set in
``conf.py``; nothing here changes a build other than ``linkcheck``.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from sphinx.builders import linkcheck

from citetools.linkcheck import doi
from citetools.linkcheck.cache import NO_CACHE_VARIABLE, LinkCache
from citetools.linkcheck.manifest import Manifest, digest

#: host -> when its current run of 429 answers began.
_first_rate_limited: dict[str, float] = {}


def _resolver(config) -> str:
    return (os.environ.get(doi.RESOLVER_VARIABLE) or config.citetools_doi_resolver).rstrip("/")


def check_doi_registration(app, uri: str) -> str | None:
    checked = doi.checked_uri(uri, _resolver(app.config))
    return checked if checked != uri else None


def skip_cached_links(app) -> None:
    if app.builder.name != "linkcheck":
        return
    _first_rate_limited.clear()
    config = app.config
    days = config.citetools_linkcheck_cache_days
    use_cache = days > 0 and not os.environ.get(NO_CACHE_VARIABLE)
    fresh = LinkCache.load(app.outdir).fresh(days) if use_cache else {}
    app.builder.citetools_ignore = list(config.linkcheck_ignore)
    app.builder.citetools_cached = sorted(fresh)
    config.linkcheck_ignore = [
        *config.linkcheck_ignore,
        *(re.escape(uri) + r"\Z" for uri in app.builder.citetools_cached),
    ]


def _relative(path, srcdir: Path) -> str:
    return os.path.relpath(Path(srcdir, path), srcdir)


def write_manifest(app, exception) -> None:
    if app.builder.name != "linkcheck" or exception is not None:
        return
    env, config, srcdir = app.env, app.config, Path(app.srcdir)
    docs = sorted(str(env.doc2path(name, False)) for name in env.found_docs)
    bibfiles = [_relative(name, srcdir) for name in getattr(config, "bibtex_bibfiles", [])]
    dependencies = {_relative(dep, srcdir) for deps in env.dependencies.values() for dep in deps}
    # The project's own code that ran (local extensions and what they import), not
    # installed packages: a change to it may change which links are checked.
    code = {
        _relative(file, srcdir)
        for module in list(sys.modules.values())
        if (file := getattr(module, "__file__", None))
        and Path(file).resolve().is_relative_to(srcdir.resolve())
        and "site-packages" not in Path(file).parts
    }
    conf = _relative(Path(app.confdir) / "conf.py", srcdir)
    inputs = sorted({conf, *docs, *bibfiles, *dependencies, *code})
    Manifest(
        bibfiles=bibfiles,
        doi_resolver=_resolver(config),
        resolver_variable=os.environ.get(doi.RESOLVER_VARIABLE),
        ignore=app.builder.citetools_ignore,
        cached=app.builder.citetools_cached,
        cache_days=config.citetools_linkcheck_cache_days,
        timeout=config.linkcheck_timeout,
        docs=docs,
        inputs={name: digest(srcdir / name) for name in inputs},
        include_patterns=list(config.include_patterns),
        exclude_patterns=[*config.exclude_patterns, *config.templates_path],
        source_suffix=list(config.source_suffix),
    ).write(app.outdir)


def _bound_retry_after() -> None:
    worker = linkcheck.HyperlinkAvailabilityCheckWorker
    if getattr(worker.limit_rate, "citetools_bounded", False):
        return
    unbounded = worker.limit_rate

    @functools.wraps(unbounded)
    def limit_rate(self, response_url: str, retry_after: str | None) -> float | None:
        netloc = urlsplit(response_url).netloc
        if netloc not in self.rate_limits:
            # Sphinx forgets a host's limit once it answers; the wait is counted from here.
            _first_rate_limited[netloc] = time.time()
        next_check = unbounded(self, response_url, retry_after)
        if next_check is None:
            return None
        if next_check - _first_rate_limited.get(netloc, time.time()) > self.rate_limit_timeout:
            return None  # Sphinx then reports the 429, which the report calls rate-limited
        return next_check

    limit_rate.citetools_bounded = True
    worker.limit_rate = limit_rate


def setup(app):
    app.setup_extension("sphinx.builders.linkcheck")
    app.add_config_value("citetools_doi_resolver", doi.DEFAULT_RESOLVER, "", types=frozenset({str}))
    app.add_config_value("citetools_linkcheck_cache_days", 7, "", types=frozenset({int, float}))
    app.connect("linkcheck-process-uri", check_doi_registration)
    app.connect("builder-inited", skip_cached_links)
    app.connect("build-finished", write_manifest)
    _bound_retry_after()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
