"""Per-host politeness and the bounded 429 wait: the patches of Sphinx's linkcheck worker
tested directly (as Sphinx tests ``limit_rate``), and a run against several loopback hosts
that count what they receive."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from sphinx.builders.linkcheck import HyperlinkAvailabilityCheckWorker, RateLimit
from test_linkcheck import citetools, records_of

from citetools.linkcheck.politeness import HostGate
from citetools.sphinxext import linkcheck_sources
from testbed.linkserver import web

from conftest import ROOTS


@pytest.fixture(autouse=True)
def patched():
    """What the extension's setup() does when Sphinx loads it."""
    linkcheck_sources._patch_worker()


def worker(timeout: float = 120.0) -> HyperlinkAvailabilityCheckWorker:
    made = HyperlinkAvailabilityCheckWorker.__new__(HyperlinkAvailabilityCheckWorker)
    made.rate_limits = {}
    made.rate_limit_timeout = timeout
    linkcheck_sources._first_rate_limited.clear()
    return made


def test_the_patches_are_in_place_on_the_sphinx_they_were_written_for():
    assert linkcheck_sources.patches_apply()
    assert getattr(HyperlinkAvailabilityCheckWorker, "citetools_patched", False)


@pytest.mark.parametrize("version", [(9, 1, 0), (8, 2, 3), (10, 0, 0)])
def test_other_sphinx_releases_get_no_patch(version):
    assert not linkcheck_sources.patches_apply(version)


def test_retry_after_seconds_is_followed_within_the_bound():
    with mock.patch("time.time", return_value=0.0):
        assert worker().limit_rate("https://a.org/x", "30") == 30.0


def test_retry_after_beyond_the_bound_gives_up():
    with mock.patch("time.time", return_value=0.0):
        assert worker(timeout=120.0).limit_rate("https://a.org/x", "300") is None


def test_retry_after_as_a_date_counts_from_the_first_429():
    made = worker(timeout=120.0)
    with mock.patch("time.time", return_value=0.0):
        assert made.limit_rate("https://a.org/x", "Thu, 01 Jan 1970 00:01:40 GMT") == 100.0
    with mock.patch("time.time", return_value=100.0):
        # A second 429 asking for 50 s more: 150 s after the first, past the 120 s bound.
        assert made.limit_rate("https://a.org/x", "50") is None


def test_without_retry_after_sphinx_doubling_stops_once_the_total_passes_the_bound():
    made = worker(timeout=120.0)
    with mock.patch("time.time", return_value=0.0):
        assert made.limit_rate("https://a.org/x", None) == 60.0  # Sphinx's first wait
    assert made.rate_limits["a.org"] == RateLimit(60.0, 60.0)
    with mock.patch("time.time", return_value=60.0):
        # Sphinx alone would wait 120 s more; 180 s in all is past 120 s: give up.
        assert made.limit_rate("https://a.org/x", None) is None


def test_the_bound_is_per_host_and_a_success_starts_a_new_count():
    made = worker(timeout=120.0)
    with mock.patch("time.time", return_value=0.0):
        assert made.limit_rate("https://a.org/x", "100") == 100.0
    with mock.patch("time.time", return_value=90.0):
        assert made.limit_rate("https://b.org/y", "100") == 190.0  # another host's own count
    made.rate_limits.pop("a.org")  # what Sphinx does when a.org answers
    with mock.patch("time.time", return_value=200.0):
        assert made.limit_rate("https://a.org/x", "100") == 300.0


def test_gate_caps_concurrency_and_spaces_starts():
    now = [0.0]
    gate = HostGate(concurrency=2, interval=1.0, max_wait=1.0, clock=lambda: now[0])
    first, second = gate.reserve("a.org"), gate.reserve("a.org")
    assert (first.granted, first.wait) == (True, 0.0)
    assert (second.granted, second.wait) == (True, 1.0)  # one interval after the first
    third = gate.reserve("a.org")
    assert not third.granted  # two in flight
    assert gate.reserve("b.org").granted  # other hosts are not held up
    gate.release("a.org")
    later = gate.reserve("a.org")
    # The next start (2.0) is too far off: back when it is max_wait away, so that the
    # link is reserved before its start, not taken up after it.
    assert (later.granted, later.wait) == (False, 1.0)
    now[0] = 1.0
    assert gate.reserve("a.org") == type(later)(True, 1.0)


