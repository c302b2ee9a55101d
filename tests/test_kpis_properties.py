"""Invariants of the usage and declarative KPIs on random small event sets (hypothesis).

Each example loads random events into an in-memory warehouse, builds the rollups and runs the
KPI expressions directly (no files, no report), so a few dozen examples stay fast.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uptake.kpis import rollup, usage
from uptake.kpis.catalog import catalog
from uptake.kpis.compiler import Rollups, compile_kpi
from uptake.project.models import Project
from uptake.sources.base import Chunk
from uptake.vocab import Grain, SegmentLevel
from uptake.warehouse.store import Warehouse

GRAINS: tuple[Grain, ...] = ("day", "week", "month")
LEVELS: tuple[tuple[SegmentLevel, list[str]], ...] = (("all", []), ("country", ["country"]))

START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
PROJECT = Project.model_validate(
    {
        "name": "properties",
        "data_through": "2026-04-26T00:00:00Z",
        "countries": [
            {"code": "DE", "region": "EMEA", "timezone": "Europe/Berlin", "go_live": "2026-03-09"},
            {"code": "JP", "region": "APAC", "timezone": "Asia/Tokyo", "go_live": "2026-03-02"},
        ],
        "sources": [{"type": "events", "path": "x.csv", "mapping": {"user": "u", "timestamp": "t"}}],
    }
)
USERS = [f"u{i}" for i in range(6)]

event = st.tuples(
    st.sampled_from(USERS),
    st.integers(0, 55 * 24 * 60 - 1),  # minute within eight weeks (any time of day)
    st.sampled_from(["login", "view", "update", "create"]),
    st.sampled_from(["opportunity", "account"]),
)
user = st.tuples(st.sampled_from(["DE", "JP"]), st.sampled_from(["T1", "T2"]), st.booleans())


def _warehouse(events: list[tuple[str, int, str, str]], users: list[tuple[str, str, bool]]) -> Warehouse:
    wh = Warehouse(":memory:")
    load = wh.new_load_id()
    acts = {
        "event_id": [f"e{i}" for i in range(len(events))],
        "user_id": [u for u, *_ in events],
        "ts": [(START + dt.timedelta(minutes=m)).replace(tzinfo=None) for _, m, _, _ in events],
        "action": [a for *_, a, _ in events],
        "entity": [e for *_, e in events],
        "source": ["gen"] * len(events),
        "_row": list(range(len(events))),
    }
    wh.load(Chunk("activity", "gen", pa.table(acts), len(events)), "gen", load)
    people = {
        "user_id": USERS,
        "country": [c for c, _, _ in users],
        "team": [t for _, t, _ in users],
        "is_enabled": [e for *_, e in users],
        "is_human": [True] * len(USERS),
        "valid_from": [dt.datetime(2026, 1, 1)] * len(USERS),
        "_row": list(range(len(USERS))),
    }
    wh.load(Chunk("users", "gen", pa.table(people), len(USERS)), "gen", load)
    return wh


def _counts(wh: Warehouse, grain: Grain, level: SegmentLevel) -> pd.DataFrame:
    df = usage.counts(wh.table("user_day"), wh.table("eligible_day"), grain, level, False, "monday")
    df["period_start"] = [pd.Timestamp(d).date() for d in df["period_start"]]
    return df


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(event, min_size=1, max_size=40), st.lists(user, min_size=6, max_size=6))
def test_dau_wau_mau_eligible_and_shares(
    events: list[tuple[str, int, str, str]], users: list[tuple[str, str, bool]]
) -> None:
    with _warehouse(events, users) as wh:
        assert rollup.build(wh, PROJECT) is not None
        for level, seg in LEVELS:
            by = {g: _counts(wh, g, level) for g in GRAINS}
            ae = {
                g: {(r["period_start"], *(r[s] for s in seg)): r for r in df.to_dict("records")}
                for g, df in by.items()
            }
            for (day, *rest), r in ae["day"].items():
                week = day - dt.timedelta(days=day.weekday())
                month = day.replace(day=1)
                w, m = ae["week"][(week, *rest)], ae["month"][(month, *rest)]
                assert r["active_eligible"] <= w["active_eligible"] <= w["eligible"]
                assert r["active_eligible"] <= m["active_eligible"] <= m["eligible"]
                if (week + dt.timedelta(days=6)).month == week.month == month.month:
                    assert w["active_eligible"] <= m["active_eligible"]
            for df in by.values():
                for col, den in (
                    ("active_eligible", "eligible"),
                    ("login_only", "present"),
                    ("active", "present"),
                ):
                    shares = df[col] / df[den].where(df[den] > 0)
                    assert ((shares.dropna() >= 0) & (shares.dropna() <= 1)).all()
        rollups = Rollups(wh.table("user_day"), wh.table("user_feature_day"), wh.table("eligible_day"))
        upd = compile_kpi(
            catalog()["opportunity_updaters"], rollups, "month", "country", False, "monday"
        ).to_pandas()
        assert ((upd["value"].dropna() >= 0) & (upd["value"].dropna() <= 1)).all()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(event, min_size=1, max_size=40), st.lists(user, min_size=6, max_size=6))
def test_monthly_actives_are_distinct_users_never_summed_days(
    events: list[tuple[str, int, str, str]], users: list[tuple[str, str, bool]]
) -> None:
    zone = {"DE": "Europe/Berlin", "JP": "Asia/Tokyo"}
    country = {u: c for u, (c, _, _) in zip(USERS, users, strict=True)}
    expected: dict[tuple[dt.date, str], set[str]] = defaultdict(set)
    daily: dict[tuple[dt.date, str], int] = defaultdict(int)
    seen_days: set[tuple[str, dt.date]] = set()
    for u, minute, action, _ in events:
        if action in ("update", "create"):
            local = (START + dt.timedelta(minutes=minute)).astimezone(ZoneInfo(zone[country[u]])).date()
            expected[(local.replace(day=1), country[u])].add(u)
            if (u, local) not in seen_days:
                seen_days.add((u, local))
                daily[(local.replace(day=1), country[u])] += 1
    with _warehouse(events, users) as wh:
        assert rollup.build(wh, PROJECT) is not None
        got = {
            (r["period_start"], r["country"]): r["active"]
            for r in _counts(wh, "month", "country").to_dict("records")
        }
    assert {k: v for k, v in got.items() if v} == {k: len(v) for k, v in expected.items()}
    for k, users_in_month in expected.items():
        assert got[k] <= daily[k] and (got[k] < daily[k]) == (daily[k] > len(users_in_month))
