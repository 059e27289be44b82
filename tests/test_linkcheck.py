"""`make linkcheck` against a server on 127.0.0.1: each behaviour of a source, the report
by entry and line, exit codes, the offline message and the cache."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from citetools import bibfile
from citetools.cli import main
from citetools.linkcheck import doi, wayback
from citetools.linkcheck.classify import classify
from testbed.linkserver import REGISTERED_DOI, FakeArchive, closed_port, running, serving

from conftest import ROOTS, environment

ROOT = ROOTS / "test-linkcheck-sources"


def make_root(dest: Path, **ports: int) -> Path:
    """A copy of the test root with the servers' ports written in."""
    shutil.copytree(ROOT, dest)
    for path in dest.iterdir():
        text = path.read_text(encoding="utf-8")
        for name, port in ports.items():
            text = text.replace(f"@{name}@", str(port))
        path.write_text(text, encoding="utf-8")
    return dest


def field_line(bib: Path, key: str, field: str) -> int:
    """The line of ``field`` in entry ``key``, read from the file itself."""
    lines = bib.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"@\w+\{{{key},", line))
    pattern = re.compile(rf"\s*{field}\s*=")
    return next(i for i in range(start, len(lines)) if pattern.match(lines[i])) + 1


def citetools(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["links", *args])
    return code, out.getvalue(), err.getvalue()


def resolver(url: str):
    return environment(**{doi.RESOLVER_VARIABLE: url})


#: The fake archive's captures of the page that is not found (its urldate: 2020-05-01).
NOT_FOUND_CAPTURES = ["20190101000000", "20200503101500", "20230101000000"]


def records_of(root: Path) -> list[dict]:
    return json.loads((root / "_build/linkcheck/sources.json").read_text(encoding="utf-8"))


def record(records: list[dict], key: str, field: str) -> dict:
    (found,) = [r for r in records if r["key"] == key and r["field"] == field]
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The test root checked once; the servers stay up for the module's tests."""
    with serving() as server, serving() as busy_server:
        captures = {f"http://127.0.0.1:{server.port}/not-found": NOT_FOUND_CAPTURES}
        with running(FakeArchive(captures)) as archive:
            root = make_root(
                tmp_path_factory.mktemp("linkcheck") / "site",
                PORT=server.port,
                BUSY_PORT=busy_server.port,
                CLOSED=closed_port(),
            )
            with environment(
                **{
                    doi.RESOLVER_VARIABLE: f"http://127.0.0.1:{server.port}",
                    wayback.API_VARIABLE: archive.base,
                }
            ):
                code, out, err = citetools("--check", "--srcdir", str(root))
                yield {
                    "root": root,
                    "server": server,
                    "archive": archive,
                    "code": code,
                    "out": out,
                    "err": err,
                    "records": records_of(root),
                }


BEHAVIOURS = [
    ("ok2020", "url", "working"),
    ("moved2020", "url", "redirected"),
    ("temporary2020", "url", "working"),
    ("notfound2020", "url", "broken"),
    ("gone2020", "url", "broken"),
    ("gone2020", "archiveurl", "working"),
    ("challenge2020", "url", "blocked"),
    ("busy2020", "url", "working"),
    ("alwaysbusy2020", "url", "rate-limited"),
    ("flaky2020", "url", "working"),
    ("slow2020", "url", "timeout"),
    ("loop2020", "url", "broken"),
    ("closed2020", "url", "broken"),
    ("anchor2020", "url", "working"),
    ("noanchor2020", "url", "broken"),
    ("dead2020", "url", "ignored"),
    ("dead2020", "archiveurl", "working"),
    ("registered2020", "doi", "working"),
    ("unregistered2020", "doi", "broken"),
]


@pytest.mark.parametrize(("key", "field", "status"), BEHAVIOURS)
def test_each_source_gets_its_status_and_bib_line(site, key, field, status):
    found = record(site["records"], key, field)
    assert found["status"] == status, found
    assert found["file"] == "references.bib"
    assert found["line"] == field_line(site["root"] / "references.bib", key, field)


def test_every_link_of_the_bibliography_has_one_record(site):
    fields = {(key, field) for key, field, _ in BEHAVIOURS}
    assert {(r["key"], r["field"]) for r in site["records"] if r["key"]} == fields
    assert len([r for r in site["records"] if r["key"]]) == len(fields)


