"""Links found working recently, so a rerun does not ask every host again.

Only working results are kept: an error is checked again on every run, so a source
that comes back is noticed at once and a broken one is never hidden. Entries older than
the cache's age limit count as absent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

FILENAME = "cache.json"
#: Set by ``citetools links --no-cache``: the run requests every link again.
NO_CACHE_VARIABLE = "CITETOOLS_LINKCHECK_NO_CACHE"
_FORMAT = 1


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class LinkCache:
    path: Path
    #: uri -> when it was last found working
    checked: dict[str, datetime] = field(default_factory=dict)

    @classmethod
    def load(cls, outdir: Path) -> LinkCache:
        path = Path(outdir) / FILENAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != _FORMAT:
                return cls(path)
            checked = {uri: datetime.fromisoformat(when) for uri, when in data["links"].items()}
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            # A missing or damaged cache only costs a full check.
            return cls(path)
        return cls(path, checked)

    def fresh(self, max_age_days: float, at: datetime | None = None) -> dict[str, datetime]:
        """The links found working less than ``max_age_days`` ago."""
        limit = (at or now()) - timedelta(days=max_age_days)
        return {uri: when for uri, when in self.checked.items() if when > limit}

    def record(self, working: set[str], failed: set[str], at: datetime | None = None) -> None:
        when = at or now()
        for uri in working:
            self.checked[uri] = when
        for uri in failed:
            self.checked.pop(uri, None)

    def save(self, max_age_days: float) -> None:
        kept = self.fresh(max_age_days)
        data = {
            "format": _FORMAT,
            "links": {uri: when.isoformat() for uri, when in sorted(kept.items())},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
