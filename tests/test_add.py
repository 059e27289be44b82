"""``citetools add``: from a DOI or a web page to one entry, against a server on 127.0.0.1.

All metadata below is made up for the tests (DOI prefix 10.5555 is reserved
for examples); nothing here is a real source.
"""

from __future__ import annotations

import datetime
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from citetools import bibfile
from citetools.cli import main
from testbed.linkserver import closed_port, running

from conftest import PROJECT, copy_site, sphinx_build

CSL = {
    "type": "article-journal",
    "title": "Crisis teams <i>and</i> response times: 50% faster?",
    "author": [
        {"family": "Example", "given": "Ada"},
        {"family": "Gogh", "non-dropping-particle": "van", "given": "Vera"},
        {"literal": "Study Group on Crisis Care"},
    ],
    "container-title": "Journal of Examples & Tests",
    "volume": "12",
    "issue": "3",
    "page": "101-120",
    "issued": {"date-parts": [[2021, 5]]},
    "DOI": "10.5555/example.2021",
    "URL": "http://dx.doi.org/10.5555/example.2021",
}

HIGHWIRE = """<!doctype html><html><head>
<meta name="citation_title" content="Mobile crisis care in small towns">
<meta name="citation_author" content="Sample, Sam">
<meta name="citation_author" content="Tester, Tina">
<meta name="citation_publication_date" content="2020/03/01">
<meta name="citation_journal_title" content="Example Health Review">
<meta name="citation_volume" content="7">
<meta name="citation_firstpage" content="10">
<meta name="citation_lastpage" content="19">
<meta name="citation_doi" content="10.5555/mobile.2020">
<title>Ignored title</title></head><body></body></html>"""

NEWS = """<html><head>
<meta property="og:title" content="City council funds a crisis line">
<meta property="og:site_name" content="The Example Gazette">
<meta property="article:author" content="https://example.org/staff/jo">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "The Example Gazette"},
  {"@type": "NewsArticle", "headline": "City council funds a 24/7 crisis line",
   "datePublished": "2022-10-23T08:00:00Z",
   "author": [{"@type": "Person", "name": "Jo Reporter"}],
   "publisher": {"@type": "Organization", "name": "The Example Gazette"}}]}
</script>
<title>Crisis line | The Example Gazette</title></head><body>...</body></html>"""

DUBLIN_CORE = """<html><head>
<meta name="DC.title" content="Annual report on emergency calls">
<meta name="DC.creator" content="{Example County}">
<meta name="DC.date" content="2019-12-31">
<meta name="DC.publisher" content="Example County">
</head></html>"""

BARE = "<html><head><title>Untitled notes</title></head><body>no metadata</body></html>"

PAGES = {"/highwire": HIGHWIRE, "/news": NEWS, "/dc": DUBLIN_CORE, "/bare": BARE}


