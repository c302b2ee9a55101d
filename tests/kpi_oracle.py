"""An independent route to the KPIs: plain Python over the raw fixture records (``kpi_fixture``).

Nothing here reads the warehouse or imports the KPI code; periods, zones, phases, eligibility and
attribution are re-derived from the definitions in design.md §5. Each oracle returns
``{row key: (value, numerator, denominator, n_users)}`` with the key of :func:`key`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from kpi_fixture import Event, Fixture, Version

MEANINGFUL = {"create", "update", "delete", "assign", "share", "qualify", "win", "lose", "resolve"}
LEVELS = {
    "day": ("all", "region", "country"),
    "week": ("all", "region", "country", "team", "role"),
    "month": ("all", "region", "country", "team", "role"),
    "quarter": ("all", "region", "country"),
    "since_go_live_week": ("all", "region", "country", "team", "role"),
    "total": ("all", "region", "country", "team", "role"),
}
LEVEL_COLS = {
    "all": (),
    "region": ("region",),
    "country": ("country",),
    "team": ("region", "country", "team"),
    "role": ("region", "country", "role"),
}
Key = tuple[object, ...]
GKey = tuple[tuple[str, object], ...]
"""A group: sorted (column, value) pairs."""
Row = tuple[float | None, float | None, float | None, int | None]


def key(kpi: str, grain: str, r: dict[str, object]) -> Key:
    """The identity of a kpi_values row (phase only where it is a key, not derived)."""
    return (
        kpi,
        grain,
        r.get("period_start") if grain in ("day", "week", "month", "quarter") else None,
        r.get("weeks_since_go_live") if grain == "since_go_live_week" else None,
        *(r.get(c) for c in ("region", "country", "team", "role", "feature")),
        r.get("phase") if grain == "total" else None,
    )


@dataclass(frozen=True)
class Fact:
    """One event or eligible day, placed in its user's segment, local day and phase."""

    user: str
    day: dt.date
    region: str | None
    country: str | None
    team: str | None
    role: str | None
    phase: str | None
    weeks: int | None
    event: Event | None = None


def period(day: dt.date, grain: str) -> dt.date | None:
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return None


def groups(
    f: Fact, grain: str, by_phase: bool = False, levels: tuple[str, ...] | None = None
) -> Iterator[tuple[str, dict[str, object]]]:
    """Every (level, key columns) group the fact belongs to at this grain (levels: as in periods.py)."""
    if grain == "since_go_live_week" and f.weeks is None:
        return
    if by_phase and f.phase is None:
        return
    for level in levels or LEVELS[grain]:
        cols = LEVEL_COLS[level]
        if cols and getattr(f, cols[-1]) is None:
            continue
        g: dict[str, object] = {c: getattr(f, c) for c in cols}
        if "country" in g:  # rows of a country carry its region
            g["region"] = f.region
        if grain == "since_go_live_week":
            g["weeks_since_go_live"] = f.weeks
        elif grain != "total":
            g["period_start"] = period(f.day, grain)
        if by_phase:
            g["phase"] = f.phase
        yield level, g


def gkey(g: dict[str, object]) -> GKey:
    return tuple(sorted(g.items()))


class World:
    """The fixture, attributed: facts of events and of eligible days."""

    def __init__(self, fx: Fixture) -> None:
        self.fx = fx
        self.country = {c.code: c for c in fx.countries}
        self.nonhuman = {v.user for v in fx.versions if not v.human}

    def version_at(self, user: str, ts: dt.datetime) -> Version | None:
        for v in self.fx.versions:
            start = dt.datetime.combine(v.valid_from, dt.time(), dt.UTC)
            end = None if v.valid_to is None else dt.datetime.combine(v.valid_to, dt.time(), dt.UTC)
            if v.user == user and start <= ts and (end is None or ts < end + dt.timedelta(days=1)):
                return v
        return None

    def fact(self, user: str, country: str | None, team: str | None, role: str | None, day: dt.date) -> Fact:
        c = self.country.get(country) if country else None
        if c is None:
            return Fact(user, day, None, None, team, role, None, None)
        days = (day - c.go_live).days
        phase = (
            "readiness"
            if days < 0
            else "go_live"
            if days < 14
            else "hypercare"
            if days < 56
            else "stabilization"
        )
        return Fact(user, day, c.region, c.code, team, role, phase, days // 7)

    def local_day(self, country: str | None, ts: dt.datetime) -> dt.date:
        zone = self.country[country].tz if country else "Europe/Berlin"
        return ts.astimezone(ZoneInfo(zone)).date()

    @cached_property
    def events(self) -> list[Fact]:
        """Events of human accounts (integration accounts are no users)."""
        out = []
        for e in self.fx.events:
            if e.user in self.nonhuman:
                continue
            v = self.version_at(e.user, e.ts)
            country = v.country if v else None
            f = self.fact(
                e.user, country, v.team if v else None, v.role if v else None, self.local_day(country, e.ts)
            )
            out.append(Fact(**{**f.__dict__, "event": e}))
        return out

    @cached_property
    def span(self) -> tuple[dt.date, dt.date]:
        days = [f.day for f in self.events]
        return min(days), max(max(days), self.fx.data_through)

    @cached_property
    def eligible(self) -> list[Fact]:
        """One fact per user version and local day on which it was enabled, human and live."""
        first, last = self.span
        out = []
        for v in self.fx.versions:
            if not (v.enabled and v.human):
                continue
            day = max(first, v.valid_from)
            end = min(last, v.valid_to or last)
            while day <= end:
                if self.country[v.country].go_live <= day:
                    out.append(self.fact(v.user, v.country, v.team, v.role, day))
                day += dt.timedelta(days=1)
        return out

    @property
    def last_week(self) -> dt.date:
        start = period(self.span[1], "week")
        assert start is not None
        return start


def meaningful(f: Fact) -> bool:
    return f.event is not None and f.event.action in MEANINGFUL


def grains_of(grains: Iterable[str], by_phase_total: bool = True) -> Iterator[tuple[str, bool]]:
    for grain in grains:
        yield grain, False
        if grain == "total" and by_phase_total:
            yield grain, True


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def group_sets(facts: Iterable[Fact], grain: str, by_phase: bool) -> dict[GKey, set[str]]:
    """Distinct users per group."""
    out: dict[GKey, set[str]] = defaultdict(set)
    for f in facts:
        for _, g in groups(f, grain, by_phase):
            out[gkey(g)].add(f.user)
    return out