def test_records_carry_the_documented_fields(site):
    for found in site["records"]:
        assert list(found) == ["key", "file", "line", "field", "url", "status", "code", "info"]


def test_a_permanent_redirect_names_the_new_address(site):
    found = record(site["records"], "moved2020", "url")
    port = site["server"].port
    assert found["code"] == 301
    assert f"http://127.0.0.1:{port}/new-home" in found["info"]
    assert "replace the url" in found["info"]


def test_a_broken_url_without_archive_names_its_closest_snapshot(site):
    found = record(site["records"], "notfound2020", "url")
    snapshot = site["archive"].snapshot_url(found["url"], "20200503101500")
    assert found["info"] == (
        "404 Not Found: if the page moved, update url; if it is gone, the closest archived "
        f"copy is {snapshot} (captured 2020-05-03): add these lines to notfound2020 "
        "(`citetools links --fix` writes them)"
    )
    # Asked for the day the source was read.
    assert (found["url"], "20200501") in site["archive"].lookups
    lines = [
        f"  archiveurl = {{{snapshot}}},",
        "  archivedate = {2020-05-03},",
        "  urlstatus = {dead},",
    ]
    out = site["out"].splitlines()
    start = out.index(next(line for line in out if ": broken: notfound2020 url " in line))
    assert out[start + 1 : start + 4] == lines
    summary = (site["root"] / "_build/linkcheck/sources.md").read_text(encoding="utf-8")
    assert "\n".join(["  ```bibtex", *(f"  {line}" for line in lines), "  ```"]) in summary


def test_a_broken_url_the_archive_never_saw_says_so(site):
    info = record(site["records"], "loop2020", "url")["info"]
    assert "the Wayback Machine has no snapshot of it" in info


def test_a_broken_url_with_an_archive_says_to_mark_it_dead(site):
    found = record(site["records"], "gone2020", "url")
    assert found["code"] == 410
    assert "add urlstatus = {dead}" in found["info"]


