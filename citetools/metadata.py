"""Bibliographic metadata for ``citetools add``: a DOI's CSL JSON, or a web page's tags.

A DOI is resolved by content negotiation (``Accept: application/vnd.citationstyles.csl+json``)
at ``$CITETOOLS_DOI_RESOLVER`` (default https://doi.org). Crossref answers with its own
type names (``journal-article``, ``book-chapter``, ...) where DataCite answers with CSL's
(``article-journal``, ``chapter``, ...): both are read. A web page is read for, in this
order: Highwire ``citation_*`` tags (used by journals and repositories), JSON-LD, Dublin
Core, OpenGraph, then ``<title>``. The result is plain text per BibTeX field; ``add``
escapes it.

Every request has one overall deadline: a host that answers one byte at a time is given
up on when it passes, not when a single read stalls.
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from citetools.doi import bare_doi
from citetools.linkcheck.doi import DEFAULT_RESOLVER, RESOLVER_VARIABLE, reader_link

if TYPE_CHECKING:
    import socket

CSL_JSON = "application/vnd.citationstyles.csl+json"
USER_AGENT = "citetools/0.1 (co-responder FAQ bibliography tool)"
#: Seconds one request (redirects included) may take before ``add`` gives up.
TIMEOUT = 20.0
MAX_BYTES = 5_000_000


class FetchError(Exception):
    """Why nothing could be read; the message is shown to the contributor as is."""


@dataclass
class Record:
    """What a source says about itself, as one BibTeX entry."""

    type: str
    fields: dict[str, str]
    #: What the source did not say and a person must add, with where to find it.
    missing: list[str] = field(default_factory=list)


# -- Fetching, under one deadline ----------------------------------------------------


def _seconds(value: float) -> str:
    return f"{value:g} s"


class _Deadline:
    """Shuts the request's connections when the time is up, whatever they are waiting for."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self.host = ""
        self.connected = False
        # Duplicates of each connection's socket: TLS takes the original over, and a
        # shutdown through any duplicate ends the connection for all of them.
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(0.01, self.end - time.monotonic())

    def connecting(self, host: str) -> None:
        self.host, self.connected = host, False

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock.dup())
            self.connected = True
            if self.expired:
                self._shut(self._sockets[-1])

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        import socket

        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the connection has ended already

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()


def _opener(deadline: _Deadline) -> Any:
    """A urllib opener whose every connection is bounded by ``deadline``."""
    import http.client
    import socket
    import ssl
    import urllib.request

    def create_connection(
        address: tuple[str, int], timeout: float = 0.0, source_address: Any = None
    ) -> socket.socket:
        deadline.connecting(address[0])
        sock = socket.create_connection(address, deadline.remaining(), source_address)
        deadline.watch(sock)
        return sock

    class Connection(http.client.HTTPConnection):
        def connect(self) -> None:
            self.timeout = deadline.remaining()
            self._create_connection = create_connection
            super().connect()

    class SecureConnection(http.client.HTTPSConnection):
        def connect(self) -> None:
            self.timeout = deadline.remaining()
            self._create_connection = create_connection
            super().connect()

    context = ssl.create_default_context()

    class Handler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Connection, req)

    class SecureHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(SecureConnection, req, context=context)

    return urllib.request.build_opener(Handler(), SecureHandler(context=context))


