"""Digital-adoption-platform KPIs: flow completion rate and time to competence.

Events of a user and flow are ordered by time (at the same instant: started, step, help_opened,
failed, completed; then event id). An *attempt* runs from a ``started`` event to the next one; it
is completed when it holds a ``completed`` event, and counts in the period (local day) and segment
of its start. Events before a user's first start of a flow belong to no attempt.

A completion is *without help* when no ``help_opened`` event of the same user and flow happened
since the previous ``started`` or ``completed`` event. Time to competence is the number of local
days from the user's first event of the flow to their Nth completion without help (N =
``dap.competence_completions``), in the segment at that completion; users who have not reached it
are not counted. Rows by flow carry it in ``feature`` (null = all flows: then every user–flow pair
that reached competence counts once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

from uptake.kpis import execute, people
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, in_level, with_period
from uptake.vocab import Grain, SegmentLevel, WeekStart

_LEVELS: tuple[SegmentLevel, ...] = ("all", "region", "country")
_KEYS = ("grain", "period_start", "region", "country", "feature")
_ORDER = ("started", "step", "help_opened", "failed", "completed")


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    if not ctx.wh.has_rows("dap_events"):
        return
    ws = ctx.project.week_start
    n = ctx.project.dap.competence_completions
    attr = people.attribution(ctx)

    def attributed() -> Table:
        t = ctx.table("dap_events")
        t = people.match_users(ctx, t, "actor").mutate(country=ibis.null("string"))
        return people.attribute(attr, t)

    execute.materialize(ctx.wh, "dap_attributed", ("dap.attributed", *people.shape(ctx)), attributed)
    t = ctx.table("dap_attributed")
    rates = execute.to_pandas(t, ("dap.rates", ws), lambda: rates_expr(t, ws))
    days = execute.to_pandas(t, ("dap.competence", n, ws), lambda: competence_expr(t, n, ws))
    yield rows(rates, days)


def _ordered(t: Table) -> Table:
    """``t`` with ``_rank``: the status order at the same instant."""
    rank = ibis.cases(*((t["status"] == s, i) for i, s in enumerate(_ORDER)), else_=len(_ORDER))
    return t.mutate(_rank=rank)


def _running(x: Table) -> Any:
    """Cumulative window over a user's events of one flow, in event order."""
    return ibis.cumulative_window(
        group_by=[x["user_id"], x["flow_id"]], order_by=[x["ts"], x["_rank"], x["event_id"]]
    )


def _cuts(
    t: Table, grains: tuple[Grain, ...], ws: WeekStart, aggs: Callable[[Table], dict[str, Any]]
) -> Table:
    """``aggs`` per grain × level × feature (null = all flows, else the flow), keyed by ``_KEYS``."""
    both = t.mutate(feature=ibis.null("string")).union(t.mutate(feature=t["flow_id"]))
    parts = []
    for grain in grains:
        for level in _LEVELS:
            x, pk = with_period(in_level(both, level), grain, ws)
            if grain != "total":
                x = x.filter(x["local_date"].notnull())
            keep = LEVEL_KEYS[level]
            x = x.mutate(
                grain=ibis.literal(grain),
                period_start=x["period_start"] if pk else ibis.null("date"),
                **{c: x[c] if c in keep else ibis.null("string") for c in ("region", "country")},
            )
            parts.append(x.group_by(list(_KEYS)).agg(**aggs(x)))
    return ibis.union(*parts)


def attempts_expr(t: Table) -> Table:
    """One row per attempt: its start's user, flow, segment and local day, and ``done``."""
    x = _ordered(t)
    x = x.mutate(_attempt=(x["status"] == "started").cast("int64").sum().over(_running(x)))
    starts = x.filter(x["status"] == "started")
    done = x.filter((x["status"] == "completed") & (x["_attempt"] > 0))
    done = done.select(_u=done["user_id"], _f=done["flow_id"], _a=done["_attempt"]).distinct()
    j = starts.left_join(
        done,
        [starts["user_id"] == done["_u"], starts["flow_id"] == done["_f"], starts["_attempt"] == done["_a"]],
    )
    return j.select(
        "user_id", "flow_id", "region", "country", "local_date", done=j["_a"].notnull().cast("int64")
    )


def rates_expr(t: Table, ws: WeekStart) -> Table:
    """Started and completed attempts, and users who started one, per week, month and total."""
    a = attempts_expr(t)
    return _cuts(
        a,
        ("week", "month", "total"),
        ws,
        lambda x: {"started": x.count(), "completed": x["done"].sum(), "users": x["user_id"].nunique()},
    )


def competence_expr(t: Table, n: int, ws: WeekStart) -> Table:
    """Median, sum and count of days to the ``n``-th completion without help, and distinct users."""
    x = _ordered(t)
    marker = x["status"].isin(["started", "completed"]).cast("int64")
    x = x.mutate(_seg=marker.sum().over(_running(x)) - marker)
    since = ibis.window(group_by=[x["user_id"], x["flow_id"], x["_seg"]])
    x = x.mutate(_helps=(x["status"] == "help_opened").cast("int64").sum().over(since))
    clean = x.filter((x["status"] == "completed") & (x["_helps"] == 0))
    clean = clean.mutate(_k=clean["_rank"].count().over(_running(clean)))
    nth = clean.filter(clean["_k"] == n)
    first = x.group_by(["user_id", "flow_id"]).agg(_first=x["local_date"].min())
    j = nth.join(first, [nth["user_id"] == first["user_id"], nth["flow_id"] == first["flow_id"]])
    per = j.select(
        nth["user_id"],
        nth["flow_id"],
        nth["region"],
        nth["country"],
        nth["local_date"],
        days=nth["local_date"].epoch_days() - first["_first"].epoch_days(),
    )
    return _cuts(
        per,
        ("total",),
        ws,
        lambda x: {
            "median": x["days"].median(),
            "total": x["days"].sum(),
            "n": x.count(),
            "users": x["user_id"].nunique(),
        },
    )


def rows(rates: pd.DataFrame, days: pd.DataFrame) -> pd.DataFrame:
    """KPI rows from the aggregated statistics (pandas over aggregated rows only)."""
    out: list[dict[str, Any]] = []
    for r in rates.to_dict("records"):
        base = {k: None if pd.isna(r[k]) else r[k] for k in _KEYS}
        s, c = int(r["started"]), int(r["completed"])
        if s:
            out.append(
                {
                    **base,
                    "kpi": "dap_flow_completion_rate",
                    "value": c / s,
                    "numerator": c,
                    "denominator": s,
                    "n_users": int(r["users"]),
                }
            )
    for r in days.to_dict("records"):
        base = {k: None if pd.isna(r[k]) else r[k] for k in _KEYS}
        out.append(
            {
                **base,
                "kpi": "time_to_competence_days",
                "value": float(r["median"]),
                "numerator": float(r["total"]),
                "denominator": int(r["n"]),
                "n_users": int(r["users"]),
            }
        )
    return pd.DataFrame(out)
