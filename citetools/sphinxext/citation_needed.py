"""The ``{citation-needed}`reason``` role and the page that lists every marker.

A claim the research could not source keeps the authors' wording and gets a
visible superscript "[citation needed]". The reason shows on hover and on
keyboard focus, and the marker links to the entry for it on the page holding
the ``claims-awaiting-sources`` directive, which lists every marker of the site.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from citetools.findings import plural

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata
    from sphinx.writers.html5 import HTML5Translator
    from sphinx.writers.text import TextTranslator

logger = logging.getLogger(__name__)

MARKER_TEXT = "[citation needed]"


@dataclass(frozen=True)
class Claim:
    docname: str
    lineno: int
    anchor: str  # id of the marker on its own page
    reason: str
    claim: str  # the sentence the marker follows


class citation_needed(nodes.Inline, nodes.Element):
    """A marker; ``refuri`` is filled in once the report page is known."""


class claims_list(nodes.General, nodes.Element):
    """Stands in for the report until every page has been read."""


class CitationNeededRole(SphinxRole):
    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        reason = " ".join(self.text.split())
        if not reason:
            logger.warning(
                "citation-needed marker without a reason: write "
                "{citation-needed}`why no source supports this`",
                location=self.get_location(),
                type="citation_needed",
                subtype="reason",
            )
        node = citation_needed(reason=reason)
        self.set_source_info(node)
        return [node], []


class ClaimsAwaitingSources(Directive):
    def run(self) -> list[nodes.Node]:
        env: BuildEnvironment = self.state.document.settings.env
        _set_report_page(env, env.docname)
        return [claims_list()]


def _claim_sentence(marker: citation_needed) -> str:
    paragraph: nodes.Element | None = marker.parent
    while paragraph is not None and not isinstance(paragraph, nodes.TextElement):
        paragraph = paragraph.parent
    if paragraph is None:
        return ""
    before = []
    for node in paragraph.findall(lambda n: n is marker or isinstance(n, nodes.Text)):
        if node is marker:
            break
        # Other markers' reasons and unresolved citations (their raw keys) are
        # not part of what the authors wrote.
        if not any(
            isinstance(a, (citation_needed, addnodes.pending_xref)) for a in _ancestors(node)
        ):
            before.append(node.astext())
    # A citation taken out leaves a space before the punctuation that followed it.
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join("".join(before).split()))
    sentences = re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", text)
    return sentences[-1] if sentences else ""


def _ancestors(node: nodes.Node) -> Iterator[nodes.Element]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def collect_claims(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    claims = []
    for number, marker in enumerate(doctree.findall(citation_needed), start=1):
        anchor = f"citation-needed-{number}"
        marker["ids"] = [anchor]
        # The singlehtml builder resolves every page's markers as the root page's.
        marker["docname"] = env.docname
        claims.append(
            Claim(
                docname=env.docname,
                lineno=marker.line or 0,
                anchor=anchor,
                reason=marker["reason"],
                claim=_claim_sentence(marker),
            )
        )
    _all_claims(env)[env.docname] = claims


# The markers and the report page live on the environment, so that they are pickled
# with it and survive incremental builds.
def _all_claims(env: BuildEnvironment) -> dict[str, list[Claim]]:
    claims: dict[str, list[Claim]] = vars(env).setdefault("citation_needed_claims", {})
    return claims


def _report_page(env: BuildEnvironment) -> str | None:
    page: str | None = vars(env).get("citation_needed_report")
    return page


def _set_report_page(env: BuildEnvironment, docname: str | None) -> None:
    if docname is None:
        vars(env).pop("citation_needed_report", None)
    else:
        vars(env)["citation_needed_report"] = docname


def _report_anchor(docname: str, anchor: str) -> str:
    return nodes.make_id(f"{docname}-{anchor}")


def purge_claims(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _all_claims(env).pop(docname, None)
    if _report_page(env) == docname:
        _set_report_page(env, None)


def merge_claims(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    _all_claims(env).update({d: c for d, c in _all_claims(other).items() if d in docnames})
    report = _report_page(other)
    if report in docnames:
        _set_report_page(env, report)


def report_is_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """The report depends on every page: rebuild it whenever any page changes."""
    report = _report_page(env)
    if report and (added | changed | removed) - {report}:
        return [report]
    return []


def resolve_markers(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    builder = app.builder
    report = _report_page(app.env)
    for marker in doctree.findall(citation_needed):
        if report:
            marker["refuri"] = (
                builder.get_relative_uri(fromdocname, report)
                + "#"
                + _report_anchor(marker.get("docname", fromdocname), marker["ids"][0])
            )
    for placeholder in doctree.findall(claims_list):
        placeholder.replace_self(_report(app, fromdocname))


def _report(app: Sphinx, fromdocname: str) -> list[nodes.Element]:
    env = app.env
    builder = app.builder
    all_claims = _all_claims(env)
    pages = sorted((d for d in all_claims if all_claims[d]), key=_reading_order(env))
    total = sum(len(all_claims[d]) for d in pages)
    summary = nodes.paragraph(
        text=(
            "No claim is waiting for a source."
            if not total
            else f"{plural(total, 'claim')} on {plural(len(pages), 'page')} "
            f"{_await(total)} a source."
        )
    )
    result: list[nodes.Element] = [summary]
    for docname in pages:
        title = env.titles[docname].astext() if docname in env.titles else docname
        section = nodes.section(ids=[nodes.make_id(f"claims-{docname}")])
        section += nodes.title(text=title)
        items = nodes.bullet_list()
        for claim in all_claims[docname]:
            item = nodes.list_item(ids=[_report_anchor(docname, claim.anchor)])
            para = nodes.paragraph()
            uri = builder.get_relative_uri(fromdocname, docname) + "#" + claim.anchor
            if claim.claim:
                para += nodes.Text("“")
                para += nodes.reference(claim.claim, claim.claim, refuri=uri, internal=True)
                para += nodes.Text("”")
            else:
                para += nodes.reference(title, title, refuri=uri, internal=True)
            item += para
            item += nodes.paragraph(text=f"Why a source is needed: {claim.reason}")
            items += item
        section += items
        result.append(section)
    return result


def _reading_order(env: BuildEnvironment) -> Callable[[str], tuple[int, str]]:
    order = {name: i for i, name in enumerate(_toctree_order(env))}
    return lambda docname: (order.get(docname, len(order)), docname)


def _toctree_order(env: BuildEnvironment) -> list[str]:
    seen: list[str] = []

    def walk(docname: str) -> None:
        if docname in seen:
            return
        seen.append(docname)
        for child in env.toctree_includes.get(docname, []):
            walk(child)

    walk(env.config.root_doc)
    return seen


def report_count(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None:
        return
    claims = _all_claims(app.env)
    total = sum(len(c) for c in claims.values())
    report = _report_page(app.env)
    where = f" (listed on {report})" if report else ""
    logger.info(f"citation needed: {plural(total, 'claim')} {_await(total)} a source{where}")


def _await(count: int) -> str:
    return "awaits" if count == 1 else "await"


def visit_citation_needed_html(self: HTML5Translator, node: nodes.Element) -> None:
    reason = self.attval(node["reason"])
    ids = " ".join(node["ids"])
    self.body.append(f'<sup class="citation-needed" id="{ids}">')
    href = f' href="{self.attval(node["refuri"])}"' if node.get("refuri") else ""
    self.body.append(
        f'<a class="citation-needed-link"{href} title="{reason}" data-reason="{reason}">'
        f"{MARKER_TEXT}</a>"
    )
    self.body.append(
        f'<span class="citation-needed-reason">{self.encode(node["reason"])}</span></sup>'
    )
    raise nodes.SkipNode


def visit_citation_needed_text(self: TextTranslator, node: nodes.Element) -> None:
    self.add_text(MARKER_TEXT)
    raise nodes.SkipNode


def visit_citation_needed_plain(self: nodes.NodeVisitor, node: nodes.Element) -> None:
    raise nodes.SkipNode


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_node(
        citation_needed,
        html=(visit_citation_needed_html, None),
        text=(visit_citation_needed_text, None),
        latex=(visit_citation_needed_plain, None),
        man=(visit_citation_needed_plain, None),
        texinfo=(visit_citation_needed_plain, None),
    )
    app.add_node(claims_list)
    app.add_role("citation-needed", CitationNeededRole())
    app.add_directive("claims-awaiting-sources", ClaimsAwaitingSources)
    app.connect("doctree-read", collect_claims)
    app.connect("env-purge-doc", purge_claims)
    app.connect("env-merge-info", merge_claims)
    app.connect("env-get-outdated", report_is_outdated)
    app.connect("doctree-resolved", resolve_markers)
    app.connect("build-finished", report_count)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