def fetch(url: str, accept: str, timeout: float = TIMEOUT) -> tuple[bytes, str]:
    """GET ``url``, following redirects, within ``timeout`` seconds; returns (body, charset)."""
    import http.client
    import socket
    import urllib.error
    import urllib.request

    host = urlsplit(url).hostname or url
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": USER_AGENT})

    def too_slow() -> FetchError:
        return FetchError(
            f"timed out after {_seconds(timeout)} waiting for {deadline.host or host}: the "
            "host is up but answering too slowly; try again later, or use --timeout SECONDS"
        )

    with _Deadline(timeout) as deadline:
        try:
            with _opener(deadline).open(request, timeout=timeout) as response:
                body = b""
                while len(body) < MAX_BYTES and (chunk := response.read(65536)):
                    body += chunk
                charset = response.headers.get_content_charset() or ""
        except urllib.error.HTTPError as error:
            if deadline.expired:
                raise too_slow() from None
            where = urlsplit(error.filename or url).hostname or host
            raise FetchError(
                f"{where} answered HTTP {error.code} {error.reason} for {url}: check the address"
            ) from None
        except (OSError, ValueError, http.client.HTTPException) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            # A read's own timeout can beat the deadline's timer by a hair: the same event.
            if deadline.expired or (deadline.connected and isinstance(reason, TimeoutError)):
                raise too_slow() from None
            where = deadline.host or host
            if isinstance(reason, socket.gaierror):
                why = "its name does not resolve"
            elif isinstance(reason, ConnectionRefusedError):
                why = "the connection was refused"
            elif isinstance(reason, TimeoutError):
                why = f"no answer to the connection within {_seconds(timeout)}"
            elif isinstance(reason, OSError) and reason.errno in (101, 113):
                why = "the network is unreachable"
            elif isinstance(error, urllib.error.URLError | http.client.HTTPException):
                why = str(reason)
            else:
                raise FetchError(f"cannot read {url}: {error}") from None
            raise FetchError(f"cannot reach {where} ({why}): are you offline?") from None
    if deadline.expired:
        raise too_slow()
    return body, charset


# -- Text ----------------------------------------------------------------------------

# Block-level markup separates words; inline markup (<i>, <sub>, <scp>) does not.
_BREAK = re.compile(r"<(?:br|p|div|li|h\d|title|subtitle)\b[^>]*>|</(?:p|div|li|h\d)>", re.I)
# A footnote marker at the end of a title (`...in 2020<sup>1</sup>`, `<sup>*</sup>`).
_TRAILING_MARK = re.compile(r"<sup\b[^>]*>\s*(?:<a\b[^>]*>)?[\d*†‡§,\s]*(?:</a>)?\s*</sup>\s*$")
_TAG = re.compile(r"</?[A-Za-z][\w:.-]*\b[^>]*>")


def clean(text: str) -> str:
    """Plain text: markup dropped, HTML entities decoded, whitespace collapsed."""
    text = text.strip()
    # A footnote mark follows a word or a full stop; an exponent follows a symbol
    # (`E = mc<sup>2</sup>`, `in R<sup>3</sup>`) and stays.
    mark = _TRAILING_MARK.search(text)
    if mark and re.search(r"(?:[a-z]{3}|[.)?!\"'’\s])$", text[: mark.start()]):
        text = text[: mark.start()]
    text = _TAG.sub("", _BREAK.sub(" ", text))
    # Twice: publishers' metadata is often encoded twice (`&amp;#8217;`).
    return " ".join(html.unescape(html.unescape(text)).split())


def _year(text: str) -> str:
    found = re.search(r"\b(1[5-9]|20)\d\d\b", text)
    return found.group() if found else ""


_PARTICLES = set(
    "van von der den de da di du del della la le ten ter bin ibn al el dos das do zu y".split()
)
_ORGANISATION_WORDS = re.compile(
    r"\b(?:organi[sz]ation|association|society|institut\w*|universit\w*|college|school|"
    r"department|departement|ministry|minist\w+|office|agency|council|committee|commission|"
    r"government|foundation|stiftung|cent(?:er|re)|bureau|services?|board|group|team|"
    r"network|project|consortium|alliance|coalition|federation|union|inc|ltd|llc|gmbh|corp"
    r"|corporation|company|press|news|online|media|magazine|times|publishing|library|"
    r"hospital|police|city|county|state|national|international|world|editors?|staff)\b",
    re.IGNORECASE,
)
_SUFFIX = re.compile(r"(?:jr|sr|ii|iii|iv)\.?", re.IGNORECASE)


def organisation(name: str) -> str:
    """An organisation as one BibTeX name: braces keep its commas and `and` from splitting it."""
    return "{" + name + "}"


def _has_lowercase_words(name: str) -> bool:
    # People's names have no lowercase words but particles (`van`, `de`); `of`, `für`,
    # `und` belong to names of organisations.
    return any(w[0].islower() and w not in _PARTICLES for w in name.split() if w[0].isalpha())


def _person_words(part: str) -> int:
    return len([w for w in part.split() if w.lower() not in _PARTICLES])


