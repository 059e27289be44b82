"""``citetools add``: from a DOI or a web page to one entry, against a server on 127.0.0.1.

The metadata written inline below is made up (DOI prefix 10.5555 is reserved for
examples). The real records and pages under tests/data/add/ are answers that
Crossref, DataCite and publishers' sites gave, gathered from public test suites
(tests/data/add/SOURCES.md): each is served as the resolver or the site served it.
"""

from __future__ import annotations

import datetime
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pybtex.database
import pytest

from citetools import bibfile, metadata
from citetools.cli import main
from citetools.sphinxext import bibstyle
from testbed.linkserver import closed_port, running

from conftest import PROJECT, copy_site, sphinx_build

DATA = Path(__file__).resolve().parent / "data" / "add"

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


def _real_records() -> dict[str, str]:
    """DOI -> the registration agency's answer, as saved."""
    records = {}
    for path in sorted((DATA / "csl").glob("*.json")):
        text = path.read_text(encoding="utf-8")
        # Two saved answers for 10.1021/ja01577a030: the first is served, `served` picks.
        records.setdefault(json.loads(text)["DOI"].lower(), text)
    return records


RECORDS = _real_records()
#: Records changed for one test: DOI -> CSL JSON (set by the `served` fixture).
VARIANTS: dict[str, str] = {}
TRICKLE_SECONDS = 30


class FakeWeb(BaseHTTPRequestHandler):
    """A DOI resolver at /doi/ (content negotiation only), web pages, and slow hosts."""

    requests: list[tuple[str, str]] = []

    def do_GET(self):
        FakeWeb.requests.append((self.path, self.headers.get("Accept", "")))
        if self.path.startswith("/doi/"):
            doi = self.path.removeprefix("/doi/")
            answer = (
                json.dumps(CSL)
                if doi == CSL["DOI"]
                else VARIANTS.get(doi.lower()) or RECORDS.get(doi.lower())
            )
            if answer is None:
                return self._send(404, "text/plain", "DOI not found")
            if self.headers.get("Accept") != "application/vnd.citationstyles.csl+json":
                return self._send(406, "text/plain", "ask for CSL JSON")
            return self._send(200, "application/vnd.citationstyles.csl+json", answer)
        if self.path in PAGES:
            return self._send(200, "text/html; charset=utf-8", PAGES[self.path])
        if self.path.startswith("/pages/"):
            page = DATA / "pages" / self.path.removeprefix("/pages/")
            if page.is_file():
                return self._send(200, "text/html; charset=utf-8", page.read_text("utf-8"))
        if self.path.startswith("/trickle/"):
            return self._trickle(self.path.removeprefix("/trickle/"))
        return self._send(404, "text/html", "<h1>Not found</h1>")

    def _trickle(self, part: str) -> None:
        """One byte every 0.1 s: each read succeeds, the whole answer takes minutes."""
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 9999\r\n\r\n"
        body = b"<html><head><title>" + b"x" * 9000
        if part == "body":
            self.wfile.write(head)
            self.wfile.flush()
        data = head + body if part == "headers" else body
        start = time.monotonic()
        try:
            for byte in data:
                if time.monotonic() - start > TRICKLE_SECONDS:
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass  # the client gave up: what the test wants

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
    assert out[-2].startswith(
        "references.bib:11: incomplete-entry @misc `anonnduntitled` needs `author` or `editor` "
        "and `year` or `date`"
    )
    # The key add chose is the convention's own for an undated, anonymous page.
    assert not [line for line in out if "key-convention" in line]
    assert out[-1].startswith(
        "references.bib:11: the page's metadata gives no date of publication: add `year = {YYYY}`"
    )
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


# -- Real records and pages ------------------------------------------------------------


