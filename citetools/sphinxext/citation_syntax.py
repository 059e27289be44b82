"""A citation the role cannot read: a warning at its page and line, with lint's fix.

sphinxcontrib-bibtex's citation roles (not ``footcite``, which parses nothing)
raise on a target they cannot parse
(`{cite:p}`key,``, an empty one, a note without a key, an unclosed `{`), and
Sphinx then stops with a crash report that names neither the page nor a fix.
The roles are registered again (Sphinx's ``add_role``, upstream's public role
classes) as roles that say what ``citetools lint`` says, at the citation, and
leave its text as written in the page; ``-W`` then stops the build there.

A role name with a space before its backticks, or with empty ones, is no role
to MyST: the page shows it as text and nothing runs. Pages where a role name
is not followed by backticks and text are read as lint reads them, for those.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata
from sphinxcontrib.bibtex.domain import BibtexDomain
from sphinxcontrib.bibtex.roles import CiteRole

from citetools import pages
from citetools.pages import unreadable_citation

logger = logging.getLogger(__name__)


class CheckedCiteRole(CiteRole):
    """Upstream's role, or a warning and the citation's text where it cannot read it."""

    def result_nodes(
        self, document: nodes.document, env: Any, node: nodes.Element, is_ref: bool
    ) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        try:
            # Upstream's method is not annotated.
            result: tuple[list[nodes.Node], list[nodes.system_message]]
            result = super().result_nodes(document, env, node, is_ref)  # type: ignore[no-untyped-call]
        except ValueError:  # upstream's "malformed citation target"
            logger.warning(
                unreadable_citation(self.name, self.target),
                location=node,
                type="bibtex",
                subtype="citation_syntax",
            )
            return [nodes.inline(self.rawtext, self.rawtext)], []
        return result


# A role name not followed by a backtick and a character other than a backtick.
_SUSPECT = re.compile(r"\{(?:(?:foot)?cite(?::[a-z]+)?|citation-needed)\}(?!`[^`])")


def check_source(app: Sphinx, docname: str, source: list[str]) -> None:
    if not _SUSPECT.search(source[0]):
        return  # the usual page: every role name is followed by its text
    for problem in pages.scan(app.env.doc2path(docname), source[0]).problems:
        if problem.shown_as_text:
            logger.warning(
                problem.message,
                location=(docname, problem.line),
                type="bibtex",
                subtype="citation_syntax",
            )


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_role("cite", CheckedCiteRole(), override=True)
    for name in BibtexDomain.roles:
        app.add_role_to_domain(BibtexDomain.name, name, CheckedCiteRole(), override=True)
    app.connect("source-read", check_source)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
