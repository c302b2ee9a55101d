"""Training KPIs (grain total, per segment level): completion rate before go-live, info-session
attendance, and days from training completion to the first meaningful activity.

The population of the two rates is the users eligible on their country's go-live day, in their
segment on that day (``eligible_day``). A user completed training before go-live when a course was
completed or passed on a local day before it; attended when any info session was attended (at any
time). Days to first activity: from the local day of the user's first course completion to the
first local day with a meaningful action on or after it, in the user's segment at completion;
users with no such day yet are left out (the count is the denominator).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

from uptake.kpis import execute, people
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, in_level
from uptake.vocab import SegmentLevel

_LEVELS: tuple[SegmentLevel, ...] = ("all", "region", "country", "team", "role")
_SEG = ("region", "country", "team", "role")


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    if not ctx.wh.has_rows("training"):
        return
    attr = people.attribution(ctx)

    def attributed() -> Table:
        t = ctx.table("training")
        t = people.match_users(ctx, t, "learner").mutate(country=ibis.null("string"))
        return people.attribute(attr, t)

    execute.materialize(
        ctx.wh, "training_attributed", ("training.attributed", *people.shape(ctx)), attributed
    )
    t, el, ud = ctx.table("training_attributed"), ctx.table("eligible_day"), ctx.table("user_day")
    c = attr.countries
    rates = execute.to_pandas(t, ("training.rates",), lambda: rates_expr(t, el, c))
    days = execute.to_pandas(t, ("training.days",), lambda: days_expr(t, ud))
    yield rows(rates, days)


def _by_level(t: Table, aggs: Any) -> Table:
    parts = []
    for level in _LEVELS:
        x = in_level(t, level)
        keep = LEVEL_KEYS[level]
        x = x.mutate(**{s: x[s] if s in keep else ibis.null("string") for s in _SEG})
        parts.append(x.group_by(list(_SEG)).agg(**aggs(x)))
    return ibis.union(*parts)


def rates_expr(t: Table, el: Table, countries: Table) -> Table:
    """Eligible users at go-live, those who completed a course before it, those who attended."""
    at = el.join(
        countries, [el["country"] == countries["c_code"], el["local_date"] == countries["c_go_live"]]
    )
    at = at.select("user_id", *_SEG, go_live=at["local_date"])
    done = t.filter(t["status"].isin(["completed", "passed"]) & (t["kind"] == "course"))
    first = done.group_by("user_id").agg(_done=done["local_date"].min())
    went = t.filter(t["kind"] == "info_session").select(_u=t["user_id"]).distinct()
    j = at.left_join(first, at["user_id"] == first["user_id"]).select(at, first["_done"])
    j = j.left_join(went, j["user_id"] == went["_u"]).select(j, went["_u"])
    j = j.mutate(
        _before=(j["_done"].notnull() & (j["_done"] < j["go_live"])).cast("int64"),
        _went=j["_u"].notnull().cast("int64"),
    )
    return _by_level(
        j, lambda x: {"eligible": x.count(), "trained": x["_before"].sum(), "attended": x["_went"].sum()}
    )


def days_expr(t: Table, ud: Table) -> Table:
    """Per level: median, sum and count of days from first completion to first meaningful activity."""
    done = t.filter(t["status"].isin(["completed", "passed"]) & (t["kind"] == "course"))
    done = done.filter(done["local_date"].notnull())
    first = done.group_by("user_id").agg(
        _done=done["local_date"].min(), **{s: done[s].argmin(done["ts"]) for s in _SEG}
    )
    act = ud.filter(ud["n_meaningful"] > 0)
    j = first.join(act, [first["user_id"] == act["user_id"], act["local_date"] >= first["_done"]])
    per = j.group_by([first["user_id"], *(first[s] for s in _SEG), first["_done"]]).agg(
        _act=j["local_date"].min()
    )
    per = per.mutate(days=per["_act"].epoch_days() - per["_done"].epoch_days())
    return _by_level(per, lambda x: {"median": x["days"].median(), "total": x["days"].sum(), "n": x.count()})


def rows(rates: pd.DataFrame, days: pd.DataFrame) -> pd.DataFrame:
    out: list[dict[str, Any]] = []
    for r in rates.to_dict("records"):
        base = {s: None if pd.isna(r[s]) else r[s] for s in _SEG} | {"grain": "total"}
        e = int(r["eligible"])
        for kpi, num in (("training_completion_rate", "trained"), ("info_session_attendance", "attended")):
            n = int(r[num])
            out.append({**base, "kpi": kpi, "value": n / e, "numerator": n, "denominator": e, "n_users": e})
    for r in days.to_dict("records"):
        base = {s: None if pd.isna(r[s]) else r[s] for s in _SEG} | {"grain": "total"}
        n = int(r["n"])
        out.append(
            {
                **base,
                "kpi": "training_to_activity_days",
                "value": float(r["median"]),
                "numerator": float(r["total"]),
                "denominator": n,
                "n_users": n,
            }
        )
    return pd.DataFrame(out)
