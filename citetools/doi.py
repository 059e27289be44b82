"""How a DOI is written, for every tool that reads one: the bare DOI, the prefixes
contributors paste before it, and a resolver link to it."""

from __future__ import annotations

import re
from urllib.parse import unquote

#: A DOI: the directory indicator "10.", a registrant code, a slash and the item's suffix.
DOI = re.compile(r"10\.\d{4,9}/\S+")
# The resolver's addresses: doi.org and the older dx.doi.org, with or without a scheme.
_RESOLVER = r"(?:https?://)?(?:dx\.)?doi\.org/"
#: What stands before a DOI pasted from a reference list or a browser: "doi:" or a resolver.
DOI_PREFIX = re.compile(rf"^(?:doi:\s*|{_RESOLVER})", re.IGNORECASE)
#: A link through the resolver; its query and fragment are not part of the DOI.
DOI_LINK = re.compile(rf"(?=https?://){_RESOLVER}(?P<doi>10\.[^#?]+)(?:[?#].*)?", re.IGNORECASE)


def bare_doi(text: str) -> str | None:
    """``10.xxxx/...`` from a DOI, ``doi:...`` or a doi.org address; None for anything else."""
    candidate = unquote(DOI_PREFIX.sub("", text.strip()))
    return candidate if DOI.fullmatch(candidate) else None
