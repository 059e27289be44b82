r"""Workarounds for sphinxcontrib-bibtex and pybtex costs that grow with the site.

Same output, less work. Written against sphinxcontrib-bibtex 2.7.0 and pybtex
0.26.1 (the pinned versions); each workaround names the upstream code it
replaces. Profiled on a generated site of 200 pages citing 10 of 2,000 entries
each (``make bench``): a clean HTML build took 243 s, 95% of it in
``BibtexDomain.get_filtered_entries``.

* ``get_filtered_entries`` finds the pages citing an entry by scanning every
  citation of the site, for every entry of the .bib, in every bibliography
  directive: pages x entries x citations. An index built once per build
  answers the same question by lookup.
* ``get_formatted_entries`` formats each listed entry once per bibliography
  and again for its tooltip, though the result depends only on the style, the
  label and the entry: with an answer's Sources list and the References page
  that is four pybtex formattings (each decoding every field's LaTeX) of the
  same text. They are now shared for the length of one build.
* ``resolve_xref`` scans every citation of the site for each citation role.
  An index by key finds the same citations, kept in the same order.
* ``pybtex.plugin.find_plugin`` reads the metadata of every installed
  distribution on each call for a plugin that is not registered at run time;
  sphinxcontrib-bibtex's own plugin registry does the same. Both read it once
  (``plugin_lookup``, imported first: it must be in place before
  sphinxcontrib-bibtex loads, which is why ``conf.py`` lists this extension
  before it).
* ``Text.from_latex`` runs every field and name part through latexcodec,
  whose lexer is slow. Text without any character LaTeX gives a meaning to
  decodes to itself, so it skips the codec (``test_bibtex_speedups`` checks
  that against latexcodec); so does text whose only LaTeX is ``--``, ``---``
  or ``\&`` (page ranges, "Health \& Justice"), decoded here, which spares a
  build of the FAQ loading latexcodec at all; other text is decoded once per
  distinct string (names, journals and publishers recur), and parsed as
  upstream does.
* pybtex's rich-text constructor (``BaseMultipartText.__init__``) runs for
  every piece of every formatted entry, through a chain of generators and
  ``itertools.groupby``: it was half of the time formatting an entry. The
  same parts are put together without them (a property test compares the two).
* ``BibliographyTransform`` fills each bibliography list by scanning every
  citation of the site, and for each entry listed, every citation reference
  of the site, for its back-links: both are indexed once per build.
* The ``bibliography`` directive makes a citation node for every entry of
  the .bib in every bibliography (see ``BibliographyDirectiveSpeedups``), and
  the nodes kept in the environment were the ones put into the pages, so
  every written page stayed alive, and was rescanned by the garbage
  collector, until the build ended. Pages now get copies.

* ``env_updated`` sorts, labels and formats every listed entry again in each
  build, though nothing it reads has changed: the ePub built after the HTML
  from the same doctrees, a rebuild with ``-a``. When no page was read or
  removed in this build, and the .bib files, the bibtex settings, the styles'
  code and the upstream versions are those of the pass kept in the
  environment, that pass's citations are kept, and the warnings it gave are
  given again (``_PassRecord``), as upstream gives them in every build.

* sphinxcontrib-bibtex parses the .bib again right after ``bibfile_check``
  has parsed it to report errors, and the check ran even when the cached
  parse was current (the ePub after the HTML, an edited page). With this
  extension loaded, the check skips a file unchanged since its cached parse
  (checked when that parse was made), and hands its own parse of a single
  file to the cache in sphinxcontrib-bibtex's format: one parse a build,
  lint's, from which pybtex's entries are put together (``bibdata``).

Register after ``sphinxcontrib.bibtex``: the domain replaces its domain.
On any other version of sphinxcontrib-bibtex or pybtex than those above
(``upstream_versions``), none of this is applied and the build warns once.
"""

from __future__ import annotations

import ast
import codecs
import functools
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

# Before anything loads sphinxcontrib-bibtex, whose modules look plugins up as they load.
from citetools.sphinxext import plugin_lookup  # isort: skip

import docutils.nodes
import pybtex.plugin
import sphinxcontrib.bibtex.domain
import sphinxcontrib.bibtex.plugin
from pybtex.markup import LaTeXParser
from pybtex.richtext import BaseMultipartText, BaseText, String, Tag, Text, ensure_text
from pybtex.style import FormattedEntry
from pybtex.style.template import FieldIsMissing
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata
from sphinxcontrib.bibtex.bibfile import BibData, BibFile, get_mtime, is_bibdata_outdated
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.directives import BibliographyDirective, BibliographyKey
from sphinxcontrib.bibtex.domain import BibtexDomain, Citation, _FilterVisitor
from sphinxcontrib.bibtex.nodes import bibliography as bibliography_node
from sphinxcontrib.bibtex.style.referencing import format_references
from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo
from sphinxcontrib.bibtex.transforms import BibliographyTransform, node_text_transform

