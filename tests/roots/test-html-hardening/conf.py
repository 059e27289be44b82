extensions = ["myst_parser", "citetools.sphinxext.html_hardening"]
exclude_patterns = ["_build"]
nitpicky = True
html_theme = "furo"
html_baseurl = "https://example.org/faq/"
html_hardening_csp = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "object-src": ["'none'"],
}
