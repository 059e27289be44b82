"""Sphinx configuration for the Greenfield People's Budget co-responder FAQ."""

import os
from urllib.parse import urlsplit

# -- Project ------------------------------------------------------------------

project = "Co-responder FAQ"
author = "Greenfield People's Budget"
copyright = "2026, Greenfield People's Budget"
# The edition readers see in the ePub's metadata: year and month of the text.
version = release = "2026.11"
language = "en"

# -- Sources ------------------------------------------------------------------

extensions = [
    "myst_parser",
    # Same output, less work on large bibliographies (see its docstring). Before
    # sphinxcontrib.bibtex, which it loads once its plugin look-ups are in place.
    "citetools.sphinxext.bibtex_speedups",
    "sphinxcontrib.bibtex",
    "citetools.sphinxext.bibfile_check",
    "citetools.sphinxext.citation_syntax",
    "citetools.sphinxext.sources_lists_check",
    # An incremental build shows what a clean one would (see its docstring).
    "citetools.sphinxext.incremental",
    "citetools.sphinxext.bibstyle",
    "citetools.sphinxext.bibliography_markup",
    "citetools.sphinxext.citation_needed",
    "citetools.sphinxext.linkcheck_sources",
    # Readers' experience: see the Previews, Sharing and Hardening sections below.
    "sphinxext.opengraph",
    "sphinx_sitemap",
    "notfound.extension",
    "citetools.sphinxext.share_descriptions",
    "citetools.sphinxext.citation_previews",
    "citetools.sphinxext.page_weight",
    "citetools.sphinxext.html_hardening",
    # Build speed only, same output: see each module's docstring.
    "citetools.sphinxext.gc_tuning",
    "citetools.sphinxext.search_stems",
    "citetools.sphinxext.site_menu",
]

# Only the site's own pages: README.md, CONTRIBUTING.md and the test roots are
# Markdown too, and must never become pages.
root_doc = "index"
include_patterns = [
    "index.md",
    "faq/*.md",
    "further-reading.md",
    "references.md",
    "sources-and-method.md",
    "claims-awaiting-sources.md",
]
exclude_patterns = ["_build", ".venv"]

myst_enable_extensions = ["smartquotes"]
myst_heading_anchors = 2

# -- Citations ----------------------------------------------------------------

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "faq"
bibtex_reference_style = "faq"
# Anchors derive from the citation key, so links to an entry survive rebuilds.
bibtex_cite_id = "{key}"
bibtex_bibliography_id = "sources-{bibliography_count}"
# Each answer lists its own sources and the References page lists them all, so
# every key appears in two bibliographies by design.
suppress_warnings = ["bibtex.duplicate_citation"]

# -- Link checking ------------------------------------------------------------
# `make linkcheck` runs Sphinx's linkcheck builder, then `citetools links` maps each
# result to the entry and line of references.bib (_build/linkcheck/sources.md).
# citetools.sphinxext.linkcheck_sources checks DOIs against the resolver's registration
# record ($CITETOOLS_DOI_RESOLVER, default https://doi.org) and skips links found working
# within the cache's age.

# Enough parallel requests that a few slow hosts do not hold up the rest; what one host
# sees is capped by the two per-host limits below, whatever the number of workers.
linkcheck_workers = 32
# Per-host politeness, as a careful crawler behaves: at most two requests at once to one
# host (the two connections per server that HTTP/1.1 long asked of clients, RFC 2616
# section 8.1.4) and one second between the starts of two requests to it (lychee's
# "conservative" setting, and the Crawl-delay many sites ask for). A page of sources from
# one newspaper is then checked at a reader's pace, not in a burst that earns a 429.
citetools_linkcheck_host_concurrency = 2
citetools_linkcheck_host_interval = 1.0
# Hosts see who is asking and where the sources are cited ({baseurl}: html_baseurl); the
# "Mozilla/5.0 (compatible; ...)" form is the one crawlers use and sites expect.
citetools_linkcheck_user_agent = "Mozilla/5.0 (compatible; co-responder-faq-linkcheck; +{baseurl})"
# News and government sites can take several seconds; a host silent for longer is
# reported as a timeout, not as broken.
linkcheck_timeout = 15
linkcheck_report_timeouts_as_broken = False
# One more try before calling a link broken: a dropped connection is often transient.
linkcheck_retries = 2
# Longest wait in all per host for a run of 429 answers, counted from the first: a
# Retry-After is honoured up to this, and without one Sphinx's doubling back-off (60 s,
# then 120 s, ...) stops once its total would pass it. The link is then reported as
# rate-limited, not broken (citetools.sphinxext.linkcheck_sources.limit_rate).
linkcheck_rate_limit_timeout = 120.0
citetools_linkcheck_cache_days = 7
# Sphinx sends only the headers of the first matching entry here; "*" gives every host
# the Accept headers a browser sends, without which some servers answer 406 or 403.
linkcheck_request_headers = {
    "*": {
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "en;q=0.9,*;q=0.5",
    },
}
# Nothing is ignored outright: a site that refuses robots is reported as "blocked" for a
# person to check, never hidden.
linkcheck_ignore = []
# Anchors are checked (a fragment naming a section that no longer exists is reported),
# except fragments that no HTML page carries as an id:
linkcheck_anchors = True
linkcheck_anchors_ignore = [
    "^!",  # "#!/route": client-side routes of single-page sites, not ids
    "^:~:",  # "#:~:text=...": text fragments, matched by the browser against the text
]
linkcheck_anchors_ignore_for_url = [
    # GitHub renders README and file anchors with JavaScript ("user-content-" ids), so
    # the fetched HTML lacks them (sphinx-doc/sphinx#9435).
    r"https://github\.com/",
]
# Redirects are judged by `citetools links`, not by linkcheck_allowed_redirects (whose
# patterns cannot tie the two sides' hosts together):
# - http to https on the same address: working (the entry may be updated);
# - temporary redirects (302, 303, 307), e.g. an archive's snapshot lookup: working;
# - permanent redirects (301, 308): "redirected", with the new address to put in the entry.
# DOIs never redirect to the publisher here: they are checked at the resolver.

