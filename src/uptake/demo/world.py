"""The seeded world: countries with go-live waves and calendars, teams, users, and injected facts."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from uptake.demo import ids
from uptake.demo.adoption import Diffusion, sample_adoption
from uptake.demo.calendars import CountryCalendar, build_calendar
from uptake.demo.catalog import COUNTRIES, LICENCES, ROLES, SALES_ROLES, CountrySpec
from uptake.demo.scales import Scale

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

TEAM_SIZE = 12
STALL_COUNTRY, STALL_WEEK = "FR", 5
NPS_COUNTRY = "GB"
DQ_FUNCTION = "Sales"
REVENUE_EFFECT = 0.10
"""Go-live raises expected revenue per sales user by this share (a step at go-live)."""


@dataclass(frozen=True)
class Country:
    spec: CountrySpec
    go_live_day: int
    calendar: CountryCalendar
    diffusion: Diffusion
    training_share: float

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def go_live(self) -> dt.date:
        return self.calendar.days[0] + dt.timedelta(days=self.go_live_day)


@dataclass(frozen=True)
class Team:
    name: str
    country: int
    function: str


@dataclass(frozen=True)
class Users:
    """One entry per human user (arrays share the index)."""

    country: I64
    role: I64
    team: I64
    trained: B
    training_day: I64
    """Day the user completed training (−1 = not trained)."""
    created_day: I64
    """Day the CRM account was created (negative = before the window)."""
    leave_day: I64
    """Day the account was disabled (``days`` = never within the window)."""
    adoption_day: F64
    """Day of first regular use (inf = never)."""
    intensity: F64
    first: list[str]
    last: list[str]

    @property
    def n(self) -> int:
        return len(self.country)


@dataclass(frozen=True)
class Injected:
    stall_country: int
    stall_week: int
    holiday_country: int
    holiday_week_day: int
    """Day index of the Monday of the holiday week."""
    dq_team: int
    dq_start_day: int
    nps_country: int
    release_day: int
    survey_days: tuple[int, ...]


@dataclass(frozen=True)
class World:
    scale: Scale
    seed: int
    countries: tuple[Country, ...]
    teams: tuple[Team, ...]
    users: Users
    injected: Injected

    @property
    def days(self) -> int:
        return self.scale.days

    def day(self, i: int) -> dt.date:
        return self.scale.start + dt.timedelta(days=i)

    def user_guid(self, i: int) -> str:
        return ids.guid(ids.USER, self.seed, i)

    def aad_guid(self, i: int) -> str:
        return ids.guid(ids.AAD, self.seed, i)

    def name(self, i: int) -> str:
        return f"{self.users.first[i]} {self.users.last[i]}"

    def email(self, i: int) -> str:
        return f"{_ascii(self.users.first[i])}.{_ascii(self.users.last[i])}.{i}@{ids.MAIL_DOMAIN}".lower()

    def role(self, i: int) -> str:
        return ROLES[int(self.users.role[i])][0]

    def licence(self, i: int) -> str:
        return LICENCES[ROLES[int(self.users.role[i])][1]]

    def is_sales(self) -> B:
        return np.isin(self.users.role, [k for k, r in enumerate(ROLES) if r[0] in SALES_ROLES])


def _ascii(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "-"})
    import unicodedata

    norm = unicodedata.normalize("NFKD", text.lower().translate(table))
    return "".join(c for c in norm if c.isascii() and (c.isalnum() or c == "-"))


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of ``total`` by ``weights``."""
    raw = [total * w / sum(weights) for w in weights]
    out = [math.floor(x) for x in raw]
    for k in sorted(range(len(raw)), key=lambda k: out[k] - raw[k])[: total - sum(out)]:
        out[k] += 1
    return out


