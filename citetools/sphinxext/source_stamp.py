"""Stamps of code, for what a build keeps for the next one.

A stamp names the file an object's code was loaded from, with the file's size
and modification time: when the code is edited, the stamp changes, and what
the old code made is no longer taken as current.
"""

from __future__ import annotations

import inspect
import os

Stamp = tuple[str, int, int]


def source_stamp(obj: object) -> Stamp | None:
    """Where *obj*'s code is and its file's size and time; None if it has no file."""
    try:
        source = inspect.getsourcefile(obj)  # type: ignore[arg-type]
    except TypeError:
        return None
    if source is None:
        return None
    stat = os.stat(source)
    return source, stat.st_size, stat.st_mtime_ns