def test_a_late_start_pushes_the_next_one_back():
    now = [0.0]
    gate = HostGate(concurrency=2, interval=1.0, max_wait=1.0, clock=lambda: now[0])
    assert gate.reserve("a.org").wait == 0.0 and gate.reserve("a.org").wait == 1.0
    now[0] = 0.6  # the first worker woke late
    assert gate.begin("a.org") == 0.0
    now[0] = 1.0  # the second is on time for its slot, but only 0.4 s after the first
    assert gate.begin("a.org") == pytest.approx(0.6)
    now[0] = 1.6
    assert gate.begin("a.org") == 0.0


BIB_ENTRY = """@misc{{page{n},
  title = {{Page {n}}},
  year = {{2020}},
  url = {{http://127.0.0.{host}:{port}/slow?n={n}}},
}}
"""


def _site(tmp_path, settings: str = "") -> Path:
    """The link-check root, *settings* added to its conf.py."""
    root = shutil.copytree(ROOTS / "test-linkcheck-sources", tmp_path / "site")
    conf = root / "conf.py"
    conf.write_text(conf.read_text() + settings)
    return root


def _cite_slow_links(root: Path, count: int, hosts: int, port: int) -> None:
    """*count* entries whose links are the loopback web's slow page, spread over *hosts*."""
    bib = "\n".join(BIB_ENTRY.format(n=n, host=2 + n % hosts, port=port) for n in range(count))
    (root / "references.bib").write_text(bib)


ALL_SOURCES_PAGE = "# Sources\n\n```{bibliography}\n:all:\n```\n"


def test_per_host_limits_hold_against_loopback_hosts(tmp_path):
    root = _site(
        tmp_path,
        "linkcheck_workers = 16\n"
        "citetools_linkcheck_host_concurrency = 2\n"
        "citetools_linkcheck_host_interval = 0.25\n",
    )
    with web(hosts=3, slow_seconds=0.5) as servers:
        port = servers[0].port
        _cite_slow_links(root, 24, hosts=3, port=port)
        (root / "index.md").write_text(ALL_SOURCES_PAGE)
        code, out, _ = citetools("--check", "--srcdir", str(root))
        stats = servers[0].stats
    assert code == 0, out
    assert len(records_of(root)) == 24
    hosts = [f"127.0.0.{2 + i}:{port}" for i in range(3)]
    for host in hosts:
        assert len(stats.starts[host]) == 8
        # Each answer takes 0.5 s: without the gate, 16 workers would have 8 in flight.
        assert stats.most_in_flight[host] <= 2, host
        # One start per interval. On a busy machine a request can be held up on its way to
        # the server, which shortens the gap after the one before it and the span from the
        # first start: judge the rate by the typical gap and allow the span one interval.
        starts = sorted(stats.starts[host])
        gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        assert statistics.median(gaps) >= 0.25 * 0.8, (host, gaps)
        assert starts[-1] - starts[0] >= 6 * 0.25, (host, gaps)
    # The gate lets two through at once, not one: some host had both slots in use.
    assert max(stats.most_in_flight[host] for host in hosts) == 2
    assert stats.user_agents == {
        "Mozilla/5.0 (compatible; citetools-linkcheck; +https://faq.example.org/)"
    }


def test_on_another_sphinx_the_patches_switch_off_with_one_warning(monkeypatch):
    monkeypatch.setattr(linkcheck_sources.sphinx, "version_info", (9, 1, 0, "final", 0))
    config = mock.Mock()
    with mock.patch.object(linkcheck_sources.logger, "warning") as warning:
        linkcheck_sources._set_up_politeness(config)
    assert linkcheck_sources._gate is None
    (call,) = warning.call_args_list
    assert "per-host limits and the bounded 429 wait are off" in call.args[0]
    assert call.kwargs["once"] is True


UNCITED_PAGE = (
    "# Sources\n\nOnly one source is cited here {cite:p}`page0`.\n\n```{bibliography}\n```\n"
)


def test_links_checked_from_the_start_keep_their_page_and_only_shown_ones_are_reported(tmp_path):
    root = _site(tmp_path)
    with web(hosts=1, slow_seconds=0.1) as servers:
        port = servers[0].port
        _cite_slow_links(root, 2, hosts=1, port=port)
        (root / "index.md").write_text("# Home\n\n```{toctree}\nsources\n```\n")
        (root / "sources.md").write_text(UNCITED_PAGE)
        citetools("--check", "--srcdir", str(root))
        requested = servers[0].hits["/slow"]
    lines = [
        json.loads(line)
        for line in (root / "_build/linkcheck/output.json").read_text().splitlines()
    ]
    # Both entries' links were requested from the start (as if on the root page, line -1);
    # only the cited one is in the output, on the page and line Sphinx found it on.
    assert requested == 2
    [(uri, filename, lineno)] = [(line["uri"], line["filename"], line["lineno"]) for line in lines]
    assert (uri, filename) == (f"http://127.0.0.2:{port}/slow?n=0", "sources.md")
    assert lineno >= 1