def names(value: str) -> list[str]:
    """BibTeX names for one byline as a page writes it.

    ``Surname, Given`` is one person; ``Given Surname, Given Surname`` two; anything
    else with commas (``SPIEGEL ONLINE, Hamburg, Germany``) or a word that names an
    organisation is one organisation, kept whole in braces.
    """
    value = clean(value).strip(" ,;")
    if not value or value.startswith(("http://", "https://")):
        return []
    if value.startswith("{") and value.endswith("}"):
        return [organisation(value[1:-1].strip())]  # braced already, BibTeX-style
    if ";" in value:
        return [n for part in value.split(";") for n in names(part)]
    if _ORGANISATION_WORDS.search(value) or re.search(r"\d", value):
        return [organisation(value)]  # before `and`: the Bill and Melinda Gates Foundation
    if len(people := re.split(r"\s+(?:and|&)\s+", value)) > 1:
        return [n for person in people for n in names(person)]
    if _has_lowercase_words(value):
        return [organisation(value)]
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if len(parts) == 1:
        return [value]
    if len(parts) == 3 and _SUFFIX.fullmatch(parts[1]):
        return [value]  # `King, Jr., Martin Luther`
    if len(parts) == 2 and _person_words(parts[0]) == 1 and len(parts[1].split()) <= 4:
        return [f"{parts[0]}, {parts[1]}"]
    if all(2 <= len(p.split()) <= 4 for p in parts):
        return parts
    return [organisation(value)]


# -- DOI: CSL JSON -------------------------------------------------------------------

# Crossref's content negotiation answers with Crossref's type names, not CSL's.
_CROSSREF_TYPES = {
    "journal-article": "article-journal",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "book-track": "chapter",
    "reference-entry": "entry",
    "proceedings-article": "paper-conference",
    "dissertation": "thesis",
    "posted-content": "article",
    "report-component": "report",
    "report-series": "report",
    "edited-book": "book",
    "monograph": "book",
    "reference-book": "book",
    "book-set": "book",
    "book-series": "book",
    "component": "dataset",
    "peer-review": "review",
}
_IN_JOURNAL = {"article-journal", "article-magazine", "article-newspaper", "review", "review-book"}
_IN_BOOK = {"chapter", "entry", "entry-dictionary", "entry-encyclopedia"}
_BOOK = {"book", "classic"}
_REPORT = {"report", "standard"}
_EDITION = re.compile(r"\d+")


def doi_metadata(doi: str, timeout: float = TIMEOUT) -> Record:
    """The entry for a DOI, from its registration agency's CSL JSON."""
    base = os.environ.get(RESOLVER_VARIABLE, DEFAULT_RESOLVER).rstrip("/")
    body, _ = fetch(f"{base}/{quote(doi, safe='/')}", CSL_JSON, timeout)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FetchError(f"the DOI resolver did not return citation data for {doi}") from None
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise FetchError(f"the DOI resolver did not return citation data for {doi}")
    return from_csl(data, doi)


def _text(value: Any) -> str:
    """CSL strings arrive as strings, numbers or lists of them (Crossref)."""
    if isinstance(value, list):
        value = next((v for v in value if v), "")
    return clean(str(value)) if isinstance(value, str | int | float) else ""


def _csl_name(person: Any) -> str:
    if not isinstance(person, dict):
        return ""
    literal = _text(person.get("literal") or person.get("name"))
    if literal:
        return organisation(literal)
    family = " ".join(_text(person.get(p)) for p in ("non-dropping-particle", "family"))
    given = " ".join(_text(person.get(p)) for p in ("given", "dropping-particle"))
    suffix = _text(person.get("suffix"))
    parts = [family.strip()] + ([suffix] if suffix else []) + [given.strip()]
    return ", ".join(p for p in parts if p)


def _csl_names(people: Any) -> str:
    people = people if isinstance(people, list) else []
    return " and ".join(n for n in map(_csl_name, people) if n)


# Dates of publication, most telling first; `created`, `deposited` and `indexed` are
# when the DOI was registered or its record last touched, never the work's year.
_PUBLICATION_DATES = ("issued", "published-print", "published-online", "published")


def _date_year(date: Any) -> str:
    if not isinstance(date, dict):
        return ""
    parts = date.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        first = parts[0][0]
        if isinstance(first, int | str) and re.fullmatch(r"\d{4}", str(first).strip()):
            return str(first).strip()
    return _year(str(date.get("raw") or date.get("literal") or ""))