from citetools.sphinxext import forking, preformat, upstream_versions
from citetools.sphinxext.forking import Forked
from citetools.sphinxext.source_stamp import source_stamp

_Logged = tuple[tuple[Any, ...], dict[str, Any]]


class _WarningLog:
    """sphinxcontrib-bibtex's domain logger, keeping warnings while ``kept`` is a list."""

    def __init__(self, target: logging.SphinxLoggerAdapter) -> None:
        self._target = target
        self.kept: list[_Logged] | None = None
        # The build's suppress_warnings while env_updated runs: what it names is
        # dropped here instead of becoming a record that Sphinx's filter drops (a
        # site citing every entry in two lists, as this one does, makes one each).
        self.suppressed: Sequence[str] = ()

    def warning(self, *args: Any, **kwargs: Any) -> None:
        if self.kept is not None:
            self.kept.append((args, kwargs))
        if not logging.is_suppressed_warning(
            kwargs.get("type", ""), kwargs.get("subtype", ""), self.suppressed
        ):
            self._target.warning(*args, **kwargs)


# Upstream's domain warns through the same logger while env_updated runs.
logger = _WarningLog(logging.getLogger("sphinxcontrib.bibtex.domain"))


class _Pass:
    """What one ``env_updated`` pass learns once and then looks up."""

    def __init__(self, citation_refs: Iterable[Any]) -> None:
        self.cited_docnames: dict[str, set[str]] = defaultdict(set)
        self.keys_cited_in: dict[str, set[str]] = defaultdict(set)
        for ref in citation_refs:
            for target in ref.targets:
                self.cited_docnames[target.key].add(ref.docname)
                self.keys_cited_in[ref.docname].add(target.key)
        # Per list of documents: each cited key's place in the order of citation.
        self.citation_order: dict[tuple[str, ...], dict[str, int]] = {}
        self._entries: dict[tuple[Path, ...], list[Any]] = {}
        self._positions: dict[tuple[Path, ...], dict[str, list[int]]] = {}
        self.formatted: preformat.Formatted = {}

    def entries(self, domain: BibtexDomain, bibfiles: list[Path]) -> list[Any]:
        """``domain.get_entries(bibfiles)``, read once per pass."""
        if tuple(bibfiles) not in self._entries:
            self._entries[tuple(bibfiles)] = list(domain.get_entries(bibfiles))
        return self._entries[tuple(bibfiles)]

    def positions(self, domain: BibtexDomain, bibfiles: list[Path]) -> dict[str, list[int]]:
        """Where each key is in ``entries(domain, bibfiles)``."""
        if tuple(bibfiles) not in self._positions:
            found: dict[str, list[int]] = defaultdict(list)
            for position, entry in enumerate(self.entries(domain, bibfiles)):
                found[entry.key].append(position)
            self._positions[tuple(bibfiles)] = found
        return self._positions[tuple(bibfiles)]


# LaTeX that latexcodec would change: commands, ties, comments, quotes and
# dashes, inverted marks, math, and whitespace it collapses or drops. A lone
# backquote (`in brief') is left as written. Text without any of it decodes to
# itself; ``test_bibtex_speedups`` checks that against latexcodec.
_NEEDS_DECODING = re.compile(r"[\\~%$]|``|[?!]`|''|,,|--|[^\S ]|  |^ | $")


# The LaTeX a .bib holds most, page ranges and "\&": decoded here as latexcodec
# decodes it, when the rest of the text needs no decoding (``test_bibtex_speedups``
# checks that against latexcodec), the codec is not loaded (0.03 s).
_SIMPLE_LATEX = re.compile(r"---|--|\\&")
_SIMPLE_DECODED = {"---": "\u2014", "--": "\u2013", "\\&": "&"}


@functools.cache
def _decoded(latex: str) -> str:
    """What latexcodec makes of *latex*: the same names and journals recur."""
    simple = _SIMPLE_LATEX.sub(lambda match: _SIMPLE_DECODED[match[0]], latex)
    if not _NEEDS_DECODING.search(simple):
        return simple
    # Imported here, as upstream's from_latex does: it registers the "ulatex" codec,
    # and a build that decodes nothing (the ePub after the HTML) need not load it.
    import latexcodec  # noqa: F401

    # typeshed knows only the standard library's text codecs.
    decoded: str = codecs.decode(latex, "ulatex")  # type: ignore[call-overload]
    return decoded


