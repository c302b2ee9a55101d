"""A generated multi-country project for independent KPI checks, as raw Python records and files.

Three countries in different zones (DE with a DST switch on 2026-03-29, JP and IN without),
staggered go-lives, a user who changes team (two versions), a user disabled part-way, a user
created after go-live, a non-human integration account, events close to local and UTC midnight,
and closed opportunities. The raw records here are what the independent oracle reads; the
pipeline reads the CSV files written from them.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from conftest import make_project

UTC = dt.UTC


@dataclass(frozen=True)
class Country:
    code: str
    region: str
    tz: str
    go_live: dt.date


@dataclass(frozen=True)
class Version:
    user: str
    country: str
    team: str
    role: str
    enabled: bool
    human: bool
    valid_from: dt.date
    """First day of validity (00:00 UTC, the source zone)."""
    valid_to: dt.date | None
    """Last day of validity, inclusive (a date-only ``valid to`` means through that day)."""


@dataclass(frozen=True)
class Event:
    event_id: str
    user: str
    ts: dt.datetime
    action: str
    entity: str | None


@dataclass(frozen=True)
class Deal:
    record_id: str
    owner: str
    created: dt.datetime
    closed: dt.datetime | None
    state: str
    value: float


@dataclass(frozen=True)
class Fixture:
    countries: tuple[Country, ...]
    versions: tuple[Version, ...]
    events: tuple[Event, ...]
    deals: tuple[Deal, ...]
    first: dt.date
    data_through: dt.date
    week_start: int = 0
    """0 = Monday."""


COUNTRIES = (
    Country("DE", "EMEA", "Europe/Berlin", dt.date(2026, 3, 2)),
    Country("JP", "APAC", "Asia/Tokyo", dt.date(2026, 3, 11)),
    Country("IN", "APAC", "Asia/Kolkata", dt.date(2026, 3, 23)),
)
FIRST = dt.date(2026, 2, 23)
LAST = dt.date(2026, 4, 19)
_ACTIONS = ("login", "access", "view", "update", "update", "create", "win", "share")
_ENTITIES = ("opportunity", "account", "contact", None)


def _versions() -> list[Version]:
    out: list[Version] = []
    start = dt.date(2026, 1, 1)
    for c in COUNTRIES:
        for i in range(1, 5):
            team, role = f"{c.code}-T{1 + i % 2}", ("sales", "service")[i % 2]
            out.append(Version(f"{c.code.lower()}{i}", c.code, team, role, True, True, start, None))
    # de1 changes team on 2026-03-20; de2 is disabled from 2026-03-26; jp4 is created on 2026-03-20
    out = [v for v in out if v.user not in ("de1", "de2", "jp4")]
    out += [
        Version("de1", "DE", "DE-T2", "service", True, True, start, dt.date(2026, 3, 19)),
        Version("de1", "DE", "DE-T1", "service", True, True, dt.date(2026, 3, 20), None),
        Version("de2", "DE", "DE-T1", "sales", True, True, start, dt.date(2026, 3, 25)),
        Version("de2", "DE", "DE-T1", "sales", False, True, dt.date(2026, 3, 26), None),
        Version("jp4", "JP", "JP-T1", "sales", True, True, dt.date(2026, 3, 20), None),
        Version("bot", "DE", "DE-T1", "sales", True, False, start, None),
    ]
    return out


def _events(versions: list[Version], rng: random.Random) -> list[Event]:
    zones = {c.code: c.tz for c in COUNTRIES}
    users = sorted({v.user for v in versions})
    out: list[Event] = []
    day = FIRST
    while day <= LAST:
        for u in users:
            if u == "in4" or rng.random() < 0.45:  # in4 never acts (censored, not started)
                continue
            v = next(x for x in versions if x.user == u)
            if v.valid_from > day or (u == "de2" and day > dt.date(2026, 3, 25)):
                continue
            zone = dt.UTC if rng.random() < 0.3 else _zone(zones[v.country])
            for _ in range(rng.randint(1, 4)):
                # local times near midnight as often as ordinary office hours
                minute = rng.choice([5, 20, 23 * 60 + 40, 23 * 60 + 55, 9 * 60, 14 * 60 + 30])
                local = dt.datetime.combine(day, dt.time(), zone) + dt.timedelta(minutes=minute)
                action = "login" if u == "jp3" else rng.choice(_ACTIONS)  # jp3 only logs in
                entity = None if action == "login" else rng.choice(_ENTITIES)
                out.append(Event(f"e{len(out)}", u, local.astimezone(UTC), action, entity))
        day += dt.timedelta(days=1)
    return out


def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _deals(versions: list[Version], rng: random.Random) -> list[Deal]:
    owners = sorted({v.user for v in versions if v.human and v.user != "jp4"})
    out: list[Deal] = []
    for i in range(60):
        created = dt.datetime(2026, 1, 5, tzinfo=UTC) + dt.timedelta(minutes=rng.randint(0, 80 * 24 * 60))
        state = rng.choice(("won", "lost", "won", "open"))
        closed = None
        if state != "open":
            closed = created + dt.timedelta(minutes=rng.randint(30, 40 * 24 * 60))
            closed = closed.replace(hour=rng.choice((0, 14, 15, 23)), minute=rng.choice((10, 50)))
            closed = max(closed, created + dt.timedelta(minutes=1))
        out.append(
            Deal(f"o{i}", rng.choice(owners), created, closed, state, float(rng.randint(1, 50) * 1000))
        )
    return out


def build(seed: int = 7) -> Fixture:
    rng = random.Random(seed)
    versions = _versions()
    return Fixture(
        COUNTRIES, tuple(versions), tuple(_events(versions, rng)), tuple(_deals(versions, rng)), FIRST, LAST
    )


def _iso(t: dt.datetime | None) -> str:
    return "" if t is None else t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def write(fx: Fixture, folder: Path, kpis_yaml: str = "") -> Path:
    """Write the project (``uptake.yaml``, users, events, opportunities) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "users.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["user_id", "country", "team", "role", "enabled", "kind", "valid_from", "valid_to"])
        for v in fx.versions:
            kind = "person" if v.human else "integration"
            to = "" if v.valid_to is None else v.valid_to.isoformat()
            w.writerow([v.user, v.country, v.team, v.role, str(v.enabled).lower(), kind, v.valid_from, to])
    with (folder / "events.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["event_id", "user_id", "ts", "action", "entity"])
        for e in fx.events:
            w.writerow([e.event_id, e.user, _iso(e.ts), e.action, e.entity or ""])
    with (folder / "deals.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "owner", "created", "closed", "state", "value"])
        for d in fx.deals:
            w.writerow([d.record_id, d.owner, _iso(d.created), _iso(d.closed), d.state, d.value])
    countries = "\n".join(
        f"  - {{code: {c.code}, region: {c.region}, timezone: {c.tz}, go_live: {c.go_live}}}"
        for c in fx.countries
    )
    text = f"""\
name: independent
timezone: Europe/Berlin
data_through: {fx.data_through}T23:59:59Z
countries:
{countries}
privacy:
  min_group_size: 1
sources:
  - type: users
    path: users.csv
    mapping: {{user_id: user_id, country: country, team: team, role: role, is_enabled: enabled,
               is_human: kind, valid_from: valid_from, valid_to: valid_to}}
  - type: events
    path: events.csv
    mapping: {{user: user_id, timestamp: ts, action: action, entity: entity, event_id: event_id}}
  - type: crm-records
    path: deals.csv
    emit_activity: false
    mapping: {{record_id: id, owner: owner, created: created, closed: closed, state: state, value: value}}
{kpis_yaml}"""
    return make_project(folder, text)
