"""Weekly lifecycle, feature usage and time to first activity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

from uptake.kpis import execute
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, LEVELS_BY_GRAIN, in_level, with_period
from uptake.vocab import Grain, SegmentLevel, WeekStart

_SEG = ("region", "country", "team", "role")


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    ws = ctx.project.week_start
    ud, el, ufd = ctx.table("user_day"), ctx.table("eligible_day"), ctx.table("user_feature_day")
    for level in LEVELS_BY_GRAIN["week"]:
        yield lifecycle(ud, level, ws, ctx.last_week).assign(grain="week")
    for grain in ("week", "month", "total"):
        for level in ("all", "region", "country"):
            yield feature_usage(ufd, ud, grain, level, ws).assign(grain=grain)
    for level in LEVELS_BY_GRAIN["total"]:
        yield first_activity(ud, el, level, ctx.span.last).assign(grain="total")


def lifecycle(user_day: Table, level: SegmentLevel, ws: WeekStart, last_week: dt.date) -> pd.DataFrame:
    """Per week: new, returning, resurrecting and dormant users (first-seen from all history)."""
    return execute.to_pandas(
        user_day,
        ("engagement.lifecycle", level, ws, last_week),
        lambda: lifecycle_expr(user_day, level, ws, last_week),
    )


def lifecycle_expr(user_day: Table, level: SegmentLevel, ws: WeekStart, last_week: dt.date) -> Table:
    active = user_day.filter(user_day["n_meaningful"] > 0)
    first = active.group_by("user_id").agg(local_date=active["local_date"].min())
    first, _ = with_period(first, "week", ws)
    first = first.select("user_id", first_week=first["period_start"])
    cur, _ = with_period(in_level(active, level), "week", ws)
    keys = ["period_start", *LEVEL_KEYS[level]]
    cur = cur.select(*keys, "user_id").distinct()
    prev = cur.mutate(period_start=(cur["period_start"] + ibis.interval(days=7)).cast("date"))
    prev = prev.filter(prev["period_start"] <= last_week)
    cur_f = cur.join(first, "user_id")
    new = cur_f.filter(cur_f["first_week"] == cur_f["period_start"])
    returning = cur.semi_join(prev, [*keys, "user_id"])
    resurrecting = cur_f.anti_join(prev, [*keys, "user_id"]).filter(
        lambda t: t["first_week"] < t["period_start"]
    )
    dormant = prev.anti_join(cur, [*keys, "user_id"])
    parts = [
        t.group_by(keys).agg(value=t.count()).mutate(kpi=ibis.literal(name))
        for name, t in (
            ("lifecycle_new", new),
            ("lifecycle_returning", returning),
            ("lifecycle_resurrecting", resurrecting),
            ("lifecycle_dormant", dormant),
        )
    ]
    return ibis.union(*parts)


def feature_usage(
    user_feature_day: Table, user_day: Table, grain: Grain, level: SegmentLevel, ws: WeekStart
) -> pd.DataFrame:
    """Users of each feature (entity.action) over active users in the period and segment."""
    df = execute.to_pandas(
        user_day,
        ("engagement.features", grain, level, ws),
        lambda: feature_usage_expr(user_feature_day, user_day, grain, level, ws),
    ).drop(columns=["_k"])
    df["value"] = df["numerator"] / df["denominator"]
    df["kpi"] = "feature_usage"
    return df


def feature_usage_expr(
    user_feature_day: Table, user_day: Table, grain: Grain, level: SegmentLevel, ws: WeekStart
) -> Table:
    f, pk = with_period(in_level(user_feature_day, level), grain, ws)
    a, _ = with_period(in_level(user_day.filter(user_day["n_meaningful"] > 0), level), grain, ws)
    keys = [*pk, *LEVEL_KEYS[level]]
    f = f.mutate(_k=ibis.literal(1))
    a = a.mutate(_k=ibis.literal(1))
    keys.append("_k")
    fu = f.select(*keys, "feature", "user_id").distinct()
    users = fu.group_by([*keys, "feature"]).agg(numerator=fu.count())
    au = a.select(*keys, "user_id").distinct()
    act = au.group_by(keys).agg(denominator=au.count())
    return users.join(act, keys)


def first_activity(user_day: Table, eligible_day: Table, level: SegmentLevel, last: dt.date) -> pd.DataFrame:
    """Kaplan–Meier median days from eligibility start to first meaningful action, per segment.

    A user's clock starts on the first day they were eligible (the later of the country's go-live
    and the account's creation); users without a meaningful action are censored at ``last``.
    """
    keys = list(LEVEL_KEYS[level])
    df = execute.to_pandas(
        user_day, ("engagement.first", level), lambda: first_activity_expr(user_day, eligible_day, level)
    )
    rows: list[dict[str, Any]] = []
    for seg, grp in df.groupby(keys, dropna=False) if keys else [((), df)]:
        seg_t = seg if isinstance(seg, tuple) else (seg,)
        durations: list[tuple[float, bool]] = []
        for s, f in zip(grp["start"], grp["first"], strict=True):
            if pd.isna(f):
                durations.append((float(max((last - _d(s)).days, 0)), False))
            else:
                durations.append((float(max((_d(f) - _d(s)).days, 0)), True))
        n = len(durations)
        started = sum(1 for _, e in durations if e)
        base = dict(zip(keys, seg_t, strict=True))
        rows.append(
            {
                **base,
                "kpi": "time_to_first_activity",
                "value": km_median(durations),
                "numerator": started,
                "denominator": n,
                "n_users": n,
            }
        )
        rows.append(
            {
                **base,
                "kpi": "not_started_share",
                "value": (n - started) / n if n else None,
                "numerator": n - started,
                "denominator": n,
                "n_users": n,
            }
        )
    return pd.DataFrame(rows)


def first_activity_expr(user_day: Table, eligible_day: Table, level: SegmentLevel) -> Table:
    """Per eligible user: the segment and day eligibility started, and the first active day."""
    el = in_level(eligible_day, level)
    ranked = el.mutate(_rk=ibis.row_number().over(ibis.window(group_by="user_id", order_by=el["local_date"])))
    start = ranked.filter(ranked["_rk"] == 0).select(
        "user_id", *LEVEL_KEYS[level], start=ranked["local_date"]
    )
    act = user_day.filter(user_day["n_meaningful"] > 0)
    firsts = act.group_by("user_id").agg(first=act["local_date"].min())
    return start.left_join(firsts, "user_id").select(start, firsts["first"])


def _d(x: Any) -> dt.date:
    return x.date() if isinstance(x, dt.datetime | pd.Timestamp) else x


def km_median(durations: list[tuple[float, bool]]) -> float | None:
    """Kaplan–Meier median of (time, event observed) pairs; None if survival never drops to ½."""
    at_risk = len(durations)
    survival = 1.0
    for t in sorted({t for t, _ in durations}):
        events = sum(1 for x, e in durations if x == t and e)
        leaving = sum(1 for x, _ in durations if x == t)
        if events:
            survival *= 1 - events / at_risk
            if survival <= 0.5 + 1e-12:
                return t
        at_risk -= leaving
    return None