@pytest.fixture
def served(bib):
    """Serve a changed copy of a real record for one test: `served(doi, saved, **changes)`."""

    def serve(doi: str, saved: str | None = None, **changes) -> None:
        text = (DATA / "csl" / saved).read_text("utf-8") if saved else RECORDS[doi.lower()]
        record = json.loads(text)
        for name, value in changes.items():
            name = name.replace("_", "-")
            if value is None:
                record.pop(name, None)
            else:
                record[name] = value
        VARIANTS[doi.lower()] = json.dumps(record)

    yield serve
    VARIANTS.clear()


def added_entry(bib: Path, out: str) -> bibfile.BibEntry:
    """The entry `add` reported as added."""
    key = out.split("added `", 1)[1].split("`", 1)[0]
    return entry_of(bib, key)


def printed(bib: Path, key: str) -> str:
    """The entry as the site's bibliography style prints it, in plain text."""
    bibstyle.register_plugins()
    entry = pybtex.database.parse_file(str(bib), "bibtex").entries[key]
    (formatted,) = bibstyle.FormattingStyle().format_entries([entry])
    return " ".join(formatted.text.render_as("text").split())


def add_and_check(bib: Path, capsys, source: str) -> tuple[bibfile.BibEntry, str]:
    """`add` a real source: it must lint clean and print in the site's style."""
    assert main(["add", source]) == 0, capsys.readouterr()
    entry = added_entry(bib, capsys.readouterr().out)
    assert main(["lint", "references.bib"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    return entry, printed(bib, entry.key)


# (DOI, BibTeX type, fields as written, what the reader sees in the bibliography)
REAL_RECORDS = [
    pytest.param(
        "10.1126/science.169.3946.635",
        "article",
        {
            "author": "Frank, Henry S.",
            "title": "The Structure of Ordinary Water: New data and interpretations are "
            "yielding new insights into this fascinating substance.",
            "journal": "Science",
            "volume": "169",
            "number": "3946",
            "pages": "635--641",
            "year": "1970",
        },
        "Science, 169(3946):635–641, 1970.",
        id="crossref-journal-article",
    ),
    pytest.param(
        "10.1098/rsif.2017.0387",
        "article",
        {
            "journal": "Journal of The Royal Society Interface",
            "volume": "15",
            "number": "141",
            "pages": "20170387",
            "year": "2018",
        },  # fmt: skip
        "Journal of The Royal Society Interface, 15(141):20170387, 2018.",
        id="article-number",
    ),
    pytest.param(
        "10.1021/ja01577a030",
        "article",
        {
            "author": "Hall, Jr., H. K.",
            "title": "Correlation of the Base Strengths of Amines",
            "journal": "Journal of the American Chemical Society",
            "year": "1957",
        },  # fmt: skip
        "H. K. Hall, Jr. Correlation of the Base Strengths of Amines. Journal of the American "
        "Chemical Society, 79(20):5441–5444, 1957.",
        id="footnote-mark-in-title",
    ),
    pytest.param(
        "10.1007/978-3-662-46370-3_13",
        "incollection",
        {
            "author": "Diercks, Ronald L. and Ludvigsen, Tom Clement",
            "title": "Clinical Symptoms and Physical Examinations",
            "booktitle": "Shoulder Stiffness",
            "publisher": "Springer Berlin Heidelberg",
            "pages": "155--158",
            "year": "2015",
            "isbn": "9783662463697",
        },
        "In Shoulder Stiffness, pages 155–158. Springer Berlin Heidelberg, 2015.",
        id="crossref-book-chapter",
    ),
    pytest.param(
        "10.1109/iccv.2007.4408927",
        "inproceedings",
        {
            "booktitle": "2007 IEEE 11th International Conference on Computer Vision",
            "publisher": "IEEE",
            "pages": "1--8",
            "year": "2007",
        },  # fmt: skip
        "In 2007 IEEE 11th International Conference on Computer Vision, 1–8. IEEE, 2007.",
        id="crossref-proceedings-article",
    ),
    pytest.param(
        "10.14264/uql.2020.791",
        "phdthesis",
        {
            "author": "Collingwood, Patricia Maree",
            "school": "The University of Queensland",
            "year": "2020",
        },  # fmt: skip
        "PhD thesis, The University of Queensland, 2020.",
        id="crossref-dissertation",
    ),
    pytest.param(
        "10.54900/rckn8ey-1fm76va-qsrnf",
        "misc",
        {
            "author": "Chodacki, John and Hendricks, Ginny and Ferguson, Christine and "
            "Fenner, Martin",
            "howpublished": "Front Matter",
            "year": "2021",
        },  # fmt: skip
        "Front Matter, 2021.",
        id="crossref-posted-content",
    ),
    pytest.param(
        "10.1101/2021.08.15.21262067",
        "misc",
        {"howpublished": "medRxiv", "year": "2021"},
        "medRxiv, 2021.",
        id="csl-article-preprint",
    ),
    pytest.param(
        "10.6084/m9.figshare.4724797",
        "misc",
        {"author": "Himmelstein, Daniel", "howpublished": "Figshare", "year": "2017"},
        "Daniel Himmelstein. The hetnet awakens: understanding complex diseases through data "
        "integration and open science. Figshare, 2017.",
        id="datacite-article-journal-without-journal",
    ),
    pytest.param(
        "10.5281/ZENODO.8242099",
        "misc",
        {
            "author": "Willighagen, Lars and Puchkov, Vasily Georgievich",
            "title": "Shield bugs (nymphs)",
            "howpublished": "Zenodo",
            "year": "2023",
        },  # fmt: skip
        "Lars Willighagen and Vasily Georgievich Puchkov. Shield bugs (nymphs). Zenodo, 2023.",
        id="datacite-article",
    ),
    pytest.param(
        "10.59350/hhtcn-zah03",
        "misc",
        {"howpublished": "chem-bla-ics", "year": "2006"},
        "chem-bla-ics, 2006.",
        id="csl-post-weblog",
    ),
]


REAL_RECORDS += [
    pytest.param(
        "10.1017/9781108348843",
        "book",
        {
            "author": "Leung, Vincent S.",
            "publisher": "Cambridge University Press",
            "year": "2019",
            "isbn": "9781108348843",
        },  # fmt: skip
        "Vincent S. Leung. The Politics of the Past in Early China. Cambridge University "
        "Press, 2019.",
        id="crossref-monograph",
    ),
    pytest.param(
        "10.2210/pdb4hhb/pdb",
        "misc",
        {
            "author": "Fermi, G. and Perutz, M.F.",
            "howpublished": "Worldwide Protein Data Bank",
            "year": "1984",
        },  # fmt: skip
        "Worldwide Protein Data Bank, 1984.",
        id="crossref-dataset",
    ),
    pytest.param(
        "10.7554/elife.55167.sa2",
        "misc",
        {"howpublished": "eLife Sciences Publications, Ltd", "year": "2020"},
        "eLife Sciences Publications, Ltd, 2020.",
        id="crossref-peer-review-without-journal",
    ),
]


@pytest.mark.parametrize(("doi", "kind", "fields", "reads"), REAL_RECORDS)
def test_real_records_are_filed_by_type(bib, capsys, doi, kind, fields, reads):
    entry, text = add_and_check(bib, capsys, doi)
    assert entry.type == kind
    assert {name: entry.fields.get(name) for name in fields} == fields
    assert entry.fields["doi"] == doi
    assert reads in text


@pytest.mark.parametrize(
    ("kind", "reads"),
    [
        ("journal-article", "Nature, 193(4812):293–294, 1962."),
        ("article-journal", "Nature, 193(4812):293–294, 1962."),
    ],
)
def test_crossref_and_csl_type_names_alike(bib, capsys, served, kind, reads):
    """Crossref's content negotiation answers `journal-article`, CSL says `article-journal`."""
    served("10.1038/193293a0", type=kind)
    entry, text = add_and_check(bib, capsys, "10.1038/193293a0")
    assert entry.type == "article"
    assert (entry.fields["journal"], entry.fields["pages"]) == ("Nature", "293--294")
    assert reads in text


@pytest.mark.parametrize("kind", ["article", "article-journal", "journal-article", "chapter",
                                  "book-chapter", "paper-conference"])  # fmt: skip
def test_a_record_without_container_is_never_a_journal_article(bib, capsys, served, kind):
    """DataCite's Figshare record has no journal: typed `article` or not, it is @misc."""
    served("10.6084/m9.figshare.4724797", type=kind)
    entry, text = add_and_check(bib, capsys, "10.6084/m9.figshare.4724797")
    assert entry.type == "misc"
    assert entry.fields["howpublished"] == "Figshare"
    assert "Figshare, 2017." in text


@pytest.mark.parametrize(
    ("removed", "year"),
    [
        (["issued"], "1957"),  # published-print, not the online copy of 2002
        (["issued", "published-print", "published"], "2002"),  # published-online
        (["issued", "published-print", "published", "published-online"], "1957"),  # the issue
    ],
)
def test_year_comes_from_publication_dates(bib, capsys, served, removed, year):
    """The 1957 paper's DOI was created in 2005 and its record indexed in 2021."""
    served("10.1021/ja01577a030", "citationjs-crossref-1957-dates.json", **dict.fromkeys(removed))
    entry, text = add_and_check(bib, capsys, "10.1021/ja01577a030")
    assert entry.fields["year"] == year
    assert f", {year}." in text


def test_a_record_without_publication_date_says_what_is_missing(bib, capsys, served):
    """Registration and indexing dates are not a year: the contributor is told what to add."""
    served(
        "10.1038/193293a0",
        issued=None,
        published_print=None,
        published_online=None,
        journal_issue=None,
    )
    assert main(["add", "10.1038/193293a0"]) == 1
    out = capsys.readouterr().out
    entry = added_entry(bib, out)
    assert "year" not in entry.fields  # not 2006, when the DOI was registered
    line = f"references.bib:{entry.line}:"
    assert f"{line} missing-field @article `{entry.key}` needs `year` or `date`" in out
    assert (
        f"{line} the DOI record gives no date of publication (only when the DOI was registered, "
        "which is not the work's year): add `year = {YYYY}` as printed on the source, "
        "https://doi.org/10.1038/193293a0"
    ) in out


def test_empty_date_parts_say_what_is_missing(bib, capsys):
    """A real Crossref dataset record whose `issued` is `[[]]`."""
    assert main(["add", "10.22541/au.149693987.70506124"]) == 1
    out = capsys.readouterr().out
    entry = added_entry(bib, out)
    assert entry.type == "misc"
    assert entry.fields["howpublished"] == "Authorea"
    assert "the DOI record gives no date of publication" in out


def test_a_record_with_nothing_to_cite_lists_every_missing_field(bib, capsys):
    """A real Crossref `component` (a figure's DOI): no author, title or date."""
    assert main(["add", "10.1371/journal.pmed.0030277.g001"]) == 1
    out = capsys.readouterr().out
    entry = added_entry(bib, out)
    assert entry.type == "misc"
    assert (
        f"references.bib:{entry.line}: incomplete-entry @misc `{entry.key}` needs "
        "`author` or `editor` and `title` and `year` or `date`"
    ) in out
    assert "the DOI record gives no date of publication" in out


# (page, BibTeX type, fields as written, what the reader sees)
REAL_PAGES = [
    pytest.param(
        "orcid-2023-annual-report.html",
        "misc",
        # JSON-LD @graph: author and publisher are @id references; the headline's &#8217;.
        {
            "author": "ORCID",
            "title": "Now Available: ORCID’s 2023 Annual Report",
            "howpublished": "ORCID",
            "year": "2024",
        },  # fmt: skip
        "ORCID. Now Available: ORCID’s 2023 Annual Report. ORCID, 2024.",
        id="json-ld-graph-and-ids",
    ),
    pytest.param(
        "threatpost.com.android.html",
        "misc",
        {
            "author": "Lindsey O'Donnell",
            "title": "Android Ransomware Spreads Via ‘Sex Simulation Game’ Links on Reddit, SMS",
            "howpublished": "Threatpost",
            "year": "2019",
        },  # fmt: skip
        "Lindsey O'Donnell. Android Ransomware Spreads Via ‘Sex Simulation Game’ Links on "
        "Reddit, SMS. Threatpost, 2019.",
        id="entities-in-json-ld",
    ),
    pytest.param(
        "zenodo-1196821.html",
        "misc",
        {
            "author": "Staib, Matthias and Castegnetti, Giuseppe and Tzovara, Athina and "
            "Paulus, Philipp C. and Hofer, Nicolas and Bach, Dominik R.",
            "howpublished": "Zenodo",
            "year": "2018",
            "doi": "10.5281/zenodo.1196821",
        },
        "Matthias Staib, Giuseppe Castegnetti, Athina Tzovara, Philipp C. Paulus, Nicolas "
        "Hofer, and Dominik R. Bach.",
        id="json-ld-iri-type-and-every-citation-author",
    ),
    pytest.param(
        "upstream-welcome.html",
        "article",
        {
            "author": "John Chodacki and Ginny Hendricks and Christine Ferguson and Martin Fenner",
            "journal": "Upstream",
            "year": "2021",
            "doi": "10.54900/rckn8ey-1fm76va-qsrnf",
        },  # fmt: skip
        "John Chodacki, Ginny Hendricks, Christine Ferguson, and Martin Fenner. Welcome to "
        "Upstream",
        id="highwire-doi-as-address",
    ),
    pytest.param(
        "github.blog.spiceland.html",
        "misc",
        # The publisher (GitHub) is named before the site (The GitHub Blog).
        {
            "author": "Jessica Rudder",
            "title": "Leader spotlight: Erin Spiceland",
            "howpublished": "GitHub",
            "year": "2019",
        },  # fmt: skip
        "Jessica Rudder. Leader spotlight: Erin Spiceland. GitHub, 2019.",
        id="publisher-before-site-name",
    ),
    pytest.param(
        "spiegel.de.albtraum.html",
        "misc",
        {"author": "{SPIEGEL ONLINE}", "title": "Ein Albtraum", "year": "2018"},
        "SPIEGEL ONLINE. Ein Albtraum. SPIEGEL ONLINE, 2018.",
        id="organisation-author",
    ),
    pytest.param(
        "arxiv-1902.02534.html",
        "misc",
        {
            "author": "Heibi, Ivan and Peroni, Silvio and Shotton, David",
            "howpublished": "arXiv.org",
            "year": "2019",
        },  # fmt: skip
        "Ivan Heibi, Silvio Peroni, and David Shotton.",
        id="highwire-preprint",
    ),
]


@pytest.mark.parametrize(("page", "kind", "fields", "reads"), REAL_PAGES)
def test_real_pages(bib, capsys, web, page, kind, fields, reads):
    entry, text = add_and_check(bib, capsys, f"{web}/pages/{page}")
    assert entry.type == kind
    assert {name: entry.fields.get(name) for name in fields} == fields
    assert entry.fields["url"] == f"{web}/pages/{page}"
    assert reads in text


def test_organisation_with_commas_stays_one_name(bib, capsys, web):
    """A Swiss federal department's page: one organisation, no date (the contributor is told)."""
    assert main(["add", f"{web}/pages/wbf.admin.ch.14093.html"]) == 1
    out = capsys.readouterr().out
    entry = added_entry(bib, out)
    assert entry.fields["author"] == (
        "{Eidgenössisches Departement für Wirtschaft, Bildung und Forschung WBF}"
    )
    assert entry.fields["title"] == "Städteschutz statt Alpentrutz"
    assert "the page's metadata gives no date of publication" in out
    person = pybtex.database.parse_file(str(bib)).entries[entry.key].persons["author"]
    assert len(person) == 1 and person[0].last_names == [
        "{Eidgenössisches Departement für Wirtschaft, Bildung und Forschung WBF}"
    ]


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        # Bylines as real pages write them (tests/data/add/SOURCES.md, trafilatura).
        ("SPIEGEL ONLINE, Hamburg, Germany", ["{SPIEGEL ONLINE, Hamburg, Germany}"]),
        ("Harm, Robert", ["Harm, Robert"]),
        ("April Roach, Daniel O&#x27;Mahony", ["April Roach", "Daniel O'Mahony"]),
        ("Kirche und Leben, Münster, Germany", ["{Kirche und Leben, Münster, Germany}"]),
        ("bergportal GmbH, digvis GmbH", ["{bergportal GmbH, digvis GmbH}"]),
        ("Hall, Jr., H. K.", ["Hall, Jr., H. K."]),
        ("van der Berg, Jan", ["van der Berg, Jan"]),
        ("Jo Doe and Ann Roe", ["Jo Doe", "Ann Roe"]),
        ("Bill and Melinda Gates Foundation", ["{Bill and Melinda Gates Foundation}"]),
        ("https://www.facebook.com/someone", []),
    ],
)
def test_bylines_are_people_or_one_organisation(byline, names):
    assert metadata.names(byline) == names


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        (
            "Correlation of the Base Strengths of Amines<sup>1</sup>",
            "Correlation of the Base Strengths of Amines",
        ),  # fmt: skip
        ("Rising CO<sub>2</sub> and 10<sup>6</sup> cells", "Rising CO2 and 106 cells"),
        ("Am meisten gelesen...<sup>*</sup>", "Am meisten gelesen..."),
        ("Why E = mc<sup>2</sup>", "Why E = mc2"),
        ("Flows in R<sup>3</sup>", "Flows in R3"),
        ("Part one<br/>Part two", "Part one Part two"),
        ("ORCID&amp;#8217;s <i>2023</i>   report", "ORCID’s 2023 report"),
    ],
)
def test_markup_in_titles(markup, text):
    assert metadata.clean(markup) == text


