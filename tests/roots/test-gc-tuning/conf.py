# gc_tuning, and a handler that fails at the event named by `fail_at` (none by default).
import functools

from sphinx.application import Sphinx

extensions = ["myst_parser", "citetools.sphinxext.gc_tuning"]
exclude_patterns = ["_build"]
nitpicky = True
fail_at = ""


def fail(event: str, app: Sphinx, *args: object) -> None:
    if app.config.fail_at == event:
        raise RuntimeError(f"failed at {event}")


def setup(app: Sphinx) -> None:
    app.add_config_value("fail_at", "", "env")
    for event in ("builder-inited", "source-read", "build-finished"):
        app.connect(event, functools.partial(fail, event), priority=500)
