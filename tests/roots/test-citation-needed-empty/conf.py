extensions = ["myst_parser", "citetools.sphinxext.citation_needed"]
root_doc = "index"
exclude_patterns = ["_build"]
