extensions = ["myst_parser", "citetools.sphinxext.search_stems"]
exclude_patterns = ["_build"]
nitpicky = True