def csl_year(data: dict[str, Any]) -> str:
    """The year of publication, or "" when the record gives none."""
    issue = data.get("journal-issue")
    issue = issue if isinstance(issue, dict) else {}
    dates = [data.get(name) for name in _PUBLICATION_DATES]
    dates += [issue.get(name) for name in ("published-print", "published-online")]
    # A preprint's publication is its posting; a thesis's, the award of its degree.
    dates += [data.get("posted"), data.get("approved")]
    return next((year for year in map(_date_year, dates) if year), "")


def _institution(data: dict[str, Any]) -> str:
    institutions = data.get("institution")
    if isinstance(institutions, list) and institutions and isinstance(institutions[0], dict):
        return _text(institutions[0].get("name"))
    return _text(institutions)


def _title(data: dict[str, Any]) -> str:
    title = _text(data.get("title"))
    subtitle = _text(data.get("subtitle"))
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}{'' if title[-1:] in '?!:.' else ':'} {subtitle}"
    return title


def from_csl(data: dict[str, Any], doi: str) -> Record:
    kind = str(data.get("type", "")).lower()
    kind = _CROSSREF_TYPES.get(kind, kind)
    container = _text(data.get("container-title"))
    publisher = _text(data.get("publisher"))
    institution = _institution(data)
    fields = {"author": _csl_names(data.get("author")), "editor": _csl_names(data.get("editor"))}
    fields["title"] = _title(data)
    # A record without a container cannot be printed as a journal article or a chapter:
    # it is cited as what it is, published by whoever published it.
    if kind in _IN_JOURNAL and container:
        entry_type = "article"
        fields["journal"] = container
    elif kind in _IN_BOOK and container:
        entry_type = "incollection"
        fields["booktitle"] = container
        fields["publisher"] = publisher
    elif kind == "paper-conference" and container:
        entry_type = "inproceedings"
        fields["booktitle"] = container
        fields["publisher"] = publisher
    elif kind in _BOOK:
        entry_type = "book"
        fields["publisher"] = publisher
    elif kind in _REPORT:
        entry_type = "techreport"
        fields["institution"] = institution or publisher
    elif kind == "thesis":
        degree = " ".join([_text(data.get("genre")), _text(data.get("degree"))]).lower()
        entry_type = "mastersthesis" if "master" in degree else "phdthesis"
        fields["school"] = institution or publisher
    else:
        entry_type = "misc"
        fields["howpublished"] = container or institution or publisher
    if entry_type in ("book", "incollection"):
        fields["address"] = _text(data.get("publisher-place"))
        edition = _EDITION.search(_text(data.get("edition")))
        if edition and edition.group() != "1":
            fields["edition"] = edition.group()
    if entry_type != "misc":
        fields["volume"] = _text(data.get("volume"))
    fields["number"] = _text(data.get("issue") or data.get("number"))
    # An article number stands where the page range would: the style prints `15:20170387`.
    pages = _text(data.get("page")) or _text(data.get("article-number"))
    fields["pages"] = re.sub(r"\s*[-–—]+\s*", "--", pages)
    fields["year"] = csl_year(data)
    if entry_type in ("book", "incollection"):
        fields["isbn"] = _text(data.get("ISBN"))
    fields["doi"] = doi
    missing = []
    if not fields["year"]:
        missing.append(
            f"the DOI record gives no date of publication (only when the DOI was registered, "
            f"which is not the work's year): add `year = {{YYYY}}` as printed on the "
            f"source, {reader_link(doi)}"
        )
    return Record(entry_type, {k: v for k, v in fields.items() if v}, missing)


# -- Web pages -----------------------------------------------------------------------


class _MetaReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.json_ld: list[str] = []
        self.title = ""
        self._in: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            name = values.get("name") or values.get("property") or values.get("itemprop")
            if name and values.get("content", "").strip():
                self.meta.setdefault(name.lower(), []).append(values["content"])
        elif tag == "script" and values.get("type", "").lower() == "application/ld+json":
            self._in, self._buffer = "json", []
        elif tag == "title" and not self.title and self._in is None:
            self._in, self._buffer = "title", []
        elif self._in == "title":
            # Python's parser reads markup inside <title>; keep it for clean() to judge.
            self._buffer.append(self.get_starttag_text() or "")

    def handle_data(self, data: str) -> None:
        if self._in:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._in == "json" and tag == "script":
            self.json_ld.append("".join(self._buffer))
            self._in = None
        elif self._in == "title" and tag == "title":
            self.title = clean("".join(self._buffer))
            self._in = None
        elif self._in == "title":
            self._buffer.append(f"</{tag}>")