def _from_latex(cls: object, latex: str) -> Text:
    # Upstream's Text.from_latex is LaTeXParser(codecs.decode(latex, "ulatex")).parse().
    if _NEEDS_DECODING.search(latex):
        return LaTeXParser(_decoded(latex)).parse()
    if "{" in latex or "}" in latex:
        return LaTeXParser(latex).parse()
    return Text(latex)


def _multipart_init(self: BaseMultipartText, *parts: Any) -> None:
    # Upstream's BaseMultipartText.__init__, without its chain of generators: the
    # same parts (empty ones dropped, Text unpacked, runs of the same kind merged,
    # as itertools.groupby groups them) in less than half the time. Every Text, Tag
    # and HRef a style formats is made here, several per field.
    pieces: list[Any] = []
    for part in parts:
        if isinstance(part, str):
            if part:
                pieces.append(String(part))
        elif not isinstance(part, BaseText):
            ensure_text(part)  # raises upstream's TypeError
        elif part:
            pieces.extend(part.parts if type(part) is Text else part._unpack())
    if len(pieces) < 2:
        self.parts = pieces
        self.length = len(pieces[0]) if pieces else 0
        return
    infos = [_STRING_INFO if type(piece) is String else piece._typeinfo() for piece in pieces]
    merged: list[Any] = []
    start, count = 0, len(pieces)
    while start < count:
        info = infos[start]
        end = start + 1
        while end < count and infos[end] == info:
            end += 1
        kind, args = info
        if kind and end - start > 1:
            merged.append(kind(*args, *(p for piece in pieces[start:end] for p in piece.parts)))
        else:
            merged.extend(pieces[start:end])
        start = end
    self.parts = merged
    self.length = sum(len(part) for part in merged)


_STRING_INFO = (String, ())


_NOWHERE: frozenset[str] = frozenset()
# Filters sphinxcontrib-bibtex itself writes (``cited`` is the default, ``True``
# is ``:all:``, ``not cited`` is ``:notcited:``) and the one the FAQ uses, with
# what ``_FilterVisitor`` computes for them given the docname and the cited
# docnames of an entry.
_COMMON_FILTERS: dict[str, Callable[[str, frozenset[str] | set[str]], bool]] = {
    ast.dump(ast.parse("cited")): lambda docname, cited: bool(cited),
    ast.dump(ast.parse("True")): lambda docname, cited: True,
    ast.dump(ast.parse("not cited")): lambda docname, cited: not cited,
    ast.dump(ast.parse("docname in docnames")): lambda docname, cited: docname in cited,
}


class _PassRecord:
    """The inputs of the ``env_updated`` pass whose citations the environment
    holds, and the warnings that pass gave."""

    def __init__(self, inputs: tuple[Any, ...], warnings: list[_Logged]) -> None:
        self.inputs = inputs
        self.warnings = warnings


