# A menu with captions, hidden and nested toctrees, pages in subdirectories and
# a link out: every way a page can sit in furo's menu.
extensions = ["citetools.sphinxext.site_menu"]
root_doc = "index"
exclude_patterns = ["_build"]
html_theme = "furo"
