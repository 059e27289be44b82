# Only the pages listed here are read by `citetools lint --pages`; README.md is not a page.
include_patterns = ["index.md", "faq/*.md"]
