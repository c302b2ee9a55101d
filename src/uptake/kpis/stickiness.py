"""Stickiness: how many of a period's active users are active on an average day.

``stickiness`` (month) = mean DAU over the month's working days ÷ MAU (design.md §5). A working
day is one of the user's country (``calendar_days``: weekends, holidays, project overrides); days
without any activity count with DAU 0. In a segment spanning several countries the mean DAU is the
sum of each country's mean DAU over its own working days (users are in one country a day); users
without a country use Monday–Friday.

``stickiness_calendar`` (week, month) = mean DAU over all calendar days of the period ÷ distinct
active users of the period (case 05: 12/7 ÷ 4 = 0.4286 for a week, 12/30 ÷ 4 = 0.10 for November).

Both count the days of a period up to the as-of date only, so a running period is not diluted by
days that have not happened; the denominators are distinct users, never sums of daily counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial

import ibis
import pandas as pd
import pyarrow as pa
from ibis.expr.types import Table

from uptake.calendar import periods
from uptake.kpis import execute
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, LEVELS_BY_GRAIN, in_level, with_period
from uptake.vocab import Grain, SegmentLevel, WeekStart
from uptake.workdays import work_calendar

_NO_COUNTRY = ""


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    ud, el, cal = ctx.table("user_day"), ctx.table("eligible_day"), ctx.table("calendar_days")
    ws = ctx.project.week_start
    wd = working_day_counts(ctx)
    for level in LEVELS_BY_GRAIN["month"]:
        build = partial(working_expr, ud, el, cal, wd, level, ws)
        yield _rows(execute.to_pandas(ud, ("stickiness", level, ws), build), "stickiness", "month")
    for grain in ("week", "month"):
        days = day_counts(ctx, grain)
        for level in LEVELS_BY_GRAIN[grain]:
            build = partial(calendar_expr, ud, el, days, grain, level, ws)
            df = execute.to_pandas(ud, ("stickiness_calendar", grain, level, ws), build)
            yield _rows(df, "stickiness_calendar", grain)


def _rows(df: pd.DataFrame, kpi: str, grain: Grain) -> pd.DataFrame:
    df = df[df["denominator"] > 0]
    return df.assign(kpi=kpi, grain=grain, value=df["numerator"] / df["denominator"])


def day_counts(ctx: KpiContext, grain: Grain) -> Table:
    """Days of each period of ``grain`` over the data span, up to the as-of date."""
    starts, counts = [], []
    for start, end in periods(ctx.span.first, ctx.span.last, grain, ctx.project.week_start):
        starts.append(start)
        counts.append(max((min(end, ctx.today) - start).days + 1, 0))
    return ctx.stage(
        f"days_per_{grain}",
        pa.table({"period_start": pa.array(starts, pa.date32()), "n_days": pa.array(counts, pa.int64())}),
    )


def working_day_counts(ctx: KpiContext) -> Table:
    """Working days of each month over the data span (up to the as-of date), per country; the
    country ``""`` stands for users without one (Monday–Friday)."""
    cal = work_calendar(ctx.project)
    rows: dict[str, list[object]] = {"period_start": [], "_ck": [], "n_wd": []}
    for start, end in periods(ctx.span.first, ctx.span.last, "month"):
        last = min(end, ctx.today)
        days = [start + dt.timedelta(days=i) for i in range(max((last - start).days + 1, 0))]
        for code, c in cal.countries.items():
            rows["period_start"].append(start)
            rows["_ck"].append(code)
            rows["n_wd"].append(sum(1 for d in days if c.is_working_day(d)))
        rows["period_start"].append(start)
        rows["_ck"].append(_NO_COUNTRY)
        rows["n_wd"].append(sum(1 for d in days if d.weekday() < 5))
    schema = pa.schema([("period_start", pa.date32()), ("_ck", pa.string()), ("n_wd", pa.int64())])
    return ctx.stage("working_days_per_month", pa.table(rows, schema=schema))


def _active_days(user_day: Table, level: SegmentLevel) -> Table:
    act = in_level(user_day.filter(user_day["n_meaningful"] > 0), level)
    return act.select(*LEVEL_KEYS[level], "user_id", "local_date", _ck=act["country"].fill_null(_NO_COUNTRY))


def _distinct_users(t: Table, keys: list[str], name: str) -> Table:
    u = t.select(*keys, "user_id").distinct()
    return u.group_by(keys).agg(**{name: u.count()})


def _with_eligible(t: Table, eligible_day: Table, grain: Grain, level: SegmentLevel, ws: WeekStart) -> Table:
    keys = ["period_start", *LEVEL_KEYS[level]]
    el, _ = with_period(in_level(eligible_day, level), grain, ws)
    elig = _distinct_users(el, keys, "eligible")
    out = t.left_join(elig, keys).select(t, elig["eligible"])
    return out.mutate(n_users=ibis.greatest(out["denominator"], out["eligible"].fill_null(0))).drop(
        "eligible"
    )


def working_expr(
    user_day: Table, eligible_day: Table, calendar: Table, wd: Table, level: SegmentLevel, ws: WeekStart
) -> Table:
    """Per month × segment: ``numerator`` = mean DAU over working days, ``denominator`` = MAU."""
    keys = ["period_start", *LEVEL_KEYS[level]]
    a = _active_days(user_day, level).distinct()
    c = calendar.select(_cc=calendar["country"], _cd=calendar["date"], _wk=calendar["is_working_day"])
    j = a.left_join(c, [a["_ck"] == c["_cc"], a["local_date"] == c["_cd"]])
    working = j["_wk"].fill_null(j["local_date"].day_of_week.index() < 5)
    j = j.filter(working).select(a.columns)
    j, _ = with_period(j, "month", ws)
    dau = j.group_by([*keys, "_ck"]).agg(_dau_days=j.count())
    per_country = dau.join(wd, ["period_start", "_ck"])
    per_country = per_country.mutate(
        _mean=(per_country["n_wd"] > 0).ifelse(per_country["_dau_days"] / per_country["n_wd"], 0.0)
    )
    mean = per_country.group_by(keys).agg(numerator=per_country["_mean"].sum())
    m, _ = with_period(a, "month", ws)
    mau = _distinct_users(m, keys, "denominator")
    out = mau.left_join(mean, keys).select(mau, mean["numerator"])
    out = out.mutate(numerator=out["numerator"].fill_null(0.0))
    return _with_eligible(out, eligible_day, "month", level, ws)


def calendar_expr(
    user_day: Table, eligible_day: Table, days: Table, grain: Grain, level: SegmentLevel, ws: WeekStart
) -> Table:
    """Per period × segment: ``numerator`` = mean DAU over the period's calendar days (up to the
    as-of date), ``denominator`` = distinct active users of the period."""
    keys = ["period_start", *LEVEL_KEYS[level]]
    a, _ = with_period(_active_days(user_day, level), grain, ws)
    pairs = a.select(*keys, "user_id", "local_date").distinct()
    dau = pairs.group_by(keys).agg(_dau_days=pairs.count())
    actives = _distinct_users(a, keys, "denominator")
    out = actives.join(dau, keys).join(days, "period_start")
    out = out.select(
        *keys,
        denominator=out["denominator"],
        numerator=(out["n_days"] > 0).ifelse(out["_dau_days"] / out["n_days"], ibis.null("float64")),
    )
    return _with_eligible(out, eligible_day, grain, level, ws)