def _json_ld_nodes(texts: Iterable[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            found.append(node)
            # A page's work sits at the top, in a @graph, or as a WebPage's mainEntity;
            # works nested elsewhere (`citation`, `isPartOf`) are other works.
            walk(node.get("@graph", []))
            walk(node.get("mainEntity", []))

    for text in texts:
        text = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", text.strip())
        try:
            walk(json.loads(text, strict=False))
        except json.JSONDecodeError:
            continue
    return found


def _ld_types(node: dict[str, Any]) -> list[str]:
    """``https://schema.org/Dataset``, ``schema:Dataset`` and ``Dataset`` alike."""
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return [re.split(r"[/#:]", k)[-1] for k in kinds if isinstance(k, str) and k]


_LD_WORKS = ("ScholarlyArticle", "MedicalScholarlyArticle", "NewsArticle", "ReportageNewsArticle",
             "AnalysisNewsArticle", "OpinionNewsArticle", "Article", "TechArticle",
             "BlogPosting", "Report", "Thesis", "Book", "Chapter", "Dataset", "CreativeWork",
             "WebPage")  # fmt: skip
_LD_PEOPLE = {"Person"}


class _JsonLd:
    """The main work a page's JSON-LD describes, with ``@id`` references followed."""

    def __init__(self, nodes: list[dict[str, Any]]) -> None:
        self.by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}

        def rank(node: dict[str, Any]) -> int:
            ranks = [_LD_WORKS.index(k) for k in _ld_types(node) if k in _LD_WORKS]
            return min(ranks) if ranks else len(_LD_WORKS)

        works = sorted((n for n in nodes if rank(n) < len(_LD_WORKS)), key=rank)
        self.work: dict[str, Any] = works[0] if works else {}

    def resolve(self, node: Any) -> Any:
        if isinstance(node, dict) and set(node) == {"@id"}:
            return self.by_id.get(node["@id"], {})
        return node

    def items(self, name: str) -> Iterator[Any]:
        value = self.work.get(name)
        for item in value if isinstance(value, list) else [value]:
            if item:
                yield self.resolve(item)

    def text(self, *names: str) -> str:
        for name in names:
            for item in self.items(name):
                value = item.get("name") if isinstance(item, dict) else item
                if isinstance(value, str | int) and clean(str(value)):
                    return clean(str(value))
        return ""

    def people(self, name: str) -> list[str]:
        found: list[str] = []
        for item in self.items(name):
            if isinstance(item, str):
                found += names(item)
                continue
            if not isinstance(item, dict):
                continue
            full = clean(str(item.get("name") or ""))
            kinds = _ld_types(item)
            if kinds and not _LD_PEOPLE.intersection(kinds):
                found += [organisation(full)] if full else []  # Organization, NewsMediaOrganization
                continue
            family = clean(str(item.get("familyName") or ""))
            given = clean(str(item.get("givenName") or ""))
            if family and given:
                found.append(f"{family}, {given}")
            else:
                found += names(full or family)
        return found


def _names_joined(values: Iterable[str]) -> str:
    seen: list[str] = []
    for name in values:
        if name and name not in seen:
            seen.append(name)
    return " and ".join(seen)


def page_metadata(url: str, timeout: float = TIMEOUT) -> Record:
    """The entry for a web page, from its own metadata only."""
    body, charset = fetch(url, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1", timeout)
    reader = _MetaReader()
    reader.feed(_decode(body, charset))
    reader.close()
    return from_page(url, reader.meta, _JsonLd(_json_ld_nodes(reader.json_ld)), reader.title)


def from_page(url: str, meta: dict[str, list[str]], ld: _JsonLd, page_title: str) -> Record:
    def one(*tags: str) -> str:
        for tag in tags:
            for value in meta.get(tag, []):
                if (text := clean(value)) and not text.startswith(("http://", "https://")):
                    return text
        return ""

    def every(*tags: str) -> list[str]:
        return [name for tag in tags for value in meta.get(tag, []) for name in names(value)]

    publisher = (
        one("citation_publisher", "dc.publisher", "dcterms.publisher")
        or ld.text("publisher")
        or one("publisher", "article:publisher")
    )
    site = publisher or one("og:site_name")
    title = (
        one("citation_title")
        or ld.text("headline", "name")
        or one("dc.title", "dcterms.title", "og:title", "twitter:title")
        or _without_site(page_title, [site, one("og:site_name")])
    )
    # Every author the page names: Highwire tags one per author, Dublin Core creators and
    # then contributors; a lone `author` tag last, as it often holds the site's name.
    authors = (
        _names_joined(every("citation_author", "citation_authors"))
        or _names_joined(ld.people("author") or ld.people("creator"))
        or _names_joined(
            every("dc.creator", "dcterms.creator", "dc.contributor", "dcterms.contributor")
        )
        or _names_joined(every("author", "article:author"))
    )
    date = (
        one("citation_publication_date", "citation_date", "citation_online_date")
        or one("citation_year")
        or ld.text("datePublished", "dateCreated")
        or one("dc.date", "dcterms.issued", "dcterms.date", "dc.date.issued", "dcterms.created")
        or one("article:published_time", "date", "dc.date.created")
    )
    fields = {"author": authors, "title": title, "year": _year(date)}
    journal = one("citation_journal_title")
    institution = one("citation_technical_report_institution", "citation_dissertation_institution")
    book = one("citation_inbook_title", "citation_conference_title")
    isbn = one("citation_isbn") or ld.text("isbn")
    if journal:
        entry_type = "article"
        fields["journal"] = journal
    elif one("citation_technical_report_institution"):
        entry_type = "techreport"
        fields["institution"] = institution
        fields["number"] = one("citation_technical_report_number")
    elif one("citation_dissertation_institution"):
        entry_type = "phdthesis"
        fields["school"] = institution
    elif book:
        entry_type = "incollection" if one("citation_inbook_title") else "inproceedings"
        fields["booktitle"] = book
        fields["publisher"] = publisher
    elif isbn:
        entry_type = "book"
        fields["publisher"] = publisher or site
    else:
        entry_type = "misc"
        fields["howpublished"] = site
    if not fields["author"] and site:
        # A page without a byline is cited by the organisation that publishes it.
        fields["author"] = organisation(site)
    fields["volume"] = one("citation_volume")
    fields["number"] = fields.get("number") or one("citation_issue")
    first, last = one("citation_firstpage"), one("citation_lastpage")
    fields["pages"] = f"{first}--{last}" if first and last and first != last else first
    fields["isbn"] = isbn
    # A DOI is often written as its doi.org address, which one() passes over.
    dois = (bare_doi(clean(v)) for t in ("citation_doi", "dc.identifier", "prism.doi")
            for v in meta.get(t, []))  # fmt: skip
    doi = next(filter(None, dois), None)
    fields["doi"] = doi or bare_doi(str(ld.work.get("@id") or "")) or ""
    fields["url"] = url
    missing = []
    if not fields["year"]:
        missing.append(
            "the page's metadata gives no date of publication: add `year = {YYYY}` as the "
            "page shows it (a dateline, a report's cover); if it shows none, ask a maintainer"
        )
    return Record(entry_type, {k: v for k, v in fields.items() if v}, missing)


def _without_site(title: str, sites: list[str]) -> str:
    """``Annual report - ORCID`` -> ``Annual report``: a <title> often ends with the site."""
    for site in filter(None, sites):
        for separator in (" | ", " - ", " – ", " — ", " :: "):
            if title.lower().endswith((separator + site).lower()):
                return title[: -len(separator + site)].strip()
    return title


def _decode(body: bytes, charset: str) -> str:
    if not charset:
        head = body[:2048].decode("ascii", "ignore")
        found = re.search(r"""<meta[^>]+charset=["']?([\w-]+)""", head, re.IGNORECASE)
        charset = found.group(1) if found else "utf-8"
    try:
        return body.decode(charset, "replace")
    except LookupError:
        return body.decode("utf-8", "replace")
