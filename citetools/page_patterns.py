"""What the page reader (``pages``) and the build's check of pages
(``citation_syntax``) both look for, written once.

The build loads the reader only for a page these say it has to read.
"""

import re

# {cite:p}`key`, {cite:t}`a,b`, {cite}`key`, {footcite:t}`key` ... and the marker.
ROLE_NAME = r"(?:foot)?cite(?::[a-z]+)?|citation-needed"
ROLE = re.compile(rf"\{{(?:{ROLE_NAME})\}}")
HEADING = re.compile(r"^[ \t]*#{1,6}(?:[ \t]|$)", re.M)
# A line of = or - right under text makes that text a heading (setext).
UNDERLINE = re.compile(r"^[ \t]{0,3}(?:=+|-+)[ \t]*$", re.M)
# `[text](` and `![description](`: the text of a link or an image.
LINK_TEXT = re.compile(r"!?\[(?P<inner>[^\[\]]*)\]\(")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$", re.M)
