"""The names a bibliography's ``:filter:`` reads, and the ones in it that read nothing.

sphinxcontrib-bibtex evaluates the expression once per entry. ``docname``,
``docnames``, ``key``, ``type``, ``cited``, ``author`` and ``editor`` are its
own names, spelt exactly so (its filter visitor, 2.7); any other name is the
entry's field of that name, in any letter case, and a field the entry lacks is
the empty string (names are persons, not fields: ``Author`` is empty too). A
misspelt name (``docname in docnmes``) is therefore empty for every entry, and
the answer's Sources list silently shows nothing. Lint and the build name it.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable, Mapping
from typing import Any

FILTER_NAMES = ("docname", "docnames", "key", "type", "cited", "author", "editor")
_PERSONS = {"author", "editor"}


def unknown_names(expression: str | ast.AST, fields: Iterable[str]) -> list[str]:
    """Names in *expression* (as written, or as sphinxcontrib-bibtex parsed it) that
    are neither the filter's own nor one of *fields*."""
    try:
        tree = expression if isinstance(expression, ast.AST) else ast.parse(expression.strip())
    except SyntaxError:
        return []  # sphinxcontrib-bibtex warns of that itself
    known_fields = {name.lower() for name in fields} - _PERSONS
    found = (node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
    unknown = (n for n in found if n not in FILTER_NAMES and n.lower() not in known_fields)
    return list(dict.fromkeys(unknown))


def unknown_name_message(name: str, fields: Iterable[str]) -> str:
    if name.lower() in FILTER_NAMES:
        return (
            f"`:filter:` reads `{name}`, which is empty for every entry: the filter's own "
            f"names are written in lower case, `{name.lower()}`"
        )
    nearest = difflib.get_close_matches(name.lower(), [*FILTER_NAMES, *fields], n=1)
    fix = (
        f"did you mean `{nearest[0]}`?"
        if nearest
        else "use " + ", ".join(f"`{n}`" for n in FILTER_NAMES) + " or a field the entries have"
    )
    return (
        f"`:filter:` reads `{name}`, which is neither one of the filter's names nor a field "
        f"of any entry, so it is empty for every entry: {fix}"
    )


def entry_fields(entries: Mapping[str, Any]) -> list[str]:
    """Every field name of pybtex's *entries*, in lower case: what a filter may read."""
    return sorted({name.lower() for entry in entries.values() for name in entry.fields})


def misspelt_names(
    expression: str | ast.AST, entries: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """The names in *expression* that no entry of pybtex's *entries* has, and the
    entries' fields (read only when a name is not the filter's own)."""
    if not unknown_names(expression, ()):
        return [], []  # the filter's own names only, as in `docname in docnames`
    fields = entry_fields(entries)
    return unknown_names(expression, fields), fields
