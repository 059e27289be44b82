extensions = ["myst_parser", "citetools.sphinxext.gc_tuning"]
exclude_patterns = ["_build"]
nitpicky = True
