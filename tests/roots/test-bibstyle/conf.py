extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "citetools.sphinxext.bibstyle",
    "citetools.sphinxext.bibliography_markup",
]
root_doc = "index"
exclude_patterns = ["_build"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "faq"
bibtex_reference_style = "faq"
bibtex_cite_id = "{key}"
suppress_warnings = ["bibtex.duplicate_citation"]