DUBLIN_CORE_PEOPLE = """<html><head>
<meta name="dc.title" content="Male meiosis in Microtomus lunifer">
<meta name="dc.creator" content="Mar&#237;a Poggio" />
<meta name="dc.contributor" content="Alba Papeschi" />
<meta name="dc.date" content="2011-05-05" />
<meta name="dc.publisher" content="Example Press" />
<meta property="og:site_name" content="Example Journals Online">
</head></html>"""


def test_dublin_core_contributors_are_authors_and_publisher_beats_site_name(bib, capsys, web):
    PAGES["/dc-people"] = DUBLIN_CORE_PEOPLE
    entry, text = add_and_check(bib, capsys, web + "/dc-people")
    assert entry.fields["author"] == "María Poggio and Alba Papeschi"
    assert entry.fields["howpublished"] == "Example Press"
    assert "María Poggio and Alba Papeschi. Male meiosis in Microtomus lunifer." in text


def test_json_ld_author_lists_types_as_lists_and_references():
    """The shapes JSON-LD takes on real pages, read into one list of names."""
    nodes = metadata._json_ld_nodes(
        [
            json.dumps(
                {
                    "@context": "https://schema.org",
                    "@graph": [
                        {
                            "@type": ["CreativeWork", "schema:ScholarlyArticle"],
                            "@id": "#a",
                            "headline": "A &amp; B",
                            "datePublished": "2020-02-02",
                            "author": [
                                {"@id": "#p"},
                                "Jo Doe",
                                {"@type": "Organization", "name": "Group, Inc."},
                            ],
                            "publisher": {"@id": "#o"},
                        },  # fmt: skip
                        {"@type": "Person", "@id": "#p", "familyName": "Roe", "givenName": "Ann"},
                        {"@type": "Organization", "@id": "#o", "name": "Example Press"},
                        {"@type": []},
                    ],
                }
            )
        ]
    )
    ld = metadata._JsonLd(nodes)
    assert ld.text("headline") == "A & B"
    assert ld.text("datePublished") == "2020-02-02"
    assert ld.people("author") == ["Roe, Ann", "Jo Doe", "{Group, Inc.}"]
    assert ld.text("publisher") == "Example Press"


