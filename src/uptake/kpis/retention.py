"""Weekly retention cohorts, right-censored honestly (case 07-immature-retention-cohorts).

A user's cohort is the week (project week start) of their first meaningful action ever, in the
segment they had on that day. The user is retained in week k when they have a meaningful action
on any day of [cohort week + 7k, cohort week + 7k + 7). A cell whose week has not ended by the
as-of date is provisional (``is_complete`` false); a cell whose week has not started is not
reported at all (null, never 0 %).

Rows: ``grain`` ``since_go_live_week`` with ``period_start`` = the cohort week, ``period_end`` =
the last day of week k, ``weeks_since_go_live`` = k (weeks since the cohort week) and ``phase``
null. ``retention_mature`` pools, per k and segment, only the cells that are complete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from typing import Any, cast

import ibis
import pandas as pd
from ibis.expr.types import Table

from uptake.kpis import execute
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, LEVELS_BY_GRAIN, in_level, with_period
from uptake.vocab import Grain, SegmentLevel, WeekStart

_GRAIN: Grain = "since_go_live_week"


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    ud = ctx.table("user_day")
    k_max = ctx.project.retention.max_offset_weeks
    for level in LEVELS_BY_GRAIN[_GRAIN]:
        ws = ctx.project.week_start
        build = partial(cohort_expr, ud, level, ws)
        sizes = execute.to_pandas(ud, ("retention.sizes", level, ws), execute.item(build, 0))
        retained = execute.to_pandas(ud, ("retention.kept", level, ws), execute.item(build, 1))
        keys = list(LEVEL_KEYS[level])
        cells = cohort_cells(sizes, retained, keys, ctx.today, k_max)
        yield cells.assign(grain=_GRAIN)
        yield mature(cells, keys).assign(grain=_GRAIN)


def cohort_expr(user_day: Table, level: SegmentLevel, ws: WeekStart) -> tuple[Table, Table]:
    """Cohort sizes per (cohort week, segment) and retained users per (cohort week, segment, k)."""
    active = user_day.filter(user_day["n_meaningful"] > 0)
    order = [active["local_date"], active["first_ts"], *(active[s].asc(nulls_first=False) for s in _SEG)]
    ranked = active.mutate(_rk=ibis.row_number().over(ibis.window(group_by="user_id", order_by=order)))
    first, _ = with_period(in_level(ranked.filter(ranked["_rk"] == 0), level), "week", ws)
    keys = list(LEVEL_KEYS[level])
    cohort = first.select("user_id", *keys, cohort_week=first["period_start"])
    weeks, _ = with_period(active, "week", ws)
    weeks = weeks.select("user_id", week=weeks["period_start"]).distinct()
    j = cohort.join(weeks, "user_id")
    j = j.mutate(k=((j["week"].epoch_days() - j["cohort_week"].epoch_days()) / 7).floor().cast("int64"))
    retained = j.group_by(["cohort_week", *keys, "k"]).agg(retained=j.count())
    sizes = cohort.group_by(["cohort_week", *keys]).agg(size=cohort.count())
    return sizes, retained


_SEG = ("region", "country", "team", "role")


def _key(values: dict[Any, Any], keys: list[str]) -> tuple[Any, ...]:
    return tuple(None if pd.isna(values[k]) else values[k] for k in keys)


def cohort_cells(
    sizes: pd.DataFrame, retained: pd.DataFrame, keys: list[str], today: dt.date, k_max: int
) -> pd.DataFrame:
    """One row per cohort and week k that has started by ``today`` (the first day not complete)."""
    got = {
        (_day(r["cohort_week"]), *_key(r, keys), int(r["k"])): int(r["retained"])
        for r in retained.to_dict("records")
    }
    rows: list[dict[str, Any]] = []
    for rec in sizes.to_dict("records"):
        start, seg, size = _day(rec["cohort_week"]), _key(rec, keys), int(rec["size"])
        for k in range(k_max + 1):
            week = start + dt.timedelta(days=7 * k)
            if week >= today:
                break
            n = got.get((start, *seg, k), 0)
            end = week + dt.timedelta(days=6)
            rows.append(
                {
                    **dict(zip(keys, seg, strict=True)),
                    "kpi": "retention",
                    "period_start": start,
                    "period_end": end,
                    "is_complete": end < today,
                    "weeks_since_go_live": k,
                    "value": n / size,
                    "numerator": n,
                    "denominator": size,
                    "n_users": size,
                }
            )
    return pd.DataFrame(rows)


def mature(cells: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per k and segment: retained ÷ cohort size summed over complete cells only."""
    if cells.empty:
        return cells
    done = cells[cells["is_complete"]]
    rows: list[dict[str, Any]] = []
    for (k, *seg), grp in done.groupby(["weeks_since_go_live", *keys], dropna=False):
        num, den = int(grp["numerator"].sum()), int(grp["denominator"].sum())
        rows.append(
            {
                **dict(zip(keys, seg, strict=True)),
                "kpi": "retention_mature",
                "period_start": grp["period_start"].min(),
                "period_end": grp["period_end"].max(),
                "is_complete": True,
                "weeks_since_go_live": int(cast(Any, k)),
                "value": num / den,
                "numerator": num,
                "denominator": den,
                "n_users": den,
            }
        )
    return pd.DataFrame(rows)


def _day(v: Any) -> dt.date:
    if isinstance(v, pd.Timestamp | dt.datetime):
        return v.date()
    assert isinstance(v, dt.date)
    return v