# -- HTML ---------------------------------------------------------------------

html_theme = "furo"
html_title = "Co-responder FAQ"
html_static_path = ["_static"]
html_css_files = ["faq.css"]
html_show_sourcelink = False
html_copy_source = False
# An FAQ has no index terms; an empty index page would only confuse readers.
html_use_index = False
html_favicon = "_static/favicon.svg"
templates_path = ["_templates"]

# -- Previews -----------------------------------------------------------------

# citetools.sphinxext.citation_previews: hovering, tapping or focusing a
# citation shows its full reference, which the page already holds (nothing is
# fetched). page_weight drops the theme's assets a page does not use.

# -- Sharing ------------------------------------------------------------------

# The address the site is published at: canonical links, og:url, the social
# image and sitemap.xml all derive from it. The host that publishes the site
# sets SITE_BASEURL (Read the Docs sets READTHEDOCS_CANONICAL_URL). No address
# is known yet, so a build without either names the one `make serve` uses.
SITE_BASEURL_DEFAULT = "http://127.0.0.1:8000/"
html_baseurl = (
    os.environ.get("SITE_BASEURL")
    or os.environ.get("READTHEDOCS_CANONICAL_URL")
    or SITE_BASEURL_DEFAULT
).rstrip("/") + "/"

ogp_site_url = html_baseurl
ogp_site_name = "Co-responder FAQ"
ogp_image = html_baseurl + "_static/social-card.png"
ogp_image_alt = "Co-responder FAQ, from the Greenfield People's Budget"
# citetools.sphinxext.share_descriptions writes og:description and the meta
# description from each page's opening sentences, without citations.
share_description_length = 200
# Social cards would need matplotlib and would replace the image above.
ogp_social_cards = {"enable": False}
# Twitter/X reads og:title, og:description and og:image; it needs only this.
ogp_custom_meta_tags = ['<meta name="twitter:card" content="summary_large_image">']

sitemap_url_scheme = "{link}"
sitemap_excludes = ["search.html", "genindex.html", "404.html"]

# The 404 page is served for any missing path, so its links are absolute.
notfound_urls_prefix = urlsplit(html_baseurl).path
notfound_context = {
    "title": "Page not found",
    "body": (
        "<h1>Page not found</h1>\n"
        "<p>There is no page at this address. It may have moved: the "
        '<a href="' + notfound_urls_prefix + '">list of questions</a> links to every '
        "answer, and the search in the menu finds any word on the site.</p>"
    ),
}

# -- Hardening ----------------------------------------------------------------

# citetools.sphinxext.html_hardening: a Content-Security-Policy allowing only the
# site itself, no referrer, rel="noopener noreferrer" on outside links, and ARIA
# fixes for the theme and the bibliography markup.
html_hardening_csp = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}

# -- ePub ---------------------------------------------------------------------

epub_title = "Co-responder FAQ"
epub_author = author
epub_publisher = author
epub_contributor = author
epub_description = (
    "Questions and answers on police co-responder programs and non-police, peer-led "
    "crisis response, with the sources behind every claim."
)
epub_copyright = copyright
epub_language = language
# The identifier doubles as an XML id in the package file, so it must be a
# plain name; the NCX table of contents repeats it and must match.
epub_uid = epub_identifier = "greenfield-peoples-budget-co-responder-faq"
epub_scheme = "URN"
# The file the site offers for download beside the PDF (make html copies both in).
epub_basename = "co-responder-faq"
# furo's stylesheet is written for browsers; e-readers get Sphinx's basic theme.
epub_theme = "epub"
epub_css_files = ["faq-epub.css"]
epub_show_urls = "inline"
epub_use_index = False
epub_exclude_files = [
    "search.html",
    # Sphinx 9.0 keeps a ".buildinfo.bak" after a configuration change and then
    # warns that it cannot package it.
    ".buildinfo.bak",
    # The web site's scripts, styles and images: no chapter of the book uses them.
    *(
        f"_static/{name}"
        for name in (
            "citation-previews.js",
            "copy-link.js",
            "doctools.js",
            "documentation_options.js",
            "faq.css",
            "faq-pdf.css",
            "favicon.svg",
            "language_data.js",
            "minus.png",
            "plus.png",
            "searchtools.js",
            "social-card.png",
            "sphinx_highlight.js",
        )
    ),
]
