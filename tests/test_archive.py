"""`citetools archive` against a fake Wayback Machine on 127.0.0.1: every web source of
the real bibliography gets its closest snapshot, written without changing anything else."""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from citetools import archive, bibfile
from citetools.cli import main
from citetools.linkcheck import wayback
from testbed.linkserver import FakeArchive, closed_port, running

from conftest import PROJECT, environment

REAL_BIB = PROJECT / "references.bib"


def citetools(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def fake_archive(snapshots: dict[str, list[str]], busy_saves: int = 0) -> Iterator[FakeArchive]:
    with running(FakeArchive(snapshots, busy_saves)) as server:
        with environment(**{wayback.API_VARIABLE: server.base, wayback.SAVE_VARIABLE: server.base}):
            yield server


def web_sources(bib: Path) -> dict[str, bibfile.BibEntry]:
    return {
        e.key: e
        for e in bibfile.read(bib).entries
        if e.fields.get("url") and not e.fields.get("archiveurl")
    }


def snapshots_around(sources: dict[str, bibfile.BibEntry]) -> dict[str, list[str]]:
    """Three captures of each page: a year before it was read, two days after, a year after."""
    snapshots = {}
    for entry in sources.values():
        year, month, day = entry.fields["urldate"].split("-")
        snapshots[entry.fields["url"]] = [
            f"{int(year) - 1}{month}{day}080000",
            f"{year}{month}{int(day) + 2:02d}093000",
            f"{int(year) + 1}{month}{day}100000",
        ]
    return snapshots


def without(text: str, added: list[str]) -> str:
    lines = text.split("\n")
    for line in added:
        lines.remove(line)
    return "\n".join(lines)


def test_every_web_source_of_the_real_bibliography_gets_its_closest_snapshot(tmp_path):
    bib = tmp_path / "references.bib"
    shutil.copy(REAL_BIB, bib)
    sources = web_sources(bib)
    assert len(sources) >= 25  # the real file's web sources, read as the command reads them
    original = bib.read_bytes()
    with fake_archive(snapshots_around(sources)) as server:
        code, out, err = citetools("archive", "--bib", str(bib))
    assert (code, err) == (0, ""), out + err
    after = bibfile.read(bib)
    added = []
    for entry in after.entries:
        if entry.key not in sources:
            continue
        url, (year, month, day) = entry.fields["url"], entry.fields["urldate"].split("-")
        closest = f"{year}{month}{int(day) + 2:02d}093000"
        assert entry.fields["archiveurl"] == server.snapshot_url(url, closest), entry.key
        assert entry.fields["archivedate"] == f"{year}-{month}-{int(day) + 2:02d}"
        added += [
            f"  archiveurl = {{{entry.fields['archiveurl']}}},",
            f"  archivedate = {{{entry.fields['archivedate']}}},",
        ]
    # Each lookup asked for the day the source was read.
    assert sorted(server.lookups) == sorted(
        (e.fields["url"], e.fields["urldate"].replace("-", "")) for e in sources.values()
    )
    # Byte for byte: taking the new lines out gives the file as it was.
    assert without(bib.read_text(encoding="utf-8"), added).encode() == original
    assert out.splitlines()[-1] == f"archive: {len(sources)} snapshots added"
    # The new fields are where `citetools fmt` puts them, and lint finds nothing to say.
    assert citetools("fmt", "--check", str(bib))[0] == 0
    code, out, _ = citetools("lint", "--strict", str(bib))
    assert code == 0, out


def test_a_second_run_has_nothing_to_do(tmp_path):
    bib = tmp_path / "references.bib"
    shutil.copy(REAL_BIB, bib)
    with fake_archive(snapshots_around(web_sources(bib))) as server:
        assert citetools("archive", "--bib", str(bib))[0] == 0
        before, lookups = bib.read_bytes(), len(server.lookups)
        code, out, _ = citetools("archive", "--bib", str(bib))
    assert code == 0 and bib.read_bytes() == before and len(server.lookups) == lookups
    assert out == "archive: 0 snapshots added\n"


CRLF_BIB = (
    "% Sources, kept by hand\r\n"
    "@misc{page2024,\r\n"
    "  author = {Doe, Jan},\r\n"
    "  title = {A page},\r\n"
    "  year = {2024},\r\n"
    "  url = {https://news.example.org/a},\r\n"
    "  urldate = {2024-03-05},\r\n"
    "  note = {Kept as written},\r\n"
    "}\r\n"
)


def test_line_endings_comments_and_following_fields_are_kept(tmp_path):
    bib = tmp_path / "crlf.bib"
    bib.write_bytes(CRLF_BIB.encode())
    snapshots = {"https://news.example.org/a": ["20240301000000", "20240306120000"]}
    with fake_archive(snapshots) as server:
        code, out, _ = citetools("archive", "--bib", str(bib))
    assert code == 0, out
    url = server.snapshot_url("https://news.example.org/a", "20240306120000")
    assert (
        bib.read_bytes()
        == CRLF_BIB.replace(
            "  urldate = {2024-03-05},\r\n",
            "  urldate = {2024-03-05},\r\n"
            f"  archiveurl = {{{url}}},\r\n"
            "  archivedate = {2024-03-06},\r\n",
        ).encode()
    )
    assert f"{bib}:8: page2024: added the snapshot of 2024-03-06:" in out


def test_dry_run_prints_the_lines_and_writes_nothing(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(CRLF_BIB.replace("\r\n", "\n"))
    before = bib.read_bytes()
    with fake_archive({"https://news.example.org/a": ["20240306120000"]}) as server:
        code, out, _ = citetools("archive", "--dry-run", "--bib", str(bib))
    assert code == 0 and bib.read_bytes() == before
    url = server.snapshot_url("https://news.example.org/a", "20240306120000")
    assert out == (
        f"{bib}:8: page2024: would add the snapshot of 2024-03-06:\n"
        f"  archiveurl = {{{url}}},\n"
        "  archivedate = {2024-03-06},\n"
        "archive: 1 snapshot to add (dry run: nothing was written)\n"
    )


def test_offline_exits_3_and_leaves_the_file_alone(tmp_path):
    bib = tmp_path / "references.bib"
    shutil.copy(REAL_BIB, bib)
    before = bib.read_bytes()
    nowhere = f"http://127.0.0.1:{closed_port()}"
    with environment(**{wayback.API_VARIABLE: nowhere, wayback.SAVE_VARIABLE: nowhere}):
        code, out, err = citetools("archive", "--bib", str(bib))
    assert code == 3 and bib.read_bytes() == before
    assert err.startswith(f"{bib}:0: the Wayback Machine did not answer (")
    assert err.endswith("network unreachable; nothing was written\n")


def test_a_source_without_snapshot_is_listed_and_fails(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(CRLF_BIB.replace("\r\n", "\n"))
    with fake_archive({}):
        code, out, _ = citetools("archive", "--bib", str(bib))
    assert code == 1
    assert (
        f"{bib}:6: page2024: the archive has no snapshot of https://news.example.org/a yet: "
        "`citetools archive --save page2024` asks Save Page Now to make one"
    ) in out


TWO_PAGES = """@misc{first2024,
  title = {First},
  year = {2024},
  url = {https://news.example.org/first},
  urldate = {2024-03-05},
}

@misc{second2024,
  title = {Second},
  year = {2024},
  url = {https://news.example.org/second},
}
"""


def test_save_page_now_one_capture_at_a_time_spaced_and_429_obeyed(tmp_path, monkeypatch):
    bib = tmp_path / "refs.bib"
    bib.write_text(TWO_PAGES)
    monkeypatch.setattr(archive, "make_saver", lambda: wayback.SavePageNow(interval=0.3, poll=0.01))
    with fake_archive({}, busy_saves=1) as server:
        code, out, _ = citetools("archive", "--save", "--bib", str(bib))
    assert code == 0, out
    assert server.most_in_flight_saves == 1
    starts = server.save_starts
    assert len(starts) == 3  # the first was refused with a 429 and asked again
    assert starts[1] - starts[0] >= 1.0  # its Retry-After: 1
    assert starts[2] - starts[1] >= 0.3  # the interval between two captures
    entries = {e.key: e.fields for e in bibfile.read(bib).entries}
    for key in ("first2024", "second2024"):
        url = entries[key]["url"]
        assert entries[key]["archiveurl"] == server.snapshot_url(url, server.capture_timestamp)
        assert entries[key]["archivedate"] == "2026-11-30"
    assert "second2024: no snapshot yet: asking Save Page Now for one" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [(["nosuch2020"], "no entry nosuch2020 (nothing was written)")],
)
def test_an_unknown_key_is_a_usage_error(tmp_path, args, message):
    bib = tmp_path / "refs.bib"
    bib.write_text(TWO_PAGES)
    code, _, err = citetools("archive", "--bib", str(bib), *args)
    assert code == 2 and err == f"{bib}:0: {message}\n"


def test_the_api_link_to_a_snapshot_becomes_https():
    snapshot = wayback.Snapshot(
        wayback._reader_link("http://web.archive.org/web/20240306120000/https://a.org/x"),
        "20240306120000",
    )
    assert snapshot.url == "https://web.archive.org/web/20240306120000/https://a.org/x"
    assert snapshot.date == "2024-03-06"


def test_save_page_now_gives_up_when_it_stays_busy(tmp_path, monkeypatch):
    bib = tmp_path / "refs.bib"
    bib.write_text(TWO_PAGES)
    before = bib.read_bytes()
    waits: list[float] = []
    monkeypatch.setattr(
        archive, "make_saver", lambda: wayback.SavePageNow(max_busy=2, sleep=waits.append)
    )
    with fake_archive({}, busy_saves=100) as server:
        code, out, _ = citetools("archive", "--save", "--bib", str(bib), "first2024")
    assert code == 1 and bib.read_bytes() == before
    assert len(server.save_starts) == 3  # the first request and two more, then no more
    # Each 429's Retry-After, then the interval between two requests (10 s by default).
    assert waits == [1.0, pytest.approx(10.0, abs=0.5), 1.0, pytest.approx(10.0, abs=0.5)]
    assert f"{bib}:4: first2024: Save Page Now is still busy (429): try again tomorrow" in out


@pytest.mark.parametrize(
    ("retry_after", "seconds"), [("7", 7.0), (None, 60.0), ("Wed, 21 Oct 2026 07:28:00 GMT", 60.0)]
)
def test_a_429_without_retry_after_in_seconds_waits_a_minute(retry_after, seconds):
    assert wayback._seconds(retry_after, 60.0) == seconds
