"""What the site's build does with a .bib file, without Sphinx: an independent judge.

The build reads the file with pybtex (strict, as sphinxcontrib-bibtex leaves it)
and formats every entry with the FAQ's style; any exception there stops the
build, and a missing field fails it under -W. ``build_problem`` says whether
and why, so tests can hold ``citetools lint`` to it.
"""

from __future__ import annotations

from docutils.nodes import make_id
from pybtex.database import BibliographyData
from pybtex.database.input.bibtex import Parser
from pybtex.exceptions import PybtexError

from citetools.sphinxext.bibstyle import (
    AuthorYearLabels,
    FormattingStyle,
    LabelStyle,
    register_plugins,
)


def read(text: str) -> BibliographyData:
    return Parser().parse_string(text)


def build_problem(text: str) -> str | None:
    """Why the build would stop or fail on ``text``; None when it prints every entry."""
    try:
        data = read(text)
    except PybtexError as error:
        return f"pybtex: {type(error).__name__}: {error}"
    # sphinxcontrib-bibtex gives every entry of the file the anchor make_id(key)
    # (bibtex_cite_id = "{key}") and warns at the second of two alike; a key with no
    # anchor gets `id=""` (an invalid ePub) and citations of it link to `#`.
    anchors: dict[str, str] = {}
    for key in data.entries:
        if not make_id(key):
            return f"sphinx: no citation id for {key}"
        first = anchors.setdefault(make_id(key), key)
        if first != key:
            return f"sphinx: duplicate citation id for {key} (same as {first})"
    register_plugins()
    LabelStyle.database = AuthorYearLabels(data.entries)
    try:
        style = FormattingStyle()
        for label, entry in zip(
            style.format_labels(data.entries.values()), data.entries.values(), strict=True
        ):
            style.format_entry(label, entry).text.render_as("text")
    except (PybtexError, KeyError, UnicodeDecodeError) as error:  # the last from latexcodec
        return f"style: {type(error).__name__}: {error}"
    finally:
        LabelStyle.database = None
    return None