class BibtexDomainSpeedups(BibtexDomain):
    """sphinxcontrib-bibtex's ``cite`` domain, with its lookups indexed."""

    _pass: _Pass | None = None
    # A page was read, or removed, in this process: the kept pass is stale.
    _pages_changed = False
    _citations_by_key: dict[str, list[tuple[int, Citation]]] | None = None
    _lists: _ListIndex | None = None
    # Set by BibliographyDirectiveSpeedups while upstream's directive runs.
    _keys_wanted: set[str] | None = None
    # Each .bib's keys by position, for the key dict they were made from.
    _positions: dict[Path, tuple[dict[str, None], dict[str, int]]] | None = None

    def get_entries(self, bibfiles: list[Path]) -> Iterable[Any]:
        if self._keys_wanted is None:
            return super().get_entries(bibfiles)
        return self._wanted_entries(bibfiles, self._keys_wanted)

    def _wanted_entries(self, bibfiles: list[Path], wanted: set[str]) -> Iterator[Any]:
        """Upstream's entries, in the same order, of the keys in *wanted* only.

        Looked up by key: filtering every entry of the .bib, in every answer's
        bibliography, was pages x entries (400,000 calls on the bench's site)."""
        entries = self.bibdata.data.entries
        for bibfile in bibfiles:
            keys = self.bibdata.bibfiles[bibfile].keys
            position = self._key_positions(bibfile, keys)
            for key in sorted((key for key in wanted if key in keys), key=position.__getitem__):
                yield entries[key]

    def _key_positions(self, bibfile: Path, keys: dict[str, None]) -> dict[str, int]:
        if self._positions is None:
            self._positions = {}
        made_from, positions = self._positions.get(bibfile, (None, {}))
        if made_from is not keys:
            positions = {key: position for position, key in enumerate(keys)}
            self._positions[bibfile] = (keys, positions)
        return positions

    def clear_doc(self, docname: str) -> None:
        self._pages_changed = True
        super().clear_doc(docname)

    def merge_domaindata(self, docnames: Any, otherdata: dict[str, Any]) -> None:
        self._pages_changed = True
        super().merge_domaindata(docnames, otherdata)

    def _pass_inputs(self) -> tuple[Any, ...]:
        """What ``env_updated`` reads besides the pages' own data."""
        config = self.env.config
        styles = {bibliography.style for bibliography in self.bibliographies.values()}
        if config.bibtex_tooltips_style:
            styles.add(config.bibtex_tooltips_style)
        style_code = sorted(
            (name, source_stamp(pybtex.plugin.find_plugin("pybtex.style.formatting", name)))
            for name in styles
        )
        return (
            tuple(upstream_versions.installed_version(name) for name in upstream_versions.BIBTEX),
            source_stamp(sys.modules[__name__]),
            self.bibdata.encoding,
            sorted((str(path), bibfile.mtime) for path, bibfile in self.bibdata.bibfiles.items()),
            sorted(
                (value.name, repr(value.value))
                for value in config
                if value.name.startswith("bibtex_")
            ),
            style_code,
        )

    def env_updated(self) -> Iterable[str]:
        inputs = self._pass_inputs()
        kept = self.data.get("citetools_pass")
        if not self._pages_changed and isinstance(kept, _PassRecord) and kept.inputs == inputs:
            _stop_preformatting()
            for args, kwargs in kept.warnings:
                logger.warning(*args, **kwargs)
            return []
        self.data.pop("citetools_pass", None)
        warnings: list[_Logged] = []
        self._pass = _Pass(self.citation_refs)
        self._pass.formatted.update(_take_preformatted())
        self._citations_by_key = None
        self._lists = None
        upstream_logger = sphinxcontrib.bibtex.domain.logger
        sphinxcontrib.bibtex.domain.logger = logger  # type: ignore[assignment]
        logger.kept = warnings
        logger.suppressed = self.env.config.suppress_warnings
        try:
            updated = super().env_updated()
        finally:
            self._pass = None
            sphinxcontrib.bibtex.domain.logger = upstream_logger
            logger.kept = None
            logger.suppressed = ()
        self.data["citetools_pass"] = _PassRecord(inputs, warnings)
        return updated

    # Replaces BibtexDomain.get_filtered_entries: the set comprehension over
    # self.citation_refs becomes a lookup in the pass's index, and the usual
    # filters are evaluated directly instead of by walking their syntax tree.
    def get_filtered_entries(self, bibliography_key: BibliographyKey) -> Iterator[tuple[str, Any]]:
        if self._pass is None:
            yield from super().get_filtered_entries(bibliography_key)
            return
        bibliography = self.bibliographies[bibliography_key]
        docname = bibliography_key.docname
        filter_ = ast.dump(bibliography.filter_)
        if filter_ == _PAGE_FILTER:
            yield from self._entries_of_page(bibliography, docname)
            return
        common = _COMMON_FILTERS.get(filter_)
        for entry in self._pass.entries(self, bibliography.bibfiles):
            key = bibliography.keyprefix + entry.key
            cited_docnames = self._pass.cited_docnames.get(key, _NOWHERE)
            if common is not None:
                success = common(docname, cited_docnames)
            else:
                success = self._visit_filter(bibliography, docname, entry, cited_docnames)
            if success or entry.key in bibliography.keys:
                yield key, entry

    def _entries_of_page(self, bibliography: Any, docname: str) -> Iterator[tuple[str, Any]]:
        # An answer's Sources (``docname in docnames``): the entries cited on its page
        # and those it names, looked up instead of testing every entry of the .bib,
        # yielded in the .bib's order as the loop above yields them.
        assert self._pass is not None
        entries = self._pass.entries(self, bibliography.bibfiles)
        positions = self._pass.positions(self, bibliography.bibfiles)
        prefix = bibliography.keyprefix
        wanted = {
            key[len(prefix) :]
            for key in self._pass.keys_cited_in.get(docname, ())
            if key.startswith(prefix)
        }
        wanted.update(bibliography.keys)
        for position in sorted(p for key in wanted for p in positions.get(key, ())):
            entry = entries[position]
            yield prefix + entry.key, entry

    def _visit_filter(
        self, bibliography: Any, docname: str, entry: Any, cited_docnames: Iterable[str]
    ) -> bool:
        visitor = _FilterVisitor(  # type: ignore[no-untyped-call]
            entry=entry, docname=docname, cited_docnames=set(cited_docnames)
        )
        try:
            return bool(visitor.visit(bibliography.filter_))
        except ValueError as err:
            logger.warning(
                f"syntax error in :filter: expression; {err}",
                location=(docname, bibliography.line),
                type="bibtex",
                subtype="filter_syntax_error",
            )
            return bool(cited_docnames)

    # Replaces BibtexDomain.get_sorted_entries: the same order (cited entries in the
    # order of citation, then the rest in the .bib's), but each entry looked up in an
    # index of the citation order made once per pass, instead of walking every cited
    # key of the site for each bibliography directive.
    def get_sorted_entries(
        self, bibliography_key: BibliographyKey, docnames: list[str]
    ) -> Iterator[tuple[str, Any]]:
        if self._pass is None:
            yield from super().get_sorted_entries(bibliography_key, docnames)
            return
        entries = dict(self.get_filtered_entries(bibliography_key))
        memo = self._pass.citation_order
        if tuple(docnames) not in memo:
            order: dict[str, int] = {}
            for key in super().get_all_cited_keys(docnames):  # type: ignore[no-untyped-call]
                order.setdefault(key, len(order))
            memo[tuple(docnames)] = order
        order = memo[tuple(docnames)]
        for key in sorted((key for key in entries if key in order), key=order.__getitem__):
            yield key, entries.pop(key)
        yield from entries.items()

    # Replaces BibtexDomain.get_formatted_entries, formatting through the
    # pass's cache; warnings for missing fields are issued as upstream does.
    def get_formatted_entries(
        self,
        bibliography_key: BibliographyKey,
        docnames: list[str],
        tooltips: bool,
        tooltips_style: str,
    ) -> Iterator[tuple[Any, FormattedEntry, FormattedEntry | None]]:
        if self._pass is None:
            yield from super().get_formatted_entries(
                bibliography_key, docnames, tooltips, tooltips_style
            )
            return
        bibliography = self.bibliographies[bibliography_key]
        entries = dict(self.get_sorted_entries(bibliography_key, docnames))
        style_name = bibliography.style
        style = pybtex.plugin.find_plugin("pybtex.style.formatting", style_name)()
        tooltip_name, tooltip_style = style_name, style
        if tooltips and tooltips_style:
            tooltip_name = tooltips_style
            tooltip_style = pybtex.plugin.find_plugin("pybtex.style.formatting", tooltip_name)()
        sorted_entries = style.sort(entries.values())
        labels = style.format_labels(sorted_entries)
        for label, entry in zip(labels, sorted_entries, strict=False):
            label = bibliography.labelprefix + label
            try:
                yield (
                    entry,
                    self._format(style_name, style, label, entry),
                    self._format(tooltip_name, tooltip_style, label, entry) if tooltips else None,
                )
            except FieldIsMissing as exc:
                logger.warning(
                    str(exc),
                    location=(bibliography_key.docname, bibliography.line),
                    type="bibtex",
                    subtype="missing_field",
                )
                yield entry, FormattedEntry(entry.key, Tag("b", str(exc)), label), None

    def _format(self, style_name: str, style: Any, label: str, entry: Any) -> FormattedEntry:
        assert self._pass is not None
        memo = self._pass.formatted
        if (style_name, label, entry.key) not in memo:
            memo[style_name, label, entry.key] = style.format_entry(label, entry)
        return memo[style_name, label, entry.key]

    def list_index(self) -> _ListIndex:
        """What ``BibliographyTransform`` looks up, indexed once per build."""
        if self._lists is None:
            self._lists = _ListIndex(self.citations, self.citation_refs)
        return self._lists

    def _citations_for(self, keys: Iterable[str]) -> list[Citation]:
        """The citations of *keys* in bibliography lists, in ``self.citations`` order."""
        if self._citations_by_key is None:
            index: dict[str, list[tuple[int, Citation]]] = defaultdict(list)
            for position, citation in enumerate(self.citations):
                if self.bibliographies[citation.bibliography_key].list_ == "citation":
                    index[citation.key].append((position, citation))
            self._citations_by_key = index
        found = [pair for key in keys for pair in self._citations_by_key.get(key, ())]
        return [citation for _, citation in sorted(found, key=lambda pair: pair[0])]

    # Replaces BibtexDomain.resolve_xref: the two scans of self.citations become
    # one index lookup; which citation wins and in what order is unchanged. It
    # returns an inline node, as upstream does, where Sphinx declares a reference.
    def resolve_xref(  # type: ignore[override]
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: Any,
        contnode: docutils.nodes.Element,
    ) -> docutils.nodes.Element:
        targets = parse_citation_targets(target)
        keys = {target2.key: target2 for target2 in targets}
        candidates = self._citations_for(keys)
        citations_local = {
            cit.key: cit for cit in candidates if cit.bibliography_key.docname == fromdocname
        }
        citations = citations_local | {
            cit.key: cit for cit in candidates if cit.key not in citations_local
        }
        for key in keys:
            if key not in citations:
                logger.warning(
                    f'could not find bibtex key "{key}"',
                    location=node,
                    type="bibtex",
                    subtype="key_not_found",
                )
        plaintext = _plaintext_backend()
        references = [
            (
                citation.entry,
                citation.formatted_entry,
                SphinxReferenceInfo(
                    builder=builder,
                    fromdocname=fromdocname,
                    todocname=citation.bibliography_key.docname,
                    citation_id=citation.citation_id,
                    title=(
                        citation.tooltip_entry.text.render(plaintext).replace("\\url ", "")
                        if citation.tooltip_entry
                        else None
                    ),
                    pre_text=keys[citation.key].pre,
                    post_text=keys[citation.key].post,
                ),
            )
            for citation in citations.values()
        ]
        formatted_references = format_references(self.reference_style, typ, references)
        result_node = docutils.nodes.inline(rawsource=target)
        result_node["classes"].append("bibtex-citation")
        result_node += formatted_references.render(self.backend)
        return result_node


