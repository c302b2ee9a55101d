"""Sessions: the ``user_session`` rollup and the session KPIs (design.md §5).

A session is a run of a user's events in which no gap exceeds 30 minutes (a gap of exactly 30:00
stays in the session); it is not cut at midnight, belongs to the local day (and segment, phase) of
its first event, and lasts from its first to its last event (0 minutes for a single event).
Every action counts except ``access``: Dataverse access rows are check-points written at most once
per interval, so they make a user present but never start or extend a session.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import ibis
import pandas as pd
from ibis.expr.types import Table

from uptake.kpis import execute, rollup
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, LEVELS_BY_GRAIN, in_level, with_period
from uptake.vocab import Grain, SegmentLevel, WeekStart

SESSION_GAP_MINUTES = 30
NOT_SESSION_ACTIONS = ("access",)
"""Actions that never start or extend a session (check-points, not user interaction)."""
GRAINS: tuple[Grain, ...] = ("day", "week", "month", "total")
_US_PER_MINUTE = 60_000_000
_SEG = ("region", "country", "team", "role")


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    attributed = ctx.table(rollup.ATTRIBUTED)
    us = execute.materialize(
        ctx.wh, "user_session", ("sessions.user_session",), partial(user_sessions, attributed)
    )
    ud = ctx.table("user_day")
    ws = ctx.project.week_start
    for grain in GRAINS:
        for level in LEVELS_BY_GRAIN[grain]:
            yield session_kpis(us, ud, grain, level, ws).assign(grain=grain)


def user_sessions(attributed: Table) -> Table:
    """One row per session from attributed activity (``user_id``, ``ts``, segment, ``local_date``)."""
    a = attributed.filter(~attributed["action"].isin(NOT_SESSION_ACTIONS))
    order = [a["ts"], a["source"], a["event_id"]]
    prev = a["ts"].lag().over(ibis.window(group_by="user_id", order_by=order))
    a = a.mutate(_gap_us=a["ts"].delta(prev, unit="microsecond"))
    starts = a["_gap_us"].isnull() | (a["_gap_us"] > SESSION_GAP_MINUTES * _US_PER_MINUTE)
    a = a.mutate(_start=starts.cast("int64"))
    running = ibis.cumulative_window(group_by="user_id", order_by=[a["ts"], a["source"], a["event_id"]])
    a = a.mutate(session_no=a["_start"].sum().over(running))
    spans = a.group_by("user_id", "session_no").agg(
        start_ts=a["ts"].min(), end_ts=a["ts"].max(), n_events=a.count()
    )
    first = a.filter(a["_start"] == 1).select(
        "user_id", "session_no", "local_date", *_SEG, "phase", "weeks_since_go_live"
    )
    s = first.join(spans, ["user_id", "session_no"])
    return s.mutate(
        minutes=s["end_ts"].delta(s["start_ts"], unit="microsecond").cast("float64") / _US_PER_MINUTE
    )


def session_kpis(
    user_session: Table, user_day: Table, grain: Grain, level: SegmentLevel, ws: WeekStart
) -> pd.DataFrame:
    df = execute.to_pandas(
        user_session,
        ("sessions", grain, level, ws),
        partial(session_kpis_expr, user_session, user_day, grain, level, ws),
    ).drop(columns=["_k"])
    rows = []
    for kpi, value, num, den in (
        ("sessions", "n_sessions", "n_sessions", None),
        ("session_minutes_median", "median", None, "n_sessions"),
        ("session_minutes_p90", "p90", None, "n_sessions"),
        ("active_minutes_per_active_user", "per_user", "active_minutes", "active"),
    ):
        part = df.drop(columns=["n_sessions", "median", "p90", "per_user", "active_minutes", "active"])
        part = part.assign(
            kpi=kpi,
            value=df[value].astype("float64"),
            numerator=df[num].astype("float64") if num else None,
            denominator=df[den].astype("float64") if den else None,
        )
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


def session_kpis_expr(
    user_session: Table, user_day: Table, grain: Grain, level: SegmentLevel, ws: WeekStart
) -> Table:
    """Per period × segment: sessions, median and p90 minutes, minutes per active user."""
    s, pk = with_period(in_level(user_session, level), grain, ws)
    active = user_day.filter(user_day["n_meaningful"] > 0)
    a, _ = with_period(in_level(active, level), grain, ws)
    keys = [*pk, *LEVEL_KEYS[level], "_k"]
    s = s.mutate(_k=ibis.literal(1))
    a = a.mutate(_k=ibis.literal(1))
    stats = s.group_by(keys).agg(
        n_sessions=s.count(),
        median=s["minutes"].quantile(0.5),
        p90=s["minutes"].quantile(0.9),
        n_session_users=s["user_id"].nunique(),
    )
    au = a.select(*keys, "user_id").distinct()
    minutes = s.semi_join(au, [*keys, "user_id"])
    mins = minutes.group_by(keys).agg(active_minutes=minutes["minutes"].sum())
    act = au.group_by(keys).agg(active=au.count())
    per = act.left_join(mins, keys).select(act, mins["active_minutes"])
    per = per.mutate(active_minutes=per["active_minutes"].fill_null(0.0))
    out = stats.outer_join(per, keys)
    coalesced = {k: ibis.coalesce(out[k], out[f"{k}_right"]) for k in keys}
    out = out.select(
        **coalesced,
        n_sessions=out["n_sessions"].fill_null(0),
        median=out["median"],
        p90=out["p90"],
        active_minutes=out["active_minutes"].fill_null(0.0),
        active=out["active"].fill_null(0),
        n_users=ibis.greatest(out["n_session_users"].fill_null(0), out["active"].fill_null(0)),
    )
    return out.mutate(
        per_user=(out["active"] > 0).ifelse(out["active_minutes"] / out["active"], ibis.null("float64"))
    )
