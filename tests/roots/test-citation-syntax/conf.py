extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "citetools.sphinxext.citation_syntax",
    "citetools.sphinxext.sources_lists_check",
]
exclude_patterns = ["_build"]
nitpicky = True
bibtex_bibfiles = ["refs.bib"]
version = "1"
copyright = "2026, test"
