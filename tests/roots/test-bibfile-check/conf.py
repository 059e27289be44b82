extensions = ["myst_parser", "sphinxcontrib.bibtex", "citetools.sphinxext.bibfile_check"]
exclude_patterns = ["_build"]
nitpicky = True
bibtex_bibfiles = ["refs.bib"]
