"""Sphinx configuration for the Greenfield People's Budget co-responder FAQ."""

# -- Project ------------------------------------------------------------------

project = "Co-responder FAQ"
author = "Greenfield People's Budget"
copyright = "2026, Greenfield People's Budget"
# The edition readers see in the ePub's metadata: year and month of the text.
version = release = "2026.11"
language = "en"

# -- Sources ------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    # Same output, less work on large bibliographies (see its docstring).
    "citetools.sphinxext.bibtex_speedups",
    "citetools.sphinxext.bibfile_check",
    "citetools.sphinxext.bibstyle",
    "citetools.sphinxext.bibliography_markup",
    "citetools.sphinxext.citation_needed",
    # Fewer garbage-collector passes over what a build keeps (see its docstring).
    "citetools.sphinxext.gc_tuning",
]

# Only the site's own pages: README.md, CONTRIBUTING.md and the test roots are
# Markdown too, and must never become pages.
root_doc = "index"
include_patterns = [
    "index.md",
    "faq/*.md",
    "further-reading.md",
    "references.md",
    "sources-and-method.md",
    "claims-awaiting-sources.md",
]
exclude_patterns = ["_build", ".venv"]

myst_enable_extensions = ["smartquotes"]
myst_heading_anchors = 2

# -- Citations ----------------------------------------------------------------

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "faq"
bibtex_reference_style = "faq"
# Anchors derive from the citation key, so links to an entry survive rebuilds.
bibtex_cite_id = "{key}"
bibtex_bibliography_id = "sources-{bibliography_count}"
# Each answer lists its own sources and the References page lists them all, so
# every key appears in two bibliographies by design.
suppress_warnings = ["bibtex.duplicate_citation"]

# -- HTML ---------------------------------------------------------------------

html_theme = "furo"
html_title = "Co-responder FAQ"
html_static_path = ["_static"]
html_css_files = ["faq.css"]
html_show_sourcelink = False
html_copy_source = False
# An FAQ has no index terms; an empty index page would only confuse readers.
html_use_index = False

# -- ePub ---------------------------------------------------------------------

epub_title = "Co-responder FAQ"
epub_author = author
epub_publisher = author
epub_contributor = author
epub_description = (
    "Questions and answers on police co-responder programs and non-police, peer-led "
    "crisis response, with the sources behind every claim."
)
epub_copyright = copyright
epub_language = language
# The identifier doubles as an XML id in the package file, so it must be a
# plain name; the NCX table of contents repeats it and must match.
epub_uid = epub_identifier = "greenfield-peoples-budget-co-responder-faq"
epub_scheme = "URN"
# furo's stylesheet is written for browsers; e-readers get Sphinx's basic theme.
epub_theme = "epub"
epub_css_files = ["epub.css"]
epub_show_urls = "inline"
epub_use_index = False
# Sphinx 9.0 keeps a ".buildinfo.bak" after a configuration change and then
# warns that it cannot package it.
epub_exclude_files = ["search.html", ".buildinfo.bak"]
