extensions = ["myst_parser", "citetools.sphinxext.page_weight"]
exclude_patterns = ["_build"]
nitpicky = True
html_theme = "furo"
