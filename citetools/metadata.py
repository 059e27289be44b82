"""Bibliographic metadata for ``citetools add``: a DOI's CSL JSON, or a web page's tags.

A DOI is resolved by content negotiation (``Accept: application/vnd.citationstyles.csl+json``)
at ``$CITETOOLS_DOI_RESOLVER`` (default https://doi.org). A web page is read for, in
this order: Highwire ``citation_*`` tags (used by journals and repositories),
JSON-LD, Dublin Core, OpenGraph, then ``<title>``. The result is plain text per
BibTeX field; ``add`` escapes it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

from citetools.doi import DOI, DOI_PREFIX
from citetools.linkcheck.doi import DEFAULT_RESOLVER, RESOLVER_VARIABLE

CSL_JSON = "application/vnd.citationstyles.csl+json"
USER_AGENT = "citetools/0.1 (co-responder FAQ bibliography tool)"
TIMEOUT = 20
MAX_BYTES = 5_000_000


class FetchError(Exception):
    """Why nothing could be read; the message is shown to the contributor as is."""


def bare_doi(text: str) -> str | None:
    """``10.xxxx/...`` from a DOI, ``doi:...`` or a doi.org address; None for anything else."""
    candidate = urllib.parse.unquote(DOI_PREFIX.sub("", text.strip()))
    return candidate if DOI.fullmatch(candidate) else None


def fetch(url: str, accept: str) -> tuple[bytes, str]:
    """GET ``url``, following redirects; returns (body, charset)."""
    host = urllib.parse.urlsplit(url).hostname or url
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body = response.read(MAX_BYTES)
            charset = response.headers.get_content_charset() or ""
            return body, charset
    except urllib.error.HTTPError as error:
        raise FetchError(
            f"{host} answered HTTP {error.code} {error.reason} for {url}: check the address"
        ) from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, socket.gaierror):
            why = "its name does not resolve"
        elif isinstance(reason, ConnectionRefusedError):
            why = "the connection was refused"
        elif isinstance(reason, TimeoutError):
            why = "it did not answer in time"
        else:
            why = str(reason)
        raise FetchError(f"cannot reach {host} ({why}): are you offline?") from None
    except TimeoutError:
        raise FetchError(
            f"cannot reach {host} (it did not answer in time): are you offline?"
        ) from None
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise FetchError(f"cannot read {url}: {error}") from None


# -- DOI ---------------------------------------------------------------------------

_CSL_TYPES = {
    "article-journal": "article",
    "article": "article",
    "review": "article",
    "book": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "thesis": "phdthesis",
}


def doi_metadata(doi: str) -> tuple[str, dict[str, str]]:
    """(entry type, fields) for a DOI."""
    base = os.environ.get(RESOLVER_VARIABLE, DEFAULT_RESOLVER).rstrip("/")
    body, _ = fetch(f"{base}/{urllib.parse.quote(doi, safe='/')}", CSL_JSON)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FetchError(f"the DOI resolver did not return citation data for {doi}") from None
    if not isinstance(data, dict):
        raise FetchError(f"the DOI resolver did not return citation data for {doi}")
    return from_csl(data, doi)


def _first(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return _clean(str(value)) if value is not None else ""


def _clean(text: str) -> str:
    """Plain text: markup from publishers' titles dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def _csl_name(person: dict) -> str:
    if person.get("literal"):
        return "{" + _clean(person["literal"]) + "}"
    family = " ".join(
        _clean(str(person[p])) for p in ("non-dropping-particle", "family") if person.get(p)
    )
    given = _clean(str(person.get("given", "")))
    suffix = _clean(str(person.get("suffix", "")))
    parts = [family] + ([suffix] if suffix else []) + ([given] if given else [])
    return ", ".join(p for p in parts if p)


def _csl_year(data: dict) -> str:
    for name in ("issued", "published-print", "published-online", "created"):
        parts = (data.get(name) or {}).get("date-parts") or [[]]
        if parts and parts[0] and parts[0][0]:
            return str(parts[0][0])
    return ""


def from_csl(data: dict, doi: str) -> tuple[str, dict[str, str]]:
    kind = str(data.get("type", ""))
    entry_type = _CSL_TYPES.get(kind, "misc")
    fields: dict[str, str] = {}
    authors = [_csl_name(p) for p in data.get("author") or [] if isinstance(p, dict)]
    editors = [_csl_name(p) for p in data.get("editor") or [] if isinstance(p, dict)]
    if authors:
        fields["author"] = " and ".join(a for a in authors if a)
    if editors:
        fields["editor"] = " and ".join(e for e in editors if e)
    fields["title"] = _first(data.get("title"))
    container = _first(data.get("container-title"))
    publisher = _first(data.get("publisher"))
    if entry_type == "article":
        fields["journal"] = container
    elif entry_type in ("incollection", "inproceedings"):
        fields["booktitle"] = container
    elif entry_type == "techreport":
        fields["institution"] = publisher
    elif entry_type == "phdthesis":
        fields["school"] = publisher
    elif entry_type == "misc" and (container or publisher):
        fields["howpublished"] = container or publisher
    if entry_type in ("book", "incollection", "inproceedings") and publisher:
        fields["publisher"] = publisher
    fields["volume"] = _first(data.get("volume"))
    fields["number"] = _first(data.get("issue") or data.get("number"))
    fields["pages"] = re.sub(r"\s*[-–]\s*", "--", _first(data.get("page")))
    fields["year"] = _csl_year(data)
    fields["isbn"] = _first(data.get("ISBN"))
    fields["doi"] = doi
    return entry_type, {k: v for k, v in fields.items() if v}


