"""Rolling active users: distinct active users in the 7 or 28 local days ending on each day.

The row of day D (``grain`` day, ``period_start`` D) counts users with a meaningful action on any
of D−6 … D (or D−27 … D), never a sum of daily counts (case 05). Each active user-day covers the
window ends ``d … d+N−1``; a user's overlapping covers are merged into islands (gaps and islands
over a lag window) before they are joined to the days, so the join grows with users × days at
most, not with events × N.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial

import ibis
import pandas as pd
import pyarrow as pa
from ibis.expr.types import Table

from uptake.kpis import execute
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, in_level
from uptake.vocab import SegmentLevel

WINDOWS: dict[str, int] = {"active_users_rolling_7d": 7, "active_users_rolling_28d": 28}
LEVELS: tuple[SegmentLevel, ...] = ("all", "region", "country")


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    ud, el = ctx.table("user_day"), ctx.table("eligible_day")
    days = day_table(ctx)
    for kpi, n in WINDOWS.items():
        for level in LEVELS:
            df = execute.to_pandas(ud, ("rolling", n, level), partial(rolling_expr, ud, el, days, n, level))
            yield df.assign(kpi=kpi, grain="day", numerator=df["value"], denominator=None)


def day_table(ctx: KpiContext) -> Table:
    first, last = ctx.span.first, ctx.span.last
    dates = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return ctx.stage("span_days", pa.table({"period_start": pa.array(dates, pa.date32())}))


def rolling_expr(user_day: Table, eligible_day: Table, days: Table, n: int, level: SegmentLevel) -> Table:
    """Per day of ``days`` × segment: ``value`` (distinct users active in the N days ending that
    day) and ``n_users`` (the larger of that count and the users eligible on the day)."""
    keys = list(LEVEL_KEYS[level])
    act = in_level(user_day.filter(user_day["n_meaningful"] > 0), level)
    a = act.select(*keys, "user_id", _e=act["local_date"].epoch_days()).distinct()
    prev = a["_e"].lag().over(ibis.window(group_by=[*keys, "user_id"], order_by="_e"))
    a = a.mutate(_new=(prev.isnull() | (a["_e"] - prev >= n)).cast("int64"))
    a = a.mutate(
        _island=a["_new"].sum().over(ibis.cumulative_window(group_by=[*keys, "user_id"], order_by="_e"))
    )
    islands = a.group_by(*keys, "user_id", "_island").agg(_lo=a["_e"].min(), _hi=a["_e"].max() + (n - 1))
    d = days.mutate(_d=days["period_start"].epoch_days())
    covered = islands.join(d, [d["_d"] >= islands["_lo"], d["_d"] <= islands["_hi"]])
    counts = covered.group_by("period_start", *keys).agg(value=covered["user_id"].nunique())
    el = in_level(eligible_day, level)
    elig = el.group_by(el["local_date"].name("period_start"), *keys).agg(eligible=el["user_id"].nunique())
    grid = d.select("period_start")
    if keys:
        segs = act.select(*keys).distinct()
        grid = grid.cross_join(segs)
    jk = ["period_start", *keys]
    out = grid.left_join(counts, jk).select(grid, counts["value"])
    out = out.left_join(elig, jk).select(out, elig["eligible"])
    value = out["value"].fill_null(0)
    return out.select(*jk, value=value, n_users=ibis.greatest(value, out["eligible"].fill_null(0)))
