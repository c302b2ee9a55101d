"""Digital adoption platform (WalkMe/Whatfix-style) flow events as a CSV export: guided flows that
users start, step through, complete, fail, or open help in; heavy in the first weeks after go-live."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

from uptake.demo import ids
from uptake.demo.catalog import DAP_FLOWS, ROLES
from uptake.demo.simulate import DayBatch
from uptake.demo.world import World

COLUMNS = ("Timestamp (UTC)", "User", "Flow ID", "Flow name", "Step", "Step name", "Status", "Session ID")
_FLOWS_BY_FUNCTION = {"Sales": (0, 1, 2, 4), "Service": (2, 3, 4), "Marketing": (1, 4)}


class DapWriter:
    def __init__(self, world: World, path: Path) -> None:
        self.world = world
        self.rng = np.random.default_rng([world.seed, 6])
        self.go_live = np.array([world.countries[c].go_live_day for c in world.users.country])
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = path.open("w", encoding="utf-8", newline="")
        self.out = csv.writer(self.fh)
        self.out.writerow(COLUMNS)
        self.rows = 0

    def write(self, batch: DayBatch) -> None:
        w, rng, u = self.world, self.rng, self.world.users
        since = batch.day - self.go_live
        p = np.where(since >= 0, 0.35 * np.exp(-np.maximum(since, 0) / 14) + 0.03, 0)
        for i in np.flatnonzero(batch.present & (rng.random(u.n) < p)).tolist():
            options = _FLOWS_BY_FUNCTION[ROLES[int(u.role[i])][1]]
            flow_id, name, steps = DAP_FLOWS[options[int(rng.integers(0, len(options)))]]
            t = int(batch.first_ts[i]) + int(rng.integers(300, 6 * 3600))
            session = ids.token(w.seed, batch.day, i, flow_id)[:16]
            fail_at = int(rng.integers(2, steps + 1)) if rng.random() < (0.1 if u.trained[i] else 0.25) else 0
            self._row(t, i, flow_id, name, 1, "started", session)
            for step in range(2, steps + 1):
                t += int(rng.integers(10, 90))
                if rng.random() < 0.08:
                    self._row(t, i, flow_id, name, step, "help-opened", session)
                if step == fail_at:
                    self._row(t, i, flow_id, name, step, "failed", session)
                    break
            else:
                self._row(t + 5, i, flow_id, name, steps, "completed", session)

    def _row(self, ts: int, i: int, flow_id: str, name: str, step: int, status: str, session: str) -> None:
        when = dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.out.writerow([when, self.world.email(i), flow_id, name, step, f"Step {step}", status, session])
        self.rows += 1

    def close(self) -> int:
        self.fh.close()
        return self.rows