# -- Web pages -----------------------------------------------------------------------


class _MetaReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.json_ld: list[str] = []
        self.title = ""
        self._in: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            name = attrs.get("name") or attrs.get("property") or attrs.get("itemprop")
            if name and attrs.get("content", "").strip():
                self.meta.setdefault(name.lower(), []).append(_clean(attrs["content"]))
        elif tag == "script" and attrs.get("type", "").lower() == "application/ld+json":
            self._in, self._buffer = "json", []
        elif tag == "title" and not self.title:
            self._in, self._buffer = "title", []

    def handle_data(self, data):
        if self._in:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if self._in == "json" and tag == "script":
            self.json_ld.append("".join(self._buffer))
            self._in = None
        elif self._in == "title" and tag == "title":
            self.title = _clean("".join(self._buffer))
            self._in = None


def _json_ld_objects(texts: list[str]) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            found.append(node)
            walk(node.get("@graph", []))

    for text in texts:
        try:
            walk(json.loads(text))
        except json.JSONDecodeError:
            continue
    return found


_LD_TYPES = ("ScholarlyArticle", "NewsArticle", "Article", "BlogPosting", "Report", "Book",
             "WebPage", "CreativeWork")  # fmt: skip


def _ld_name(node) -> str:
    if isinstance(node, dict):
        name = _clean(str(node.get("name", "")))
        return "{" + name + "}" if name and node.get("@type") == "Organization" else name
    return _clean(str(node)) if isinstance(node, str) else ""


def _from_json_ld(objects: list[dict]) -> dict[str, str]:
    def type_rank(obj):
        kinds = obj.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        ranks = [_LD_TYPES.index(k) for k in kinds if k in _LD_TYPES]
        return min(ranks) if ranks else None

    ranked = [o for o in objects if type_rank(o) is not None]
    if not ranked:
        return {}
    best = min(ranked, key=type_rank)
    authors = best.get("author") or []
    authors = authors if isinstance(authors, list) else [authors]
    publisher = best.get("publisher")
    return {
        "title": _clean(str(best.get("headline") or best.get("name") or "")),
        "author": " and ".join(n for n in (_ld_name(a) for a in authors) if n),
        "date": _clean(str(best.get("datePublished") or best.get("dateCreated") or "")),
        "site": _ld_name(publisher).strip("{}") if publisher else "",
        "isbn": _clean(str(best.get("isbn") or "")),
    }


def _names(values: list[str]) -> str:
    # Profile links (OpenGraph's article:author) are not names.
    return " and ".join(v for v in values if v and not v.startswith("http"))


def page_metadata(url: str) -> tuple[str, dict[str, str]]:
    """(entry type, fields) for a web page, from its own metadata only."""
    body, charset = fetch(url, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
    text = _decode(body, charset)
    reader = _MetaReader()
    reader.feed(text)
    meta = reader.meta
    ld = _from_json_ld(_json_ld_objects(reader.json_ld))

    def one(*names: str) -> str:
        for name in names:
            if meta.get(name):
                return meta[name][0]
        return ""

    def many(*names: str) -> str:
        for name in names:
            if found := _names(meta.get(name, [])):
                return found
        return ""

    site = (
        one("citation_publisher", "og:site_name")
        or ld.get("site", "")
        or one("dc.publisher", "dcterms.publisher")
    )
    fields = {
        "title": one("citation_title") or ld.get("title", "")
        or one("dc.title", "dcterms.title", "og:title", "twitter:title") or reader.title,
        "author": many("citation_author") or ld.get("author", "")
        or many("dc.creator", "dcterms.creator", "author", "article:author"),
    }  # fmt: skip
    date = (
        one("citation_publication_date", "citation_date", "citation_online_date", "citation_year")
        or ld.get("date", "")
        or one("dc.date", "dcterms.date", "dcterms.issued", "article:published_time", "date")
    )
    if found := re.search(r"\b(1[5-9]|20)\d\d\b", date):
        fields["year"] = found.group()
    journal = one("citation_journal_title")
    institution = one("citation_technical_report_institution", "citation_dissertation_institution")
    book = one("citation_inbook_title", "citation_conference_title")
    isbn = one("citation_isbn") or ld.get("isbn", "")
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
    elif isbn:
        entry_type = "book"
        fields["publisher"] = site
    else:
        entry_type = "misc"
        fields["howpublished"] = site
    if not fields["author"] and site:
        # A page without a byline is cited by the organisation that publishes it.
        fields["author"] = "{" + site + "}"
    fields["volume"] = one("citation_volume")
    fields["number"] = fields.get("number") or one("citation_issue")
    first, last = one("citation_firstpage"), one("citation_lastpage")
    fields["pages"] = f"{first}--{last}" if first and last else first
    fields["isbn"] = isbn
    doi = bare_doi(one("citation_doi", "dc.identifier", "prism.doi"))
    if doi:
        fields["doi"] = doi
    fields["url"] = url
    return entry_type, {k: v for k, v in fields.items() if v}


def _decode(body: bytes, charset: str) -> str:
    if not charset:
        head = body[:2048].decode("ascii", "ignore")
        found = re.search(r"""<meta[^>]+charset=["']?([\w-]+)""", head, re.IGNORECASE)
        charset = found.group(1) if found else "utf-8"
    try:
        return body.decode(charset, "replace")
    except LookupError:
        return body.decode("utf-8", "replace")
