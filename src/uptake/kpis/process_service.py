"""Process KPIs over leads and cases: lead conversion and qualification time, case first-response
and resolution time in calendar hours and in business hours of the case's country.

Every duration is attributed to the period, segment and phase of its *end* (qualification, first
response, resolution) in the record owner's segment at that time, as ``process`` does for deals.
Durations are exact (``durations``: elapsed hours, wall-clock calendar days of the owner's
country, no truncation); an end before the creation is a data error and is left out of the
duration KPIs. Business hours are the overlap with the working hours of the case's country
(``uptake.workdays``: working days, public holidays, local working time as exact UTC intervals),
joined in Ibis from a ``calendar_hours`` table over the cases' time span.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

from uptake.kpis.context import KpiContext
from uptake.kpis.durations import US_PER_HOUR, elapsed, with_calendar_days
from uptake.kpis.periods import LEVEL_KEYS, in_level, with_period
from uptake.kpis.rollup import Attribution
from uptake.project.models import Project
from uptake.vocab import Grain, SegmentLevel, WeekStart
from uptake.workdays import calendar_hours, with_business_hours

_LEVELS: tuple[SegmentLevel, ...] = ("all", "region", "country", "team")
CASE_MEASURES = ("first_response", "resolution")
"""``case_durations.measure``: creation → first response, creation → resolution."""


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    ws = ctx.project.week_start
    records = ctx.table("records")
    entities = set(records.select("entity").distinct().to_pyarrow()["entity"].to_pylist())
    if "lead" in entities:
        ctx.wh.replace("closed_leads", closed_leads(records, ctx.attr))
        yield lead_rows(lead_stats_expr(ctx.table("closed_leads"), ws))
    if "incident" in entities:
        ctx.wh.replace("case_durations", case_durations(records, ctx.attr, ctx.project))
        yield case_rows(case_stats_expr(ctx.table("case_durations"), ws))


def _cuts() -> Iterator[tuple[Grain, SegmentLevel, bool]]:
    grains: tuple[Grain, ...] = ("month", "quarter", "total")
    for grain in grains:
        for level in _LEVELS:
            for by_phase in (False, True) if grain == "total" else (False,):
                yield grain, level, by_phase


_KEYS = ("grain", "period_start", "region", "country", "team", "phase")


def in_cuts(t: Table, values: list[str], ws: WeekStart) -> Table:
    """``t``'s ``values`` once per grain × level (× phase at total), keyed by ``_KEYS``: segment
    columns outside the level, the phase outside phase cuts and the period of totals are null.

    Grouping this once by ``_KEYS`` gives every cut in one query (one compile instead of sixteen)."""
    parts = []
    for grain, level, by_phase in _cuts():
        x, pk = with_period(in_level(t, level), grain, ws)
        if by_phase:
            x = x.filter(x["phase"].notnull())
        keep = LEVEL_KEYS[level]
        parts.append(
            x.select(
                *values,
                grain=ibis.literal(grain),
                period_start=x["period_start"] if pk else ibis.null("date"),
                **{c: x[c] if c in keep else ibis.null("string") for c in ("region", "country", "team")},
                phase=x["phase"] if by_phase else ibis.null("string"),
            )
        )
    return ibis.union(*parts)


# -- leads -----------------------------------------------------------------------------------------


def closed_leads(records: Table, attribute: Attribution) -> Table:
    """Qualified and disqualified leads at their (dis)qualification time, in the owner's segment;
    qualification time in calendar days of the owner's country."""
    r = records.filter(
        (records["entity"] == "lead")
        & records["state"].isin(["qualified", "disqualified"])
        & records["closed_on"].notnull()
    )
    r = attribute(r.mutate(user_id=r["owner_id"], ts=r["closed_on"]))
    r = with_calendar_days(
        r, "created_on", "closed_on", attribute.offsets, attribute.project.timezone, "_days"
    )
    qualified = r["state"] == "qualified"
    timed = qualified & r["created_on"].notnull() & (r["closed_on"] >= r["created_on"])
    return r.mutate(
        qualified=qualified.cast("int64"),
        disqualified=(~qualified).cast("int64"),
        qualification_days=timed.ifelse(r["_days"], ibis.null("float64")),
    ).drop("_days")


def lead_stats_expr(leads: Table, ws: WeekStart) -> Table:
    """Qualified, disqualified and qualification-time statistics per grain × period × segment
    (× phase at total)."""
    t = in_cuts(leads, ["user_id", "qualified", "disqualified", "qualification_days"], ws)
    d = t["qualification_days"]
    return t.group_by(list(_KEYS)).agg(
        qualified=t["qualified"].sum(),
        disqualified=t["disqualified"].sum(),
        days_median=d.median(),
        days_sum=d.sum(),
        days_n=d.count(),
        owners=t["user_id"].nunique(),
    )