def test_the_sources_are_requested_before_the_bibliography_is_parsed(tmp_path, make_app):
    # Parsing a large .bib (bibfile_check, then sphinxcontrib-bibtex) takes about a second:
    # the early requests must not wait behind it.
    from sphinxcontrib import bibtex

    from citetools.sphinxext import bibfile_check

    site = _site(tmp_path)
    app = make_app("html", srcdir=site)
    app.setup_extension("citetools.sphinxext.bibfile_check")
    listeners = sorted(app.events.listeners["builder-inited"], key=lambda e: e.priority)
    order = [listener.handler for listener in listeners]
    first_parse = min(
        order.index(bibfile_check.check_bibfiles), order.index(bibtex.builder_inited_cite)
    )
    assert order.index(linkcheck_sources.skip_cached_links) < first_parse


# `python -c WATCH NOTE links ...`: `python -m citetools links ...`, noting in the file
# NOTE when Sphinx is set up (its application made: extensions loaded, environment
# read), on the monotonic clock the tests' server also reads; the code before the early
# start sent its first request seconds after. (Not when sphinx.application is first
# imported: the request threads are started before that, but their first request may
# reach the server a few milliseconds after, which failed this test now and then.)
WATCH_SPHINX = """
import importlib.machinery, runpy, sys, time

note = sys.argv[1]

class SetUpWatched:
    def find_spec(self, name, path=None, target=None):
        if name != "sphinx.application":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run_module = spec.loader.exec_module

        def watched(module):
            run_module(module)
            set_up = module.Sphinx.__init__

            def noted(*args, **kwargs):
                set_up(*args, **kwargs)
                with open(note, "a") as file:
                    file.write(repr(time.monotonic()) + "\\n")

            module.Sphinx.__init__ = noted

        spec.loader.exec_module = watched
        return spec

sys.meta_path.insert(0, SetUpWatched())
sys.argv = ["citetools", *sys.argv[2:]]
runpy.run_module("citetools", run_name="__main__")
"""


def test_each_source_is_requested_once_and_before_sphinx_is_set_up(tmp_path):
    root = _site(
        tmp_path,
        "linkcheck_workers = 4\n"
        "citetools_linkcheck_host_concurrency = 2\n"
        "citetools_linkcheck_host_interval = 0.25\n",
    )
    note = tmp_path / "sphinx-set-up"
    with web(hosts=4, slow_seconds=0.3) as servers:
        port = servers[0].port
        _cite_slow_links(root, 24, hosts=4, port=port)
        (root / "index.md").write_text(ALL_SOURCES_PAGE)
        command = ["-c", WATCH_SPHINX, str(note), "links", "--check", "--srcdir", str(root)]
        run = subprocess.run([sys.executable, *command], capture_output=True, text=True)
        stats = servers[0].stats
        requested = sum(server.hits["/slow"] for server in servers)
    assert run.returncode == 0, run.stdout + run.stderr
    records = records_of(root)
    assert len(records) == 24 and {r["status"] for r in records} == {"working"}
    # 24 links, 24 requests: the run started before Sphinx checked none of them again.
    assert requested == 24
    first_request = min(start for starts in stats.starts.values() for start in starts)
    sphinx_set_up = float(note.read_text().split()[0])
    assert first_request < sphinx_set_up, sphinx_set_up - first_request
    # Per-host limits hold, and no more than linkcheck_workers requests at once in all,
    # although more workers wait for their hosts' next starts (eight host slots here).
    assert max(stats.most_in_flight.values()) <= 2
    assert stats.most_in_flight_in_all <= 4


def test_a_build_that_fails_stops_the_requests_started_before_it(tmp_path):
    root = _site(
        tmp_path,
        "extensions.append('no_such_extension')\n"
        "citetools_linkcheck_host_concurrency = 1\n"
        "citetools_linkcheck_host_interval = 0.25\n",
    )
    with web(hosts=1, slow_seconds=0.1) as servers:
        port = servers[0].port
        _cite_slow_links(root, 40, hosts=1, port=port)
        code, _, err = citetools("--check", "--srcdir", str(root))
        requested = servers[0].hits["/slow"]
        time.sleep(1.0)
        assert servers[0].hits["/slow"] == requested
    assert code == 2
    assert "sphinx.log:0: Sphinx's linkcheck did not finish" in err
    assert "no_such_extension" in (root / "_build/linkcheck/sphinx.log").read_text()
    # The early requests had begun (one every 0.25 s), and the rest were dropped.
    assert 1 <= requested < 40
