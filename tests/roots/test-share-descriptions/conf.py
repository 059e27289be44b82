extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "citetools.sphinxext.bibstyle",
    "sphinxext.opengraph",
    "citetools.sphinxext.share_descriptions",
    "citetools.sphinxext.citation_needed",
]
exclude_patterns = ["_build"]
nitpicky = True
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "faq"
bibtex_reference_style = "faq"
ogp_site_url = "https://example.org/faq/"
share_description_length = 120
ogp_social_cards = {"enable": False}