@functools.cache
def _plaintext_backend() -> Any:
    # Upstream looks the plugin up and makes a backend for every citation's tooltip.
    return pybtex.plugin.find_plugin("pybtex.backends", "plaintext")()


class _ListIndex:
    """A bibliography's citations, and the citation references that point back to
    each entry from a page, in the orders of ``citations`` and ``citation_refs``."""

    def __init__(self, citations: Iterable[Citation], citation_refs: Iterable[Any]) -> None:
        self.citations: dict[BibliographyKey, list[Citation]] = defaultdict(list)
        for citation in citations:
            self.citations[citation.bibliography_key].append(citation)
        self.backrefs: dict[tuple[str, str], list[str]] = defaultdict(list)
        for ref in citation_refs:
            for key in {target.key for target in ref.targets}:
                self.backrefs[ref.docname, key].append(ref.citation_ref_id)


_UPSTREAM_TRANSFORM_RUN = BibliographyTransform.run
_UPSTREAM_TRANSFORM_PRIORITY = BibliographyTransform.default_priority
# Upstream fills the lists before Sphinx's ReferencesResolver (10), for an older
# resolve_xref that looked for its targets in the page; this domain's resolves
# from the domain's data. Filled after the other post-transforms of a page
# (images, code, desc, MyST's), which then no longer walk every node of every
# list (on the 200-page site a tenth of the writing), and before the link check's
# collector (800), which must see the lists' links. The lists hold what pybtex's
# docutils backend makes (text, emphasis, links by address), never a pending
# cross-reference for the resolver.
_LATE_TRANSFORM_PRIORITY = 700


