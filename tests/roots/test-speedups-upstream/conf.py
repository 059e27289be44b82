# The speed patches on a small bibliography, for the version guards' tests.
extensions = [
    "sphinxcontrib.bibtex",
    "citetools.sphinxext.bibtex_speedups",
    "citetools.sphinxext.bibfile_check",
    "citetools.sphinxext.search_stems",
    "citetools.sphinxext.site_menu",
]
root_doc = "index"
exclude_patterns = ["_build"]
html_theme = "furo"
bibtex_bibfiles = ["refs.bib"]
bibtex_cite_id = "{key}"
suppress_warnings = ["bibtex.duplicate_citation"]
