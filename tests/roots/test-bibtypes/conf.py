extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "citetools.sphinxext.bibfile_check",
    "citetools.sphinxext.bibstyle",
]
root_doc = "index"
exclude_patterns = ["_build"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "faq"
bibtex_reference_style = "faq"
bibtex_cite_id = "{key}"
