# A site whose sources live on the tests' server. The tests copy this root and write the
# server's ports in place of @PORT@, @BUSY_PORT@ and @CLOSED@.
extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "citetools.sphinxext.bibstyle",
    "citetools.sphinxext.linkcheck_sources",
]
exclude_patterns = ["_build"]
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "faq"
bibtex_reference_style = "faq"
bibtex_cite_id = "{key}"

# Short waits keep the tests quick: /slow answers after 4 s, past this timeout, which
# still leaves a loaded machine ample time for every other answer.
linkcheck_timeout = 2
linkcheck_workers = 8
linkcheck_retries = 2
linkcheck_rate_limit_timeout = 2.0
linkcheck_request_headers = {"*": {"Accept": "text/html,*/*;q=0.8"}}
# Every link here is on one host: a short interval keeps the run quick, while still
# going through the per-host gate.
citetools_linkcheck_host_concurrency = 4
citetools_linkcheck_host_interval = 0.02
html_baseurl = "https://faq.example.org/"
