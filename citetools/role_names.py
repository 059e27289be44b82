"""The role names a citation or a citation-needed marker is written with.

Shared by the page reader (``pages``) and the build's citation check
(``citation_syntax``), which loads the reader only for a page it has to read.
"""

# {cite:p}`key`, {cite:t}`a,b`, {cite}`key`, {footcite:t}`key` ... and the marker.
ROLE_NAME = r"(?:foot)?cite(?::[a-z]+)?|citation-needed"
