"""An incremental cursor on a creation time, with an overlap window, de-duplication on the natural
key at the boundary, and the link to resume an interrupted pull — kept as readable JSON state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from uptake.sources.dataverse import values as v


@dataclass
class Cursor:
    overlap: dt.timedelta
    last: dt.datetime | None = None
    """Latest creation time loaded so far."""
    seen: dict[str, str] = field(default_factory=dict)
    """Keys loaded whose time is within ``overlap`` of ``last`` (→ time): re-read rows to drop."""
    resume: str | None = None
    """``@odata.nextLink`` of the next page when the last run stopped half-way."""
    skipped: int = 0
    """Rows re-read in the overlap window and dropped because their key was loaded already."""

    @classmethod
    def from_state(cls, state: Any, overlap: dt.timedelta) -> Cursor:
        state = state if isinstance(state, dict) else {}
        last = v.utc(state.get("last")) if state.get("last") else None
        return cls(overlap, last, dict(state.get("seen", {})), state.get("resume"))

    def since(self, start: dt.datetime | None) -> dt.datetime | None:
        """Where the next pull starts: the overlap before ``last``, else ``start``."""
        return self.last - self.overlap if self.last else start

    def fresh(self, key: str, ts: dt.datetime) -> bool:
        """True the first time a key is seen; marks it."""
        if key in self.seen:
            self.skipped += 1
            return False
        self.seen[key] = v.iso_us(ts)
        if self.last is None or ts > self.last:
            self.last = ts
        return True

    def state(self) -> dict[str, Any]:
        if self.last is not None:
            edge = self.last - self.overlap
            self.seen = {k: t for k, t in self.seen.items() if (v.utc(t) or edge) >= edge}
        return {
            "last": v.iso_us(self.last) if self.last else None,
            "seen": dict(sorted(self.seen.items())),
            "resume": self.resume,
            "skipped_last_run": self.skipped,
        }
