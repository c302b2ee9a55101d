"""Period keys per grain as Ibis expressions, and the segment columns of each level."""

from __future__ import annotations

from ibis.expr.types import Table

from uptake.calendar import week_start_index
from uptake.vocab import Grain, SegmentLevel, WeekStart

LEVEL_KEYS: dict[SegmentLevel, tuple[str, ...]] = {
    "all": (),
    "region": ("region",),
    "country": ("country",),
    "team": ("region", "country", "team"),
    "role": ("region", "country", "role"),
}
"""Columns a level groups by; the last one must be non-null for a row to belong to the level."""

LEVELS_BY_GRAIN: dict[Grain, tuple[SegmentLevel, ...]] = {
    "day": ("all", "region", "country"),
    "week": ("all", "region", "country", "team", "role"),
    "month": ("all", "region", "country", "team", "role"),
    "quarter": ("all", "region", "country"),
    "since_go_live_week": ("all", "region", "country", "team", "role"),
    "total": ("all", "region", "country", "team", "role"),
}
"""Daily rows per team would swamp the output; teams and roles start at weekly grain."""


def with_period(t: Table, grain: Grain, week_start: WeekStart) -> tuple[Table, list[str]]:
    """Add the period key of ``grain`` computed from ``local_date``; return it with its names."""
    d = t["local_date"]
    if grain == "day":
        return t.mutate(period_start=d), ["period_start"]
    if grain == "week":
        back = (d.day_of_week.index() - week_start_index(week_start) + 7) % 7
        return t.mutate(period_start=(d - back.as_interval("D")).cast("date")), ["period_start"]
    if grain == "month":
        return t.mutate(period_start=d.truncate("M").cast("date")), ["period_start"]
    if grain == "quarter":
        return t.mutate(period_start=d.truncate("Q").cast("date")), ["period_start"]
    if grain == "since_go_live_week":
        return t.filter(t["weeks_since_go_live"].notnull()), ["weeks_since_go_live"]
    return t, []


def in_level(t: Table, level: SegmentLevel) -> Table:
    keys = LEVEL_KEYS[level]
    return t.filter(t[keys[-1]].notnull()) if keys else t