# -- One deadline per request ------------------------------------------------------------


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_trickling_host_is_given_up_on_at_the_deadline(bib, capsys, web, part):
    """Every read gets a byte in time; the request as a whole must still end."""
    start = time.monotonic()
    assert main(["add", f"{web}/trickle/{part}", "--timeout", "1"]) == 2
    elapsed = time.monotonic() - start
    err = capsys.readouterr().err
    assert err.startswith(
        "references.bib:0: timed out after 1 s waiting for 127.0.0.1: the host is up but "
        "answering too slowly; try again later, or use --timeout SECONDS"
    )
    assert "are you offline" not in err
    assert elapsed < 10  # the host would take TRICKLE_SECONDS; the deadline was 1 s
    assert bib.read_text(encoding="utf-8") == EXISTING
    guide = (PROJECT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    (shown,) = [line.strip() for line in guide.splitlines() if "timed out after" in line]
    assert err.strip() == shown.replace("20 s", "1 s").replace("www.example.org", "127.0.0.1")


@pytest.fixture
def tls_trickler(tmp_path, monkeypatch):
    """An https host on 127.0.0.1 that stalls its TLS handshake or trickles its answer."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make the test host's certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted for this test only
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve(stall_handshake: bool) -> None:
        raw, _ = listener.accept()
        with raw:
            if stall_handshake:
                time.sleep(5)
                return
            with context.wrap_socket(raw, server_side=True) as conn:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 9999\r\n\r\n")
                try:
                    for _ in range(50):
                        conn.sendall(b"x")
                        time.sleep(0.1)
                except OSError:
                    pass

    def start(stall_handshake: bool) -> str:
        threading.Thread(target=serve, args=(stall_handshake,), daemon=True).start()
        return f"https://localhost:{listener.getsockname()[1]}/page"

    yield start
    listener.close()


@pytest.mark.parametrize("stall_handshake", [True, False], ids=["handshake", "body"])
def test_the_deadline_holds_over_https(bib, capsys, tls_trickler, stall_handshake):
    url = tls_trickler(stall_handshake)
    start = time.monotonic()
    assert main(["add", url, "--timeout", "1"]) == 2
    assert time.monotonic() - start < 4
    assert capsys.readouterr().err.startswith(
        "references.bib:0: timed out after 1 s waiting for localhost:"
    )


def test_timeout_must_be_seconds(bib, capsys):
    assert main(["add", "10.5555/example.2021", "--timeout", "0"]) == 2
    assert "`0` is not a number of seconds, e.g. 60" in capsys.readouterr().err
    assert bib.read_text(encoding="utf-8") == EXISTING


def test_json_ld_main_entity_of_a_web_page():
    page = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": "Crisis line | Gazette",
        "mainEntity": {
            "@type": "NewsArticle",
            "headline": "Crisis line opens",
            "author": {"@type": "Person", "name": "Jo Reporter"},
            "citation": [{"@type": "ScholarlyArticle", "headline": "Another work"}],
        },
    }
    ld = metadata._JsonLd(metadata._json_ld_nodes([json.dumps(page)]))
    assert (ld.text("headline"), ld.people("author")) == ("Crisis line opens", ["Jo Reporter"])


def test_no_network_is_told_apart_from_a_slow_host(bib, capsys):
    """A name that cannot resolve (`.invalid` never does) is a network problem, not slowness."""
    assert main(["add", "https://source.invalid/report", "--timeout", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("references.bib:0: cannot reach source.invalid (its name does not ")
    assert err.endswith("resolve): are you offline? (nothing was written)\n")
    assert "timed out" not in err
