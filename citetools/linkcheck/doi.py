"""DOIs are checked against the resolver's registration record, not the publisher's page.

Publishers' landing pages sit behind bot walls and redirect through cookie checks, so a
DOI link followed to the publisher fails for reasons unrelated to the DOI. The DOI
proxy's REST API (DOI Handbook, "REST API Request Format": ``GET {resolver}/api/handles/
<doi>``) answers 200 for a registered DOI and 404 ("Handle Not Found") for an unknown one,
which is the question a bibliography needs answered.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from citetools.doi import DOI_LINK

#: Overrides the resolver, e.g. a fake on 127.0.0.1 in tests.
RESOLVER_VARIABLE = "CITETOOLS_DOI_RESOLVER"
DEFAULT_RESOLVER = "https://doi.org"
#: The reader-facing DOI link, as the bibliography style renders it.
READER_RESOLVER = "https://doi.org/"


def reader_link(doi: str) -> str:
    return READER_RESOLVER + doi


def registration_url(doi: str, base: str) -> str:
    return f"{base}/api/handles/{quote(doi, safe='/')}"


def checked_uri(uri: str, base: str) -> str:
    """The URL linkcheck requests for ``uri``: DOI links become registration checks."""
    match = DOI_LINK.fullmatch(uri)
    if not match:
        return uri
    return registration_url(unquote(match["doi"]), base)