# Replaces BibliographyTransform.run: for each bibliography on a page, upstream
# scans every citation of the site, and for each entry listed, every citation
# reference of the site (pages x entries x references on a large site); both
# become lookups. The nodes made, and their order, are upstream's.
def _transform_run(self: BibliographyTransform, **kwargs: Any) -> None:
    env = self.document.settings.env
    domain = env.get_domain("cite")
    if not isinstance(domain, BibtexDomainSpeedups):
        _UPSTREAM_TRANSFORM_RUN(self, **kwargs)
        return
    index = domain.list_index()
    for bibnode in self.document.findall(bibliography_node):
        bib_key = BibliographyKey(docname=bibnode["docname"], id_=bibnode["ids"][0])
        bibliography = domain.bibliographies[bib_key]
        citations = index.citations.get(bib_key, [])
        nodes: docutils.nodes.Element
        if bibliography.list_ == "enumerated":
            nodes = docutils.nodes.enumerated_list()
            nodes["enumtype"] = bibliography.enumtype
            if bibliography.start >= 1:
                nodes["start"] = bibliography.start
                env.temp_data["bibtex_enum_count"] = bibliography.start
            else:
                nodes["start"] = env.temp_data.setdefault("bibtex_enum_count", 1)
        elif bibliography.list_ == "bullet":
            nodes = docutils.nodes.bullet_list()
        else:  # "citation"
            nodes = docutils.nodes.container()
        for citation in citations:
            citation_node = bibliography.citation_nodes[citation.key]
            if bibliography.list_ in {"enumerated", "bullet"}:
                citation_node += self.backend.paragraph(citation.formatted_entry)
            else:  # "citation"
                # backrefs only supported in same document
                backrefs = index.backrefs.get((bib_key.docname, citation.key))
                if backrefs:
                    citation_node["backrefs"] = list(backrefs)
                citation_node += docutils.nodes.label(
                    "", citation.formatted_entry.label, support_smartquotes=False
                )
                citation_node += self.backend.paragraph(citation.formatted_entry)
            citation_node["docname"] = bib_key.docname
            node_text_transform(citation_node)
            nodes.append(citation_node)
            if bibliography.list_ == "enumerated":
                env.temp_data["bibtex_enum_count"] += 1
        if citations:
            bibnode.replace_self(nodes)
        else:
            bibnode.replace_self(docutils.nodes.target())


