"""Support tickets as a ServiceNow-style incident list export (CSV, UTC times): a small base rate,
and a bump that peaks in hypercare (about 18 days after each country's go-live)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from uptake.demo.catalog import TICKET_CATEGORIES
from uptake.demo.simulate import epoch
from uptake.demo.world import World

COLUMNS = (
    "Number",
    "Opened",
    "Caller",
    "Caller e-mail",
    "Country",
    "Category",
    "Priority",
    "State",
    "Short description",
    "Assignment group",
    "First response",
    "Resolved",
)
PEAK_DAY = 18
BASE_RATE, PEAK_RATE = 0.003, 0.04
"""Tickets per live user and day: base, and extra at the hypercare peak."""


def rate(days_since_go_live: np.ndarray) -> np.ndarray:
    x = np.maximum(days_since_go_live, 0) / PEAK_DAY
    out: np.ndarray = np.where(days_since_go_live >= 0, BASE_RATE + PEAK_RATE * x * np.exp(1 - x), 0.0)
    return out


def _fmt(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def write_tickets(world: World, path: Path) -> dict[str, Any]:
    """Returns per-country weekly counts by weeks since go-live (for the ground truth)."""
    rng = np.random.default_rng([world.seed, 5])
    u = world.users
    go_live = np.array([world.countries[c].go_live_day for c in u.country])
    weekly: dict[str, dict[int, int]] = {c.code: {} for c in world.countries}
    path.parent.mkdir(parents=True, exist_ok=True)
    serial = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for d in range(world.days):
            live = (d >= np.maximum(go_live, u.created_day)) & (d < u.leave_day)
            hit = np.flatnonzero(live & (rng.random(u.n) < rate(d - go_live)))
            for i in hit.tolist():
                serial += 1
                c = world.countries[int(u.country[i])]
                opened = epoch(world.day(d)) + int(rng.integers(6 * 3600, 18 * 3600))
                first = opened + int(rng.lognormal(7.5, 0.8))
                resolved = first + int(rng.lognormal(10.5, 1.0))
                category = TICKET_CATEGORIES[int(rng.integers(0, len(TICKET_CATEGORIES)))]
                done = resolved < epoch(world.day(world.days - 1)) + 86400
                priority = "2 - High" if rng.random() < 0.25 else "3 - Moderate"
                out.writerow(
                    [
                        f"INC{1000000 + serial}",
                        _fmt(opened),
                        world.name(i),
                        world.email(i),
                        c.spec.name,
                        category,
                        priority,
                        "Resolved" if done else "In Progress",
                        f"{category}: {world.role(i)} in {c.spec.city}",
                        f"CRM Hypercare {c.spec.region}",
                        _fmt(first),
                        _fmt(resolved) if done else "",
                    ]
                )
                week = (d - c.go_live_day) // 7
                weekly[c.code][week] = weekly[c.code].get(week, 0) + 1
    return {
        "rows": serial,
        "weekly_by_weeks_since_go_live": {k: dict(sorted(v.items())) for k, v in weekly.items()},
    }