class FakeWeb(BaseHTTPRequestHandler):
    """A DOI resolver at /doi/ (content negotiation only) and a few web pages."""

    requests: list[tuple[str, str]] = []

    def do_GET(self):
        FakeWeb.requests.append((self.path, self.headers.get("Accept", "")))
        if self.path.startswith("/doi/"):
            doi = self.path.removeprefix("/doi/")
            if doi != CSL["DOI"]:
                return self._send(404, "text/plain", "DOI not found")
            if self.headers.get("Accept") != "application/vnd.citationstyles.csl+json":
                return self._send(406, "text/plain", "ask for CSL JSON")
            return self._send(200, "application/vnd.citationstyles.csl+json", json.dumps(CSL))
        if self.path in PAGES:
            return self._send(200, "text/html; charset=utf-8", PAGES[self.path])
        return self._send(404, "text/html", "<h1>Not found</h1>")

    def _send(self, status, content_type, body):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def web():
    with running(ThreadingHTTPServer(("127.0.0.1", 0), FakeWeb)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def bib(tmp_path, monkeypatch, web):
    monkeypatch.setenv("CITETOOLS_DOI_RESOLVER", web + "/doi")
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "references.bib"
    path.write_text(EXISTING, encoding="utf-8")
    return path


@pytest.fixture
def offline(bib, monkeypatch):
    """The DOI resolver at a port of 127.0.0.1 nothing listens on."""
    monkeypatch.setenv("CITETOOLS_DOI_RESOLVER", f"http://127.0.0.1:{closed_port()}")


EXISTING = """% Sources of the FAQ.

@article{aaron2018first,
  author = {Aaron, Abe},
  title = {First},
  journal = {Journal},
  year = {2018},
  doi = {10.5555/first.2018},
}

% The next entry is about zebras.

@misc{zulu2019last,
  author = {Zulu, Zed},
  title = {Last},
  year = {2019},
  url = {https://example.org/zulu},
  urldate = {2026-01-05},
}
"""

TODAY = datetime.date.today().isoformat()


def entry_of(path: Path, key: str) -> bibfile.BibEntry:
    return next(e for e in bibfile.read(path).entries if e.key == key)


def test_doi_by_content_negotiation(bib, capsys, web):
    assert main(["add", "10.5555/example.2021"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("references.bib:11: added `example2021crisis`")
    text = bib.read_text(encoding="utf-8")
    # Sorted position: after aaron2018first, before the comment that belongs to zulu2019last.
    assert text.index("aaron2018first") < text.index("example2021crisis") < text.index("zebras")
    assert text.replace(_written(text, "example2021crisis"), "") == EXISTING  # rest untouched
    assert _written(text, "example2021crisis") == (
        "@article{example2021crisis,\n"
        "  author = {Example, Ada and van Gogh, Vera and {Study Group on Crisis Care}},\n"
        "  title = {Crisis teams and response times: 50\\% faster?},\n"
        "  journal = {Journal of Examples \\& Tests},\n"
        "  year = {2021},\n"
        "  volume = {12},\n"
        "  number = {3},\n"
        "  pages = {101--120},\n"
        "  doi = {10.5555/example.2021},\n"
        f"  urldate = {{{TODAY}}},\n"
        "}\n\n"
    )
    assert ("/doi/10.5555/example.2021", "application/vnd.citationstyles.csl+json") in (
        FakeWeb.requests
    )
    assert main(["lint", "references.bib"]) == 0
    assert main(["fmt", "--check", "references.bib"]) == 0


def _written(text: str, key: str) -> str:
    """The entry as written, with the blank line after it."""
    start = text.index(f"{{{key},")
    start = text.rindex("@", 0, start)
    return text[start : text.index("\n}\n", start) + 4]


@pytest.mark.parametrize(
    "form", ["doi:10.5555/example.2021", "https://doi.org/10.5555/example.2021"]
)
def test_doi_written_as_address_or_with_prefix(bib, capsys, form):
    assert main(["add", form]) == 0
    assert entry_of(bib, "example2021crisis").fields["doi"] == "10.5555/example.2021"


def test_highwire_citation_tags(bib, capsys, web):
    assert main(["add", web + "/highwire"]) == 0
    entry = entry_of(bib, "sample2020mobile")
    assert entry.type == "article"
    assert entry.fields == {
        "author": "Sample, Sam and Tester, Tina",
        "title": "Mobile crisis care in small towns",
        "journal": "Example Health Review",
        "volume": "7",
        "pages": "10--19",
        "year": "2020",
        "doi": "10.5555/mobile.2020",
        "url": web + "/highwire",
        "urldate": TODAY,
    }


def test_json_ld_and_opengraph(bib, capsys, web):
    assert main(["add", web + "/news"]) == 0
    entry = entry_of(bib, "reporter2022city")
    assert entry.type == "misc"
    assert entry.fields["title"] == "City council funds a 24/7 crisis line"
    assert entry.fields["author"] == "Jo Reporter"
    assert entry.fields["howpublished"] == "The Example Gazette"
    assert entry.fields["year"] == "2022"
    assert entry.fields["urldate"] == TODAY


def test_dublin_core(bib, capsys, web):
    assert main(["add", web + "/dc", "--key", "examplecounty2019annual"]) == 0
    entry = entry_of(bib, "examplecounty2019annual")
    assert entry.fields["title"] == "Annual report on emergency calls"
    assert entry.fields["author"] == "{Example County}"
    assert entry.fields["year"] == "2019"


def test_missing_metadata_is_written_and_listed(bib, capsys, web):
    """A page without author or date: the entry is written, and what to fill in is listed."""
    assert main(["add", web + "/bare"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("references.bib:11: added `anonnduntitled`")
    assert "references.bib:11: missing-field @misc `anonnduntitled` needs `author`" in out[-3]
    assert "needs `year` or `date`" in out[-2]
    assert "references.bib:11: key-convention" in out[-1]
    assert entry_of(bib, "anonnduntitled").fields["title"] == "Untitled notes"


def test_refuses_a_doi_already_present(bib, capsys):
    assert main(["add", "https://doi.org/10.5555/FIRST.2018"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "references.bib:3: https://doi.org/10.5555/FIRST.2018 is already there as "
        "`aaron2018first`: cite that key"
    )
    assert "nothing was written" in err
    assert bib.read_text(encoding="utf-8") == EXISTING


def test_refuses_a_url_already_present(bib, capsys):
    assert main(["add", "http://www.example.org/zulu/"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("references.bib:")
    assert "already there as `zulu2019last`" in err
    assert bib.read_text(encoding="utf-8") == EXISTING


def test_offline_leaves_the_file_untouched(bib, capsys, offline):
    assert main(["add", "10.5555/example.2021"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "references.bib:0: cannot reach 127.0.0.1 (the connection was refused): are you offline?"
    )
    assert bib.read_text(encoding="utf-8") == EXISTING


def test_http_error_leaves_the_file_untouched(bib, capsys, web):
    assert main(["add", "10.5555/unknown"]) == 2
    assert "answered HTTP 404 Not Found" in capsys.readouterr().err
    assert main(["add", web + "/gone"]) == 2
    assert bib.read_text(encoding="utf-8") == EXISTING


def test_bad_arguments(bib, capsys):
    assert main(["add", "not a source"]) == 2
    assert capsys.readouterr().err.startswith("references.bib:0: `not a source` is neither a DOI")
    assert main(["add", "10.5555/example.2021", "--key", "aaron2018first"]) == 2
    assert capsys.readouterr().err.startswith(
        "references.bib:3: the key `aaron2018first` is already used here"
    )
    assert main(["add", "10.5555/example.2021", "--key", "example2020crisis"]) == 2
    err = capsys.readouterr().err
    assert "does not contain the source's year 2021: e.g. `example2021crisis`" in err
    assert bib.read_text(encoding="utf-8") == EXISTING


def test_bad_key_is_reported_before_any_network_access(bib, capsys, offline):
    assert main(["add", "10.5555/example.2021", "--key", "Example-2021"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("references.bib:0: the key `Example-2021` does not follow the convention")
    assert "cannot reach" not in err
    assert bib.read_text(encoding="utf-8") == EXISTING


def test_refuses_a_file_with_syntax_errors(bib, capsys):
    broken = EXISTING.replace("title = {First},", "title = {First,")
    bib.write_text(broken, encoding="utf-8")
    assert main(["add", "10.5555/example.2021"]) == 1
    assert capsys.readouterr().out.startswith("references.bib:")
    assert bib.read_text(encoding="utf-8") == broken


def test_appends_after_the_last_key(bib, capsys, web):
    bib.write_text(EXISTING.split("% The next")[0].rstrip() + "\n", encoding="utf-8")
    assert main(["add", web + "/news"]) == 0
    text = bib.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.index("aaron2018first") < text.index("reporter2022city")


def test_contributor_adds_and_cites_a_source(tmp_path, monkeypatch, web, capsys):
    """CONTRIBUTING.md's five minutes: add by DOI, cite the printed key, check, build."""
    site = copy_site(tmp_path / "site")
    monkeypatch.setenv("CITETOOLS_DOI_RESOLVER", web + "/doi")
    monkeypatch.chdir(site)
    assert main(["add", "10.5555/example.2021"]) == 0
    printed = capsys.readouterr().out.splitlines()[0]
    role = printed.split("cite it as ", 1)[1]
    assert role == "{cite:p}`example2021crisis`"
    page = site / "faq" / "incremental-change.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(
        text.replace("## Sources", f"Response times fell {role}.\n\n## Sources"), encoding="utf-8"
    )
    assert main(["lint"]) == 0
    result = sphinx_build(site, tmp_path / "html")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "html" / "faq" / "incremental-change.html").read_text(encoding="utf-8")
    # The reader sees the author-year label, linked to the entry in the page's Sources list.
    assert 'Response times fell <span class="bibtex-citation"' in html
    assert 'href="#example2021crisis"' in html
    assert ">Example et al., 2021</a>)" in html
    assert "Crisis teams and response times: 50% faster?" in html


def test_contributing_example_of_a_source_already_there(tmp_path, monkeypatch, capsys, offline):
    """CONTRIBUTING.md's example DOI is already in references.bib: no lookup, one line."""
    guide = (PROJECT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    (shown,) = [line.strip() for line in guide.splitlines() if "is already there as" in line]
    monkeypatch.chdir(copy_site(tmp_path / "site"))
    assert main(["add", "10.1186/s12888-018-1836-2"]) == 2
    assert capsys.readouterr().err == shown + "\n"