class _CitationNodes(Mapping[str, docutils.nodes.Element]):
    """A bibliography's citation nodes by key: those of entries cited on its
    page so far were made by the directive, the others are made when asked for.
    """

    def __init__(
        self,
        made: Mapping[str, docutils.nodes.Element],
        node_class: type[docutils.nodes.Element],
        keys: list[dict[str, None]],
        keyprefix: str,
        cite_id: str,
        bibliography_count: int,
    ) -> None:
        self._made = dict(made)
        self._node_class = node_class
        # The .bib files' own key dicts, shared by every bibliography.
        self._keys = keys
        self._keyprefix = keyprefix
        self._cite_id = cite_id
        self._bibliography_count = bibliography_count

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        return key in self._made or (
            key.startswith(self._keyprefix)
            and any(key[len(self._keyprefix) :] in keys for keys in self._keys)
        )

    def __getitem__(self, key: str) -> docutils.nodes.Element:
        if key in self._made:
            return self._made[key].deepcopy()
        if key not in self:
            raise KeyError(key)
        raw_id = self._cite_id.format(bibliography_count=self._bibliography_count, key=key)
        return self._node_class(ids=[docutils.nodes.make_id(raw_id)])

    def __iter__(self) -> Iterator[str]:
        for keys in self._keys:
            for key in keys:
                yield self._keyprefix + key

    def __len__(self) -> int:
        return sum(len(keys) for keys in self._keys)


_PAGE_FILTER = ast.dump(ast.parse("docname in docnames"))


class BibliographyDirectiveSpeedups(BibliographyDirective):
    """``bibliography``, making nodes only for entries its page has cited so far.

    Upstream makes a citation node, and reserves its id on the page, for every
    entry of the .bib in every bibliography directive: which entries a list
    shows is known only once every page is read. A list filtered with
    ``docname in docnames`` (each answer's Sources) can only show entries cited
    on its page, almost always above it; the rest would be 2,000 nodes per page
    on a large site, pickled with the page and the environment. Nodes for
    entries cited below the list are made when the list is filled in, and only
    their ids are then not reserved against ids given later on the same page.
    Other filters, and an empty ``bibtex_cite_id``, keep upstream's behaviour.
    """

    def _lists_its_page_only(self) -> bool:
        try:
            return ast.dump(ast.parse(self.options.get("filter", ""))) == _PAGE_FILTER
        except SyntaxError:
            return False  # upstream warns about it

    def run(self) -> Sequence[docutils.nodes.Node]:
        domain = self.env.get_domain("cite")
        assert isinstance(domain, BibtexDomainSpeedups)
        keyprefix = self.options.get("keyprefix", "")
        docname = self.env.docname
        if self._lists_its_page_only() and self.config.bibtex_cite_id:
            cited = {
                target.key
                for ref in domain.citation_refs
                if ref.docname == docname
                for target in ref.targets
            }
            # Upstream's test for each entry: keyprefix + entry.key cited, or entry.key listed.
            domain._keys_wanted = {
                key[len(keyprefix) :] for key in cited if key.startswith(keyprefix)
            } | set(self.content)
        try:
            result = super().run()
        finally:
            domain._keys_wanted = None
        target = result[-1]  # upstream's directive ends with the list's target
        assert isinstance(target, docutils.nodes.Element)
        key = BibliographyKey(docname=docname, id_=target["ids"][0])
        bibliography = domain.bibliographies[key]
        domain.bibliographies[key] = bibliography._replace(
            # Upstream reads it as a dict: lookups, "in" and iteration.
            citation_nodes=_CitationNodes(  # type: ignore[arg-type]
                made=bibliography.citation_nodes,
                node_class=(
                    docutils.nodes.list_item
                    if bibliography.list_ in {"bullet", "enumerated"}
                    else docutils.nodes.citation
                ),
                keys=[domain.bibdata.bibfiles[path].keys for path in bibliography.bibfiles],
                keyprefix=keyprefix,
                cite_id=self.config.bibtex_cite_id,
                bibliography_count=self.env.temp_data["bibtex_bibliography_count"],
            )
        )
        return result