def build_world(scale: Scale, seed: int) -> World:
    rng = np.random.default_rng(seed)
    countries = tuple(
        Country(
            spec,
            scale.wave_days[spec.wave - 1],
            build_calendar(spec, scale.start, scale.days),
            Diffusion(
                p=0.01 * float(rng.uniform(0.8, 1.25)),
                q=0.04 * float(rng.uniform(0.85, 1.2)),
                ceiling=float(rng.uniform(0.72, 0.8)),
            ),
            float(rng.uniform(0.5, 0.8)),
        )
        for spec in COUNTRIES
    )
    sizes = _allocate(scale.users, [c.spec.weight for c in countries])
    country = np.repeat(np.arange(len(countries)), sizes).astype(np.int64)
    role = rng.choice(len(ROLES), size=scale.users, p=[r[2] for r in ROLES]).astype(np.int64)
    order = np.lexsort((role, country))
    country, role = country[order], role[order]
    teams: list[Team] = []
    team = np.zeros(scale.users, dtype=np.int64)
    for ci in range(len(countries)):
        for function in ("Sales", "Service", "Marketing"):
            members = np.flatnonzero(
                (country == ci) & np.isin(role, [k for k, r in enumerate(ROLES) if r[1] == function])
            )
            n_teams = max(1, math.ceil(len(members) / TEAM_SIZE))
            for k in range(n_teams):
                team[members[k::n_teams]] = len(teams)
                teams.append(Team(f"{countries[ci].code} {function} {k + 1}", ci, function))
    go_live = np.array([countries[c].go_live_day for c in country])
    training_share = np.array([countries[c].training_share for c in country])
    trained = rng.random(scale.users) < training_share
    training_day = np.where(trained, np.maximum(0, go_live - rng.integers(1, 22, scale.users)), -1)
    joiner = rng.random(scale.users) < 0.03
    late = go_live + 7 + np.floor(rng.random(scale.users) * np.maximum(1, scale.days - go_live - 21))
    created_day = np.where(joiner, late.astype(np.int64), go_live - 30)
    created_day = np.minimum(created_day, scale.days - 1)
    leaver = (rng.random(scale.users) < 0.03) & ~joiner
    gone = go_live + 14 + np.floor(rng.random(scale.users) * np.maximum(1, scale.days - go_live - 14))
    leave_day = np.where(leaver, gone.astype(np.int64), scale.days)
    leave_day = np.minimum(leave_day, scale.days)
    start = np.maximum(go_live, created_day)
    adoption_day = start + sample_adoption(rng, [countries[c].diffusion for c in country], trained)
    stall = _index(countries, STALL_COUNTRY)
    stalled = (country == stall) & (adoption_day >= go_live + 7 * STALL_WEEK)
    adoption_day = np.where(stalled, np.inf, adoption_day)
    intensity = rng.beta(6.0, 2.0, scale.users)
    picks = rng.integers(0, 1_000_000, (2, scale.users))
    first = [_pick(countries[c].spec.locale_first, k) for c, k in zip(country, picks[0], strict=True)]
    last = [_pick(countries[c].spec.locale_last, k) for c, k in zip(country, picks[1], strict=True)]
    users = Users(
        country,
        role,
        team,
        trained,
        training_day,
        created_day,
        leave_day,
        adoption_day,
        intensity,
        first,
        last,
    )
    return World(scale, seed, countries, tuple(teams), users, _inject(scale, countries, teams, users))


def _pick(options: tuple[str, ...], k: np.int64) -> str:
    return options[int(k) % len(options)]


def _index(countries: tuple[Country, ...], code: str) -> int:
    return next(i for i, c in enumerate(countries) if c.code == code)


def _clean_week(cal: CountryCalendar, monday: int) -> bool:
    return not cal.holiday_weekdays(monday, monday + 7)


def _inject(scale: Scale, countries: tuple[Country, ...], teams: list[Team], users: Users) -> Injected:
    stall, nps = _index(countries, STALL_COUNTRY), _index(countries, NPS_COUNTRY)
    best: tuple[int, int, int, int] = (0, 0, -1, -1)
    for ci, c in enumerate(countries):
        if ci == stall:
            continue
        for monday in range(c.go_live_day + 14, scale.days - 13, 7):
            n = len(c.calendar.holiday_weekdays(monday, monday + 7))
            clean = _clean_week(c.calendar, monday - 7) and _clean_week(c.calendar, monday + 7)
            size = int(np.sum(users.country == ci))
            if clean and (n, size) > best[:2]:
                best = (n, size, ci, monday)
    if best[2] < 0:
        raise ValueError("no week with a public holiday after go-live in this window")
    taken = {stall, nps, best[2]}
    sales_teams = [
        (int(np.sum(users.team == k)), -k)
        for k, t in enumerate(teams)
        if t.function == DQ_FUNCTION and t.country not in taken and countries[t.country].spec.wave <= 2
    ]
    dq_team = -max(sales_teams)[1]
    dq_start = countries[teams[dq_team].country].go_live_day + 21
    surveys = tuple(range(scale.wave_days[0] + 21, scale.days, 28))
    live = [d for d in surveys if d >= countries[nps].go_live_day + 7]
    pairs = list(itertools.pairwise(live))
    if not pairs:
        raise ValueError("the window holds fewer than two survey waves after the NPS country's go-live")
    release = pairs[len(pairs) // 2][0] + 15
    return Injected(stall, STALL_WEEK, best[2], best[3], dq_team, dq_start, nps, release, surveys)
