"""Process KPIs over CRM records: win rate, sales cycle, overdue open deals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

from uptake.kpis import execute
from uptake.kpis.context import KpiContext
from uptake.kpis.durations import with_calendar_days
from uptake.kpis.periods import LEVEL_KEYS, in_level, with_period
from uptake.vocab import Grain, SegmentLevel, WeekStart

_LEVELS: tuple[SegmentLevel, ...] = ("all", "region", "country", "team")
_MEASURES = ("won", "lost", "value_won", "value_closed", "cycle_median", "cycle_sum", "cycle_n", "owners")


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    ws = ctx.project.week_start
    records = ctx.table("records")
    if not int(records.filter(records["entity"] == "opportunity").count().execute()):
        return
    closed = execute.materialize(
        ctx.wh,
        "closed_deals",
        ("process.closed_deals", *ctx.attr.shape),
        partial(closed_deals, records, ctx.attr),
    )
    for grain in ("month", "quarter", "total"):
        for level in _LEVELS:
            for by_phase in (False, True) if grain == "total" else (False,):
                yield win_and_cycle(closed, grain, level, by_phase, ws).assign(grain=grain)
    if int(records.filter(records["estimated_close"].notnull()).count().execute()):
        for level in _LEVELS:
            yield overdue(records, ctx.attr, level, ctx.today).assign(grain="total")


def closed_deals(records: Table, attribute: Any) -> Table:
    """Won and lost opportunities with their close day and the owner's segment at closing."""
    r = records.filter(
        (records["entity"] == "opportunity")
        & records["state"].isin(["won", "lost"])
        & records["closed_on"].notnull()
    )
    r = r.mutate(user_id=r["owner_id"], ts=r["closed_on"])
    r = attribute(r)
    # calendar days on the owner's wall clock, exact (no whole-second epochs, no DST hour)
    r = with_calendar_days(
        r, "created_on", "closed_on", attribute.offsets, attribute.project.timezone, "_cycle"
    )
    won = (r["state"] == "won").cast("int64")
    cycle = r["_cycle"]
    return r.mutate(
        won=won,
        lost=(r["state"] == "lost").cast("int64"),
        value_won=(r["state"] == "won").ifelse(r["value"].fill_null(0.0), 0.0),
        value_closed=r["value"].fill_null(0.0),
        cycle_days=((r["state"] == "won") & r["created_on"].notnull()).ifelse(cycle, ibis.null("float64")),
    ).drop("_cycle")


def win_and_cycle_expr(
    closed: Table, grain: Grain, level: SegmentLevel, by_phase: bool, ws: WeekStart
) -> Table:
    """Won, lost, values and cycle statistics per period × segment (× phase)."""
    t, pk = with_period(in_level(closed, level), grain, ws)
    keys = [*pk, *LEVEL_KEYS[level]]
    if by_phase:
        t = t.filter(t["phase"].notnull())
        keys.append("phase")
    t = t.mutate(_k=ibis.literal(1))
    keys.append("_k")
    return t.group_by(keys).agg(
        won=t["won"].sum(),
        lost=t["lost"].sum(),
        value_won=t["value_won"].sum(),
        value_closed=t["value_closed"].sum(),
        cycle_median=t["cycle_days"].median(),
        cycle_sum=t["cycle_days"].sum(),
        cycle_n=t["cycle_days"].count(),
        owners=t["user_id"].nunique(),
    )


def win_and_cycle(
    closed: Table, grain: Grain, level: SegmentLevel, by_phase: bool, ws: WeekStart
) -> pd.DataFrame:
    df = execute.to_pandas(
        closed,
        ("process.win", grain, level, by_phase, ws),
        lambda: win_and_cycle_expr(closed, grain, level, by_phase, ws),
    ).drop(columns=["_k"])
    keys = [c for c in df.columns if c not in _MEASURES]
    rows: list[dict[str, Any]] = []
    for rec in df.to_dict("records"):
        base = {k: rec[k] for k in keys if k != "_k"}
        closed_n = rec["won"] + rec["lost"]
        rows.append(
            {
                **base,
                "kpi": "win_rate",
                "value": rec["won"] / closed_n if closed_n else None,
                "numerator": rec["won"],
                "denominator": closed_n,
                "n_users": rec["owners"],
            }
        )
        rows.append(
            {
                **base,
                "kpi": "win_rate_by_value",
                "value": rec["value_won"] / rec["value_closed"] if rec["value_closed"] else None,
                "numerator": rec["value_won"],
                "denominator": rec["value_closed"],
                "n_users": rec["owners"],
            }
        )
        if rec["cycle_n"]:
            rows.append(
                {
                    **base,
                    "kpi": "sales_cycle_days",
                    "value": rec["cycle_median"],
                    "numerator": rec["cycle_sum"],
                    "denominator": rec["cycle_n"],
                    "n_users": rec["owners"],
                }
            )
    return pd.DataFrame(rows)


def overdue(records: Table, attribute: Any, level: SegmentLevel, as_of: dt.date) -> pd.DataFrame:
    """Open opportunities whose estimated close date is before ``as_of`` (closed ones never count)."""
    r = records.filter(
        (records["entity"] == "opportunity")
        & (records["state"] == "open")
        & records["estimated_close"].notnull()
    )
    r = attribute(r.mutate(user_id=r["owner_id"], ts=ibis.literal(dt.datetime.combine(as_of, dt.time()))))
    r = in_level(r, level)
    keys = [*LEVEL_KEYS[level]]
    r = r.mutate(_k=ibis.literal(1), _over=(r["estimated_close"] < as_of).cast("int64"))
    keys.append("_k")
    g = r.group_by(keys).agg(
        overdue=r["_over"].sum(),
        open=r.count(),
        value=(r["_over"] == 1).ifelse(r["value"].fill_null(0.0), 0.0).sum(),
        owners=r["user_id"].nunique(),
    )
    df: pd.DataFrame = g.to_pandas().drop(columns=["_k"])
    rows = [
        {
            **{k: rec[k] for k in keys if k != "_k"},
            "kpi": "overdue_open_deals",
            "value": rec["overdue"],
            "numerator": rec["overdue"],
            "denominator": rec["open"],
            "n_users": rec["owners"],
        }
        for rec in df.to_dict("records")
    ]
    return pd.DataFrame(rows)
