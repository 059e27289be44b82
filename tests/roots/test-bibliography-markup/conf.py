# sphinxcontrib-bibtex's own style, so that only the list markup is ours.
extensions = ["myst_parser", "sphinxcontrib.bibtex", "citetools.sphinxext.bibliography_markup"]
exclude_patterns = ["_build"]
nitpicky = True
bibtex_bibfiles = ["refs.bib"]
# The ePub builder needs both.
version = "1"
copyright = "2026, test"