# -- One parse of the .bib per build -------------------------------------------
# Used by bibfile_check, which parses the file first to report a malformed entry.


def _resolved(app: Sphinx, name: str) -> Path:
    return (Path(app.confdir) / name).resolve()  # as sphinxcontrib-bibtex resolves it


def bibdata_is_current(app: Sphinx, names: list[str]) -> bool:
    """sphinxcontrib-bibtex's cached parse is of the files as they are now."""
    if "cite" not in app.env.domains or not names:
        return False
    bibdata = app.env.get_domain("cite").data["bibdata"]
    paths = [_resolved(app, name) for name in names]
    return not is_bibdata_outdated(bibdata, paths, app.config.bibtex_encoding)


def seed_bibdata(app: Sphinx, name: str, data: Any) -> None:
    """Hand a parse of the single .bib to sphinxcontrib-bibtex as its cache."""
    if "cite" not in app.env.domains:
        return
    path = _resolved(app, name)
    app.env.get_domain("cite").data["bibdata"] = BibData(
        encoding=app.config.bibtex_encoding,
        bibfiles={path: BibFile(mtime=get_mtime(path), keys=dict.fromkeys(data.entries.keys()))},
        data=data,
    )


_UPSTREAM_PLUGIN_ENTRY_POINTS = sphinxcontrib.bibtex.plugin.entry_points  # type: ignore[attr-defined]
_UPSTREAM_FROM_LATEX = Text.__dict__["from_latex"]
_UPSTREAM_MULTIPART_INIT = BaseMultipartText.__init__


def patch_pybtex() -> None:
    """The workarounds that live in pybtex's and sphinxcontrib-bibtex's modules."""
    plugin_lookup.patch()
    # sphinxcontrib.bibtex.plugin looks entry points up through this module-level name.
    sphinxcontrib.bibtex.plugin.entry_points = plugin_lookup.entry_points  # type: ignore[attr-defined,assignment]
    # Every field and name part reaches latexcodec through this classmethod.
    Text.from_latex = classmethod(_from_latex)
    BaseMultipartText.__init__ = _multipart_init
    BibliographyTransform.run = _transform_run  # type: ignore[method-assign]
    BibliographyTransform.default_priority = _LATE_TRANSFORM_PRIORITY


def unpatch_pybtex() -> None:
    """Upstream's code back, as on a version the workarounds were not written for."""
    plugin_lookup.unpatch()
    sphinxcontrib.bibtex.plugin.entry_points = _UPSTREAM_PLUGIN_ENTRY_POINTS  # type: ignore[attr-defined]
    Text.from_latex = _UPSTREAM_FROM_LATEX
    BaseMultipartText.__init__ = _UPSTREAM_MULTIPART_INIT
    BibliographyTransform.run = _UPSTREAM_TRANSFORM_RUN  # type: ignore[method-assign]
    BibliographyTransform.default_priority = _UPSTREAM_TRANSFORM_PRIORITY


# -- Entries formatted while the pages are read (preformat) ----------------------

_preformatting: Forked | None = None


def _start_preformatting(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    global _preformatting
    _stop_preformatting()
    entries = env.get_domain("cite").bibdata.data.entries  # type: ignore[attr-defined]
    if docnames and entries and forking.can_fork():
        try:
            _preformatting = preformat.start(
                list(entries.values()), app.config.bibtex_default_style
            )
        except forking.Unavailable:
            pass  # formatted at env-updated, in the build


def _take_running() -> Forked | None:
    global _preformatting
    running, _preformatting = _preformatting, None
    return running


def _take_preformatted() -> preformat.Formatted:
    running = _take_running()
    return preformat.take(running) if running is not None else {}


def _stop_preformatting(*_: object) -> None:
    running = _take_running()
    if running is not None:
        running.stop()


def is_active(app: Sphinx) -> bool:
    """The speedups run in *app* (they are off on untested upstream versions)."""
    return app.registry.domains.get("cite") is BibtexDomainSpeedups


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxcontrib.bibtex")
    if not upstream_versions.check(
        app, "citetools.sphinxext.bibtex_speedups", upstream_versions.BIBTEX
    ):
        unpatch_pybtex()
        return {"parallel_read_safe": True, "parallel_write_safe": True}
    app.add_domain(BibtexDomainSpeedups, override=True)
    app.add_directive("bibliography", BibliographyDirectiveSpeedups, override=True)
    # After bibstyle's labels (priority 500): the forked process formats with them.
    app.connect("env-before-read-docs", _start_preformatting, priority=800)
    app.connect("build-finished", _stop_preformatting)
    patch_pybtex()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
