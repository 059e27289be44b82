"""The site's ``conf.py``, read the one way Sphinx reads it.

``conf.py`` is Python: ``include_patterns`` may be built from other names, a
comprehension or an environment variable. Every tool that needs the site's settings
(``citetools lint`` choosing the pages to check, the benchmark copying the site) runs
the file with Sphinx's own loader, so all of them see the settings the build sees.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from sphinx.config import eval_config_file
from sphinx.errors import ConfigError
from sphinx.project import Project
from sphinx.util.tags import Tags

FILENAME = "conf.py"


class UnreadableConf(Exception):
    """``conf.py`` does not run; ``line`` is where Python stopped."""

    def __init__(self, path: Path, line: int, message: str, code: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message, self.code = path, line, message, code


def read(conf: Path) -> dict[str, Any]:
    """The names ``conf`` defines once run, as Sphinx runs it (in its folder, with
    ``tags``). Raises ``UnreadableConf`` naming the line where it fails."""
    conf = Path(conf).resolve()
    try:
        return eval_config_file(conf, Tags())
    except ConfigError as error:
        cause = error.__cause__
        if isinstance(cause, SyntaxError):
            raise UnreadableConf(
                conf,
                cause.lineno or 1,
                f"Python syntax error ({cause.msg}): fix {conf.name}, which lists the "
                "site's pages and settings",
                code="conf-syntax",
            ) from None
        what = f"{type(cause).__name__}: {cause}" if cause else str(error).strip()
        raise UnreadableConf(
            conf,
            _failing_line(conf, cause),
            f"{conf.name} stops with {what}: fix it so that Sphinx can read the settings",
            code="conf-error",
        ) from None


def _failing_line(conf: Path, error: BaseException | None) -> int:
    """The last line of ``conf`` in the error's traceback (it may fail inside an import)."""
    frames = traceback.extract_tb(error.__traceback__) if error else []
    lines = [frame.lineno for frame in frames if Path(frame.filename) == conf]
    return (lines[-1] if lines else None) or 1


def page_sources(root: Path, config: dict[str, Any], suffix: str = ".md") -> list[Path]:
    """The ``suffix`` files that ``config`` makes pages of the site in ``root``, found
    the way Sphinx finds them (``include_patterns``, ``exclude_patterns``)."""
    project = Project(root, [suffix])
    project.discover(config.get("exclude_patterns", []), config.get("include_patterns", ["**"]))
    return sorted(Path(root) / project.doc2path(doc, absolute=False) for doc in project.docnames)
