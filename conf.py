"""Sphinx configuration for the Greenfield People's Budget co-responder FAQ."""

# -- Project ------------------------------------------------------------------

project = "Co-responder FAQ"
author = "Greenfield People's Budget"
copyright = "2026, Greenfield People's Budget"
language = "en"

# -- Sources ------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "citetools.sphinxext.bibstyle",
    "citetools.sphinxext.citation_needed",
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

# -- ePub ---------------------------------------------------------------------

epub_title = "Co-responder FAQ"
epub_author = author
epub_publisher = author
epub_copyright = copyright
epub_language = language
epub_identifier = "https://peoplesbudgetgreenfield.com/co-responder-faq/"
epub_scheme = "URL"
# furo's stylesheet is written for browsers; e-readers get Sphinx's basic theme.
epub_theme = "epub"
epub_css_files = ["epub.css"]
epub_show_urls = "inline"
epub_exclude_files = ["search.html", "genindex.html"]
