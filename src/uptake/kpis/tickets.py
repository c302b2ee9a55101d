"""Support-ticket KPIs: tickets created, tickets per 100 eligible users, first-response and
resolution time in business hours of the ticket's country.

A ticket counts in the period, segment and phase of its *creation*: the segment is the ticket's own
country when it carries one, else the requester's at that time (:mod:`uptake.kpis.people`). Rows
by category carry it in ``feature`` (null = all categories). Weekly rows per country carry the
phase (the hypercare trend); ``since_go_live_week`` rows line countries up by weeks since their
go-live; totals come per phase too. The per-100 denominator is the eligible users of the same week
(or week since go-live) and segment, from ``eligible_day``. Durations are exact business hours
(:func:`uptake.workdays.with_business_hours`) from creation to the first response and to the
resolution; an end before the creation is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterator, Mapping
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

from uptake.kpis import execute, people
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, in_level, with_period
from uptake.vocab import Grain, SegmentLevel, WeekStart
from uptake.workdays import calendar_hours, with_business_hours

_KEYS = ("grain", "period_start", "weeks_since_go_live", "region", "country", "phase")
_LEVELS: tuple[SegmentLevel, ...] = ("all", "region", "country")
PER_WEEK: tuple[Grain, ...] = ("week", "since_go_live_week")
"""Grains of ``tickets_per_100_users`` (a weekly rate)."""
MEASURES = {"first_response": "first_response_at", "resolution": "resolved_at"}


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    if not ctx.wh.has_rows("tickets"):
        return
    ws = ctx.project.week_start
    attr = people.attribution(ctx)
    hours = _stage_hours(ctx)

    def attributed() -> Table:
        t = ctx.table("tickets")
        t = people.match_users(ctx, t, "requester")
        a = people.attribute(attr, t.mutate(ts=t["created_at"]))
        for measure, end in MEASURES.items():
            a = with_business_hours(a, "created_at", end, "country", hours, f"_{measure}")
            ok = a[end] >= a["created_at"]
            a = a.mutate(**{f"{measure}_bh": ok.ifelse(a[f"_{measure}"], ibis.null("float64"))})
        return a.drop(*(f"_{m}" for m in MEASURES))

    execute.materialize(ctx.wh, "ticket_attributed", ("tickets.attributed", *people.shape(ctx)), attributed)
    t, el = ctx.table("ticket_attributed"), ctx.table("eligible_day")
    stats = execute.to_pandas(t, ("tickets.stats", ws), lambda: stats_expr(t, ws))
    eligible = execute.to_pandas(el, ("tickets.eligible", ws), lambda: eligible_expr(el, ws))
    yield rows(stats, eligible)


def _stage_hours(ctx: KpiContext) -> Table:
    """Working hours over the tickets' whole span (tickets may lie outside the activity's)."""
    t = ctx.table("tickets")
    end = ibis.greatest(t["created_at"], t["first_response_at"], t["resolved_at"])
    b = execute.to_pandas(
        t, ("tickets.bounds",), lambda: t.agg(lo=t["created_at"].min(), hi=end.max())
    ).to_dict("records")[0]
    margin = dt.timedelta(days=2)
    lo, hi = b["lo"].date() - margin, b["hi"].date() + margin
    return ctx.stage("ticket_hours", calendar_hours(ctx.project, lo, hi))


def _cuts() -> Iterator[tuple[Grain, SegmentLevel, bool]]:
    for grain in ("week", "since_go_live_week", "total"):
        for level in _LEVELS:
            for by_phase in (False, True) if grain == "total" else (False,):
                yield grain, level, by_phase


def in_cuts(t: Table, values: list[str], ws: WeekStart) -> Table:
    """``t``'s ``values`` once per grain × level (× phase at total), keyed by ``_KEYS``."""
    parts = []
    for grain, level, by_phase in _cuts():
        x, pk = with_period(in_level(t, level), grain, ws)
        if grain != "total":
            x = x.filter(x["local_date"].notnull())
        if by_phase:
            x = x.filter(x["phase"].notnull())
        keep = LEVEL_KEYS[level]
        parts.append(
            x.select(
                *values,
                grain=ibis.literal(grain),
                period_start=x["period_start"] if "period_start" in pk else ibis.null("date"),
                weeks_since_go_live=x["weeks_since_go_live"]
                if pk == ["weeks_since_go_live"]
                else ibis.null("int64"),
                **{c: x[c] if c in keep else ibis.null("string") for c in ("region", "country")},
                phase=x["phase"] if by_phase else ibis.null("string"),
            )
        )
    return ibis.union(*parts)


def stats_expr(t: Table, ws: WeekStart) -> Table:
    """Tickets, requesters and business-hour statistics per cut, for all categories (``feature``
    null) and per category."""
    values = ["user_id", "first_response_bh", "resolution_bh"]
    both = t.mutate(feature=ibis.null("string")).union(
        t.filter(t["category"].notnull()).mutate(feature=t["category"])
    )
    u = in_cuts(both, [*values, "feature"], ws)
    aggs: dict[str, Any] = {"tickets": u.count(), "requesters": u["user_id"].nunique()}
    for m in MEASURES:
        h = u[f"{m}_bh"]
        aggs |= {f"{m}_median": h.median(), f"{m}_sum": h.sum(), f"{m}_n": h.count()}
    return u.group_by([*_KEYS, "feature"]).agg(**aggs)


def eligible_expr(el: Table, ws: WeekStart) -> Table:
    """Eligible users per weekly cut."""
    u = in_cuts(el, ["user_id"], ws)
    u = u.filter(u["grain"].isin(list(PER_WEEK)))
    return u.group_by(list(_KEYS)).agg(eligible=u["user_id"].nunique())


def _key(rec: Mapping[Hashable, Any]) -> tuple[Any, ...]:
    return tuple(None if pd.isna(rec[k]) else rec[k] for k in _KEYS)


def rows(stats: pd.DataFrame, eligible: pd.DataFrame) -> pd.DataFrame:
    """KPI rows from the aggregated statistics (pandas over aggregated rows only)."""
    per = {_key(r): int(r["eligible"]) for r in eligible.to_dict("records")}
    out: list[dict[str, Any]] = []
    for rec in stats.to_dict("records"):
        base = {k: None if pd.isna(rec[k]) else rec[k] for k in (*_KEYS, "feature")}
        n, who = int(rec["tickets"]), int(rec["requesters"])
        who_n = who or None  # anonymous tickets: no user group to protect
        out.append({**base, "kpi": "tickets_created", "value": n, "numerator": n, "n_users": who_n})
        e = per.get(_key(rec), 0)
        if rec["grain"] in PER_WEEK and e:
            out.append(
                {
                    **base,
                    "kpi": "tickets_per_100_users",
                    "value": 100 * n / e,
                    "numerator": n,
                    "denominator": e,
                    "n_users": e,
                }
            )
        for m in MEASURES:
            k = int(rec[f"{m}_n"])
            if k:
                out.append(
                    {
                        **base,
                        "kpi": f"ticket_{m}_business_hours",
                        "value": rec[f"{m}_median"],
                        "numerator": rec[f"{m}_sum"],
                        "denominator": k,
                        "n_users": who_n,
                    }
                )
    return pd.DataFrame(out)