def test_fix_writes_the_snapshot_and_changes_nothing_else(site, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(site["root"], root)
    bib = root / "references.bib"
    before = bib.read_text(encoding="utf-8")
    with environment(**{wayback.API_VARIABLE: site["archive"].base}):
        code, out, _ = citetools("--fix", "--srcdir", str(root))
    assert code == 1  # this run still saw them broken
    port = site["server"].port
    snapshot = site["archive"].snapshot_url(f"http://127.0.0.1:{port}/not-found", "20200503101500")
    url_line = field_line(bib, "notfound2020", "urldate")
    expected = before.split("\n")
    expected[url_line:url_line] = [
        f"  archiveurl = {{{snapshot}}},",
        "  archivedate = {2020-05-03},",
        "  urlstatus = {dead},",
    ]
    gone = field_line(bib, "gone2020", "archivedate")
    expected.insert(gone, "  urlstatus = {dead},")
    assert bib.read_text(encoding="utf-8") == "\n".join(expected)
    assert f"references.bib:{url_line + 1}: notfound2020: fixed, added:" in out
    entries = {e.key: e.fields for e in bibfile.read(bib).entries}
    assert entries["notfound2020"]["urlstatus"] == "dead"


def test_an_unregistered_doi_is_reported_as_such(site):
    found = record(site["records"], "unregistered2020", "doi")
    assert found["url"] == "https://doi.org/10.5555/unregistered"  # what readers click
    assert "not registered" in found["info"]


def test_dois_are_checked_at_the_resolver_not_the_publisher(site):
    assert site["server"].hits[f"/api/handles/{REGISTERED_DOI}"] >= 1


def test_a_dead_original_is_not_requested_and_does_not_fail(site):
    assert site["server"].hits["/dead-original"] == 0
    found = record(site["records"], "dead2020", "url")
    assert "archived copy" in found["info"]


def test_a_missing_anchor_is_named(site):
    assert "no anchor #missing" in record(site["records"], "noanchor2020", "url")["info"]


def test_a_link_written_in_a_page_keeps_its_page_and_line(site):
    (link,) = [r for r in site["records"] if r["key"] is None]
    assert link["url"].endswith("/page-link")
    assert (link["file"], link["line"], link["status"]) == ("index.md", 3, "working")


def test_a_broken_source_fails_with_its_bib_line(site):
    assert site["code"] == 1
    line = field_line(site["root"] / "references.bib", "notfound2020", "url")
    assert f"references.bib:{line}: broken: notfound2020 url " in site["out"]
    assert "working" not in site["out"].split("linkcheck:")[0]  # only problems are listed
    assert site["out"].splitlines()[-1] == (
        "linkcheck: 19 source links, 1 other link: 6 broken, 1 redirected, 1 blocked, "
        "1 rate-limited, 1 timeout, 1 ignored, 9 working; report: "
        f"{site['root'] / '_build/linkcheck/sources.md'}"
    )


def test_summary_groups_sources_by_status(site):
    summary = (site["root"] / "_build/linkcheck/sources.md").read_text(encoding="utf-8")
    assert "## Broken (6)" in summary
    assert summary.index("## Broken") < summary.index("## Redirected") < summary.index("## Working")
    line = field_line(site["root"] / "references.bib", "challenge2020", "url")
    assert f"- `references.bib:{line}` challenge2020 url" in summary


def test_github_format_annotates_bib_lines(site):
    code, out, _ = citetools("--format", "github", "--srcdir", str(site["root"]))
    assert code == 1
    line = field_line(site["root"] / "references.bib", "unregistered2020", "doi")
    assert f"::error file=references.bib,line={line},title=broken%3A unregistered2020::" in out
    assert re.search(
        r"^::warning file=references.bib,line=\d+,title=redirected%3A moved2020::",
        out,
        re.MULTILINE,
    )


def test_the_cache_skips_working_links_and_never_keeps_errors(site):
    root, server = site["root"], site["server"]
    cache = json.loads((root / "_build/linkcheck/cache.json").read_text())["links"]
    port = server.port
    assert f"http://127.0.0.1:{port}/ok" in cache
    assert f"http://127.0.0.1:{port}/api/handles/{REGISTERED_DOI}" in cache
    assert f"http://127.0.0.1:{port}/not-found" not in cache
    assert f"http://127.0.0.1:{port}/slow" not in cache

    before = server.hits.copy()
    with resolver(f"http://127.0.0.1:{port}"):
        code, _, _ = citetools("--check", "--srcdir", str(root))
    assert code == 1
    assert server.hits["/ok"] == before["/ok"]  # cached
    assert server.hits["/not-found"] > before["/not-found"]  # errors are checked again
    assert "(cached)" in record(records_of(root), "ok2020", "url")["info"]
    assert record(records_of(root), "ok2020", "url")["status"] == "working"

    before = server.hits.copy()
    with resolver(f"http://127.0.0.1:{port}"):
        citetools("--check", "--no-cache", "--srcdir", str(root))
    assert server.hits["/ok"] > before["/ok"]


def test_offline_is_one_line_and_exit_3(tmp_path):
    nowhere, elsewhere = closed_port(), closed_port()
    root = make_root(tmp_path / "site", PORT=nowhere, BUSY_PORT=elsewhere, CLOSED=nowhere)
    with resolver(f"http://127.0.0.1:{elsewhere}"):
        code, out, err = citetools("--check", "--srcdir", str(root))
    assert code == 3
    assert out == (
        "linkcheck: network unreachable: no external host answered (18 sources not checked)\n"
    )
    assert err == ""
    report = root / "_build" / "linkcheck"
    assert not (report / "sources.json").exists()
    assert "network unreachable" in (report / "sources.md").read_text()


WORKING_BIB = """@misc{ok2020,
  author = {Able, Ann},
  title = {A page that answers},
  year = {2020},
  url = {http://127.0.0.1:@PORT@/ok},
}

@misc{dead2020,
  author = {Owen, Olu},
  title = {A dead original with an archived copy},
  year = {2020},
  url = {http://127.0.0.1:@PORT@/dead-original},
  archiveurl = {http://127.0.0.1:@PORT@/archive/dead-original},
  urlstatus = {dead},
}
"""


def test_nothing_changed_and_all_cached_answers_without_sphinx(tmp_path):
    with serving() as server:
        root = tmp_path / "site"
        root.mkdir()
        shutil.copy(ROOT / "conf.py", root)
        (root / "index.md").write_text("# Sources\n\n```{bibliography}\n:all:\n```\n")
        (root / "references.bib").write_text(WORKING_BIB.replace("@PORT@", str(server.port)))
        log = root / "_build/linkcheck/sphinx.log"
        with resolver(f"http://127.0.0.1:{server.port}"):
            first = citetools("--check", "--srcdir", str(root))
            assert first[0] == 0  # a dead original with a working archive does not fail
            last = first[1].splitlines()[-1]
            assert last.startswith("linkcheck: 3 source links, 0 other links: 1 ignored, 2 working")
            summary = (root / "_build/linkcheck/sources.md").read_text(encoding="utf-8")
            assert "3 links of bibliography entries and 0 other links in pages" in summary
            assert "2 links work (0 from the cache)." in summary
            assert log.exists()
            log.unlink()
            hits = server.hits.copy()

            code, out, _ = citetools("--check", "--srcdir", str(root))
            assert code == 0
            assert "answered from the cache" in out
            assert server.hits == hits and not log.exists()  # Sphinx did not run
            # ... and was not even imported, nor the .bib parser: the report is the last one's.
            probe = (
                "import sys, argparse; from citetools import links; "
                "p = argparse.ArgumentParser(); links.add_arguments(p); "
                f"code = links.run(p.parse_args(['--check', '--srcdir', {str(root)!r}])); "
                "print(code, sorted({m.split('.')[0] for m in sys.modules} & "
                "{'sphinx', 'bibtexparser', 'pybtex'}))"
            )
            ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
            assert ran.stdout.splitlines()[-1] == "0 []", ran.stdout + ran.stderr
            assert record(records_of(root), "ok2020", "url")["status"] == "working"

            bib = root / "references.bib"
            bib.write_text(bib.read_text().replace("A page that answers", "A page, renamed"))
            code, out, _ = citetools("--check", "--srcdir", str(root))
            assert code == 0 and "answered from the cache" not in out
            assert log.exists()


def test_no_results_is_a_usage_error_with_a_path(tmp_path):
    code, out, err = citetools("--srcdir", str(tmp_path))
    assert code == 2
    assert (
        err == f"{tmp_path / '_build/linkcheck/output.json'}:0: no linkcheck results here: "
        "run make linkcheck\n"
    )


@pytest.mark.parametrize(
    ("line", "status", "code"),
    [
        (
            {
                "status": "redirected",
                "code": 301,
                "uri": "http://a.org/x",
                "info": "https://a.org/x",
            },
            "working",
            301,
        ),  # http to https, same address
        (
            {
                "status": "redirected",
                "code": 308,
                "uri": "https://a.org/x",
                "info": "https://b.org/y",
            },
            "redirected",
            308,
        ),
        (
            {
                "status": "redirected",
                "code": 307,
                "uri": "https://a.org/x",
                "info": "https://a.org/login",
            },
            "working",
            307,
        ),
        (
            {
                "status": "ignored",
                "code": 301,
                "uri": "https://a.org/x",
                "info": "ignored redirect: https://b.org/y",
            },
            "redirected",
            301,
        ),
        (
            {
                "status": "ignored",
                "code": 0,
                "uri": "https://a.org/x",
                "info": "service unavailable",
            },
            "blocked",
            503,
        ),
        (
            {"status": "broken", "code": 0, "uri": "https://a.org/x", "info": "unauthorized"},
            "blocked",
            401,
        ),
        (
            {
                "status": "broken",
                "code": 0,
                "uri": "https://a.org/x",
                "info": "500 Server Error: Internal Server Error for url: https://a.org/x",
            },
            "broken",
            500,
        ),
    ],
)
def test_sphinx_results_the_server_cannot_show(line, status, code):
    outcome = classify(line)
    assert (outcome.status, outcome.code) == (status, code)


def test_an_archive_that_does_not_answer_keeps_the_search_advice():
    from citetools.linkcheck import report

    broken = report.Record(
        "a2020", "references.bib", 5, "url", "https://a.org/x", "broken", 404, "404 Not Found: ..."
    )

    def unreachable(url, day):
        raise wayback.Unreachable("connection refused")

    report.suggest_snapshots([broken], {"a2020": {"url": "https://a.org/x"}}, unreachable)
    assert broken.info.endswith("(the Wayback Machine could not be asked: connection refused)")
    assert broken.fix == {}
