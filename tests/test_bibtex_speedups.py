"""The build speedups change how fast pages are made, never what they say."""

import codecs
import doctest
import filecmp
import importlib.metadata
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
import pybtex.richtext
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pybtex.markup import LaTeXParser
from pybtex.richtext import BaseMultipartText, HRef, Protected, String, Symbol, Tag, Text

from citetools.sphinxext import bibtex_speedups, plugin_lookup
from citetools.sphinxext.bibtex_speedups import _from_latex
from testbed import sitegen

from conftest import copy_site, sphinx_build

SPEEDUPS = [
    "citetools.sphinxext.bibtex_speedups",
    "citetools.sphinxext.gc_tuning",
    "citetools.sphinxext.search_stems",
    "citetools.sphinxext.site_menu",
]
# What makes LaTeX decoding differ from the text: commands, ties, comments,
# quotes, dashes, math, braces and every kind of space, and plain letters.
LATEXISH = st.lists(
    st.sampled_from(list("\\~%`'$-,{}!? \t\n\r\xa0aZé1.&#_^\"") + ["--", "\\&", "---"]),
    max_size=12,
).map("".join)


def _outcome(parse, latex):
    try:
        return repr(parse(latex))
    except Exception as error:  # unbalanced braces must fail the same way
        return f"{type(error).__name__}: {error}"


@given(LATEXISH)
def test_fields_decode_as_latexcodec_decodes_them(latex):
    def upstream(text):
        return LaTeXParser(codecs.decode(text, "ulatex")).parse()

    assert _outcome(lambda text: _from_latex(None, text), latex) == _outcome(upstream, latex)


# Rich text as pybtex's templates make it: strings (some empty), nested texts,
# and runs of tags and links of the same kind or not, which the constructor merges.
RICH_RECIPES = st.recursive(
    st.sampled_from(["", "a", " ", "Bé", ".", "\xa0"]).map(lambda s: ("str", s))
    | st.sampled_from(["nbsp", "ndash"]).map(lambda name: ("symbol", name))
    | st.sampled_from(["", "x", "yz"]).map(lambda s: ("String", s)),
    lambda children: st.tuples(
        st.sampled_from(["Text", "Tag em", "Tag b", "HRef /a", "HRef /b", "Protected"]),
        st.lists(children, max_size=5),
    ),
    max_leaves=25,
)


def _make(recipe):
    kind, value = recipe
    if kind == "str":
        return value
    if kind == "symbol":
        return Symbol(value)
    if kind == "String":
        return String(value)
    parts = [_make(child) for child in value]
    if kind == "Text":
        return Text(*parts)
    if kind == "Protected":
        return Protected(*parts)
    name, arg = kind.split()
    return Tag(arg, *parts) if name == "Tag" else HRef(arg, *parts)


def _shape(text):
    """Everything a backend can see of *text*: types, tags, URLs, lengths, strings."""
    if isinstance(text, str):
        return text
    if not isinstance(text, BaseMultipartText):
        return (type(text).__name__, repr(text), len(text))
    return (type(text).__name__, text._typeinfo()[1], len(text), [_shape(p) for p in text.parts])


def _made_with(init, recipe):
    saved = BaseMultipartText.__init__
    BaseMultipartText.__init__ = init
    try:
        return _shape(_make(recipe))
    finally:
        BaseMultipartText.__init__ = saved


@given(RICH_RECIPES)
def test_rich_text_is_put_together_as_pybtex_puts_it(recipe):
    upstream = _made_with(bibtex_speedups._UPSTREAM_MULTIPART_INIT, recipe)
    assert _made_with(bibtex_speedups._multipart_init, recipe) == upstream


def test_pybtex_own_examples_of_rich_text_hold_with_the_faster_constructor():
    # Replacing BaseMultipartText.__init__ takes its doctest out of pybtex's suite
    # (``make upstream-tests``); its examples run here, against the replacement.
    examples = doctest.DocTestParser().get_doctest(
        bibtex_speedups._UPSTREAM_MULTIPART_INIT.__doc__,
        dict(vars(pybtex.richtext)),
        "BaseMultipartText.__init__",
        None,
        0,
    )
    assert len(examples.examples) >= 4
    runner = doctest.DocTestRunner()
    saved = BaseMultipartText.__init__
    BaseMultipartText.__init__ = bibtex_speedups._multipart_init
    try:
        runner.run(examples)
    finally:
        BaseMultipartText.__init__ = saved
    assert runner.summarize(verbose=False).failed == 0


def _pages(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))


# Without the speed modules, and with a rewrite of the finished pages that reads
# every menu entry and bibliography item, so that html_pages parses whole pages
# as it did before; and links marked only by that rewrite, not as written.
PLAIN = f"""
extensions = [e for e in extensions if e not in {SPEEDUPS!r}]


def setup(app):
    from citetools.sphinxext.html_hardening import mark_external_references
    from citetools.sphinxext.html_pages import add_rewrite

    add_rewrite(app, lambda app, page, soup: None, order=0)
    for listener in list(app.events.listeners["doctree-resolved"]):
        if listener.handler is mark_external_references:
            app.disconnect(listener.id)
"""


def test_plugin_look_ups_find_what_importlib_finds():
    # Every entry point installed, by group and name (as pybtex and sphinxcontrib-bibtex
    # look plugins up), and a name nobody registered: the same entry points, in order.
    installed = importlib.metadata.entry_points()
    groups = {group: installed.select(group=group) for group in installed.groups}
    pairs = {(group, ep.name) for group, eps in groups.items() for ep in eps}
    assert ("pybtex.backends", "docutils") in pairs
    for group, name in sorted(pairs) + [("pybtex.backends", "no-such-backend")]:
        found = plugin_lookup.entry_points(group=group, name=name)
        assert isinstance(found, importlib.metadata.EntryPoints)
        assert list(found) == list(importlib.metadata.entry_points(group=group, name=name))


@pytest.mark.parametrize("kind", ["generated", "real"])
def test_site_renders_the_same_with_and_without_speedups(tmp_path, kind):
    if kind == "generated":
        site = sitegen.generate_site(tmp_path / "site", pages=6, citations=10, entries=60)
    else:
        site = copy_site(tmp_path / "site")
    plain = sitegen.copy_site(site, tmp_path / "plain")
    conf = plain / "conf.py"
    conf.write_text(conf.read_text() + PLAIN)
    outputs = []
    for source in (site, plain):
        # The ePub after the HTML, from the same doctrees, as `make html` builds them:
        # with the speedups it keeps the HTML build's citations instead of redoing them.
        for builder in ("html", "epub"):
            out = tmp_path / f"{builder}-{source.name}"
            doctrees = str(tmp_path / f"dt-{source.name}")
            result = sphinx_build(source, out, builder, "-d", doctrees)
            assert result.returncode == 0, result.stderr
        outputs.append((tmp_path / f"html-{source.name}", tmp_path / f"epub-{source.name}"))
    (fast, fast_epub), (slow, slow_epub) = outputs
    chapters = sorted(str(p.relative_to(fast_epub)) for p in fast_epub.rglob("*.xhtml"))
    assert len(chapters) >= 9
    assert filecmp.cmpfiles(fast_epub, slow_epub, chapters, shallow=False)[0] == chapters
    assert _pages(fast) == _pages(slow)
    assert len(_pages(fast)) >= 9
    mismatch = filecmp.cmpfiles(fast, slow, _pages(fast), shallow=False)[1]
    assert mismatch == []
    # Including the search index, which search_stems builds.
    assert (fast / "searchindex.js").read_bytes() == (slow / "searchindex.js").read_bytes()