def _base(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: rec[k] for k in _KEYS}


def lead_rows(stats: Table) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for rec in stats.to_pandas().to_dict("records"):
        base, owners = _base(rec), rec["owners"]
        closed = rec["qualified"] + rec["disqualified"]
        rows.append(
            {
                **base,
                "kpi": "lead_conversion_rate",
                "value": rec["qualified"] / closed,
                "numerator": rec["qualified"],
                "denominator": closed,
                "n_users": owners,
            }
        )
        if rec["days_n"]:
            rows.append(
                {
                    **base,
                    "kpi": "lead_qualification_days",
                    "value": rec["days_median"],
                    "numerator": rec["days_sum"],
                    "denominator": rec["days_n"],
                    "n_users": owners,
                }
            )
    return pd.DataFrame(rows)


# -- cases -----------------------------------------------------------------------------------------


def case_intervals(records: Table) -> Table:
    """One row per case and measure: ``record_id, measure, user_id, start, ts`` (the end).

    A case is resolved when its state is ``resolved`` (or, without a state, when it has a
    resolution time); it ends at ``resolved_on``, else at ``closed_on``. Canceled cases never count.
    """
    r = records.filter((records["entity"] == "incident") & records["created_on"].notnull())
    end = r["resolved_on"].fill_null(r["closed_on"])
    resolved = (r["state"] == "resolved") | (r["state"].isnull() & r["resolved_on"].notnull())
    parts = [
        r.filter(r["first_response_on"].notnull()).select(
            "record_id",
            measure=ibis.literal(CASE_MEASURES[0]),
            user_id=r["owner_id"],
            start=r["created_on"],
            ts=r["first_response_on"],
        ),
        r.filter(resolved & end.notnull()).select(
            "record_id",
            measure=ibis.literal(CASE_MEASURES[1]),
            user_id=r["owner_id"],
            start=r["created_on"],
            ts=end,
        ),
    ]
    u = parts[0].union(parts[1])
    return u.filter(u["ts"] >= u["start"])


def case_durations(records: Table, attribute: Attribution, project: Project) -> Table:
    """Case intervals in the owner's segment at their end, with exact ``hours`` and
    ``business_hours`` (working hours of the owner's country at the end; null without one)."""
    intervals = case_intervals(records)
    b = intervals.agg(lo=intervals["start"].min(), hi=intervals["ts"].max()).to_pyarrow().to_pylist()[0]
    a = attribute(intervals)
    a = a.mutate(hours=elapsed(a["start"], a["ts"], US_PER_HOUR))
    if b["lo"] is None:
        return a.mutate(business_hours=ibis.null("float64"))
    margin = dt.timedelta(days=2)
    hours = ibis.memtable(calendar_hours(project, b["lo"].date() - margin, b["hi"].date() + margin))
    return with_business_hours(a, "start", "ts", "country", hours)


def case_stats_expr(cases: Table, ws: WeekStart) -> Table:
    """Median, p90, sum and count of calendar and business hours per measure × grain × period ×
    segment (× phase at total)."""
    t = in_cuts(cases, ["user_id", "measure", "hours", "business_hours"], ws)
    h, b = t["hours"], t["business_hours"]
    return t.group_by(["measure", *_KEYS]).agg(
        hours_median=h.median(),
        hours_p90=h.quantile(0.9),
        hours_sum=h.sum(),
        hours_n=h.count(),
        business_median=b.median(),
        business_p90=b.quantile(0.9),
        business_sum=b.sum(),
        business_n=b.count(),
        owners=t["user_id"].nunique(),
    )


def case_rows(stats: Table) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for rec in stats.to_pandas().to_dict("records"):
        base = {**_base(rec), "n_users": rec["owners"]}
        for prefix, col in (
            (f"case_{rec['measure']}_hours", "hours"),
            (f"case_{rec['measure']}_business_hours", "business"),
        ):
            n = rec[f"{col}_n"]
            if not n:
                continue
            rows.append(
                {
                    **base,
                    "kpi": prefix,
                    "value": rec[f"{col}_median"],
                    "numerator": rec[f"{col}_sum"],
                    "denominator": n,
                }
            )
            rows.append(
                {
                    **base,
                    "kpi": f"{prefix}_p90",
                    "value": rec[f"{col}_p90"],
                    "numerator": None,
                    "denominator": n,
                }
            )
    return pd.DataFrame(rows)
