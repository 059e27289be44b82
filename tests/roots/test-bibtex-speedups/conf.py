# The site's shape at small scale: answers that list their own sources, and a References
# page listing every entry, so that each entry is formatted for two bibliographies.
extensions = ["myst_parser", "citetools.sphinxext.bibtex_speedups"]
exclude_patterns = ["_build"]
nitpicky = True
bibtex_bibfiles = ["refs.bib"]
suppress_warnings = ["bibtex.duplicate_citation"]
