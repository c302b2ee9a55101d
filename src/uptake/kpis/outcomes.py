"""Business outcomes from ``outcomes`` (ERP): revenue and deals per sales user, cross- and up-sell,
before and after go-live; and the country × week panel the go-live effect is estimated on.

A *sales user* is a user (CRM id, else e-mail) with at least one outcome row in the period. A row
belongs to the segment its own ``country``/``team`` name, else to its user's version valid on its
date; its phase follows that country's go-live.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

from uptake.kpis import execute
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, in_level, with_period
from uptake.kpis.rollup import _with_phase, countries_table, resolve_ids
from uptake.project.models import Project
from uptake.vocab import SegmentLevel
from uptake.warehouse.store import Warehouse

_LEVELS: tuple[SegmentLevel, ...] = ("all", "region", "country", "team")
EPOCH_MONDAY = dt.date(1970, 1, 5)
"""Week indices of the panel count weeks (Monday to Sunday) from this Monday."""


def attributed(wh: Warehouse, project: Project, versions: Table | None, ids: Table | None) -> Table:
    """Outcome rows with ``rep`` (the sales user), segment columns, ``local_date`` and phase."""
    o = wh.table("outcomes")
    o = o.mutate(local_date=o["date"], _ts=o["date"].cast("timestamp"))
    if versions is not None and wh.has_rows("users"):
        u = wh.table("users")
        by_mail = (
            u.filter(u["email"].notnull()).group_by(_mail=u["email"].lower()).agg(_uid=u["user_id"].max())
        )
        o = o.left_join(by_mail, o["email"].lower() == by_mail["_mail"])
        o = o.mutate(user_id=o["user_id"].fill_null(o["_uid"])).drop("_mail", "_uid")
        o = resolve_ids(o, ids)
        v = versions.select(
            _u=versions["user_id"],
            _from=versions["valid_from"],
            _to=versions["valid_to"],
            _country=versions["country"],
            _team=versions["team"],
            _region=versions["region"],
            role=versions["role"],
        )
        o = o.left_join(
            v, [o["user_id"] == v["_u"], o["_ts"] >= v["_from"], v["_to"].isnull() | (o["_ts"] < v["_to"])]
        )
        o = o.mutate(country=o["country"].fill_null(o["_country"]), team=o["team"].fill_null(o["_team"]))
        o = o.drop("_u", "_from", "_to", "_country", "_team")
    else:
        o = o.mutate(_region=ibis.null("string"), role=ibis.null("string"))
    c = countries_table(wh, project)
    o = o.left_join(c, o["country"] == c["c_code"])
    o = o.mutate(region=o["_region"].fill_null(o["c_region"]), rep=o["user_id"].fill_null(o["email"].lower()))
    return _with_phase(o.drop("_region", "_ts"))


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    if not ctx.wh.has_rows("outcomes"):
        return
    attr = ctx.attr
    o = execute.materialize(
        ctx.wh,
        "outcomes_attributed",
        ("outcomes.attributed", *attr.shape),
        lambda: attributed(ctx.wh, ctx.project, attr.versions, attr.ids),
    )
    kinds = bool(o.filter(o["kind"].notnull()).count().execute())
    for level in _LEVELS:
        yield _monthly(o, level, ctx, kinds)
    for level in ("all", "country"):
        yield _by_phase(o, level)


def _sums(t: Table) -> dict[str, Any]:
    kind = t["kind"]
    return {
        "revenue": t["revenue"].sum(),
        "deals": t["deals_won"].sum(),
        "cross_sell": (kind == "cross_sell").cast("int64").sum(),
        "up_sell": (kind == "up_sell").cast("int64").sum(),
        "reps": t["rep"].nunique(),
    }


def _monthly(o: Table, level: SegmentLevel, ctx: KpiContext, kinds: bool) -> pd.DataFrame:
    def build() -> Table:
        t, pk = with_period(in_level(o, level), "month", ctx.project.week_start)
        t = t.mutate(_k=ibis.literal(1))
        return t.group_by([*pk, *LEVEL_KEYS[level], "_k"]).agg(**_sums(t))

    df = execute.to_pandas(o, ("outcomes.month", level), build).drop(columns=["_k"])
    keys = ["period_start", *LEVEL_KEYS[level]]
    rows: list[dict[str, Any]] = []
    for rec in df.to_dict("records"):
        base = {k: rec[k] for k in keys} | {"grain": "month", "n_users": int(rec["reps"])}
        reps = rec["reps"] or None
        rows.append({**base, "kpi": "revenue", "value": rec["revenue"], "numerator": rec["revenue"]})
        rows.append(
            {
                **base,
                "kpi": "revenue_per_sales_user",
                "value": rec["revenue"] / reps if reps else None,
                "numerator": rec["revenue"],
                "denominator": reps,
            }
        )
        if not _na(rec["deals"]):
            rows.append(
                {
                    **base,
                    "kpi": "deals_won_per_sales_user",
                    "value": rec["deals"] / reps if reps else None,
                    "numerator": rec["deals"],
                    "denominator": reps,
                }
            )
        for kpi in ("cross_sell", "up_sell") if kinds else ():
            rows.append({**base, "kpi": f"{kpi}_deals", "value": rec[kpi], "numerator": rec[kpi]})
    return pd.DataFrame(rows)


def _by_phase(o: Table, level: SegmentLevel) -> pd.DataFrame:
    """Revenue per sales user and week, per phase: the before/after go-live comparison."""

    def build() -> Table:
        t = in_level(o, level).filter(lambda x: x["phase"].notnull())
        t = t.mutate(_week=((t["local_date"].epoch_days() - 4) / 7).floor(), _k=ibis.literal(1))
        return t.group_by(["phase", *LEVEL_KEYS[level], "_k"]).agg(
            revenue=t["revenue"].sum(),
            rep_weeks=(t["rep"].cast("string").concat(":", t["_week"].cast("string"))).nunique(),
            reps=t["rep"].nunique(),
        )

    df = execute.to_pandas(o, ("outcomes.phase", level), build).drop(columns=["_k"])
    df = df[df["rep_weeks"] > 0]
    return pd.DataFrame(
        {
            **{k: df[k] for k in ("phase", *LEVEL_KEYS[level])},
            "grain": "total",
            "kpi": "revenue_per_sales_user_week",
            "value": df["revenue"] / df["rep_weeks"],
            "numerator": df["revenue"],
            "denominator": df["rep_weeks"],
            "n_users": df["reps"].astype(int),
        }
    )


def week_index(d: dt.date) -> int:
    return (d - EPOCH_MONDAY).days // 7


def impact_panel(wh: Warehouse, project: Project) -> pd.DataFrame:
    """Country × week: ``y`` = log(revenue ÷ sales users with revenue that week), ``cohort`` = the
    week index of the country's go-live (NaN without one); columns ``unit``, ``period``, ``cohort``,
    ``y``, ``revenue``, ``reps``."""
    if not wh.has_rows("outcomes"):
        return pd.DataFrame(columns=["unit", "period", "cohort", "y", "revenue", "reps"])
    versions = wh.table("users") if wh.has_rows("users") else None
    o = attributed(wh, project, versions, None)

    def build() -> Table:
        t = o.filter(o["country"].notnull())
        t = t.mutate(period=((t["local_date"].epoch_days() - 4) / 7).floor().cast("int64"))
        return t.group_by(unit=t["country"], period=t["period"]).agg(
            revenue=t["revenue"].sum(), reps=t["rep"].nunique()
        )

    df = execute.to_pandas(o, ("outcomes.panel", versions is not None), build)
    go_live = {c.code: week_index(c.go_live) for c in project.countries if c.go_live is not None}
    df["cohort"] = df["unit"].map(go_live).astype(float)
    per_rep = df["revenue"].where((df["revenue"] > 0) & (df["reps"] > 0)) / df["reps"]
    df["y"] = [math.log(v) if v == v else math.nan for v in per_rep]
    return df.sort_values(["unit", "period"]).reset_index(drop=True)


def _na(v: Any) -> bool:
    return v is None or bool(pd.isna(v))
