"""Usage KPIs from the daily rollups: present, active, activation, login-only, records created."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

from uptake.kpis import execute
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, LEVELS_BY_GRAIN, in_level, with_period
from uptake.vocab import GRAINS, Grain, SegmentLevel, WeekStart


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    ws = ctx.project.week_start
    ud, el = ctx.table("user_day"), ctx.table("eligible_day")
    for grain in GRAINS:
        for level in LEVELS_BY_GRAIN[grain]:
            for by_phase in (False, True) if grain == "total" else (False,):
                yield pd.DataFrame(rows(counts(ud, el, grain, level, by_phase, ws))).assign(grain=grain)


def group_keys(
    grain: Grain, level: SegmentLevel, by_phase: bool, t: Table, ws: WeekStart
) -> tuple[Table, list[str]]:
    t, pk = with_period(in_level(t, level), grain, ws)
    keys = [*pk, *LEVEL_KEYS[level]]
    if by_phase:
        t = t.filter(t["phase"].notnull())
        keys.append("phase")
    return t.mutate(_k=ibis.literal(1)), [*keys, "_k"]


def counts(
    user_day: Table, eligible_day: Table, grain: Grain, level: SegmentLevel, by_phase: bool, ws: WeekStart
) -> pd.DataFrame:
    """One row per period × segment (× phase) with the counts every usage KPI is built from."""
    df = execute.to_pandas(
        user_day,
        ("usage.counts", grain, level, by_phase, ws),
        lambda: counts_expr(user_day, eligible_day, grain, level, by_phase, ws),
    )
    for c in ("present", "active", "login_only", "creates", "eligible", "active_eligible"):
        df[c] = df[c].fillna(0).astype("int64")
    return df.drop(columns=["_k"])


def counts_expr(
    user_day: Table, eligible_day: Table, grain: Grain, level: SegmentLevel, by_phase: bool, ws: WeekStart
) -> Table:
    """The Ibis expression behind :func:`counts` (``uptake explain`` shows its SQL)."""
    ud, keys = group_keys(grain, level, by_phase, user_day, ws)
    el, _ = group_keys(grain, level, by_phase, eligible_day, ws)
    per_user = ud.group_by([*keys, "user_id"]).agg(m=ud["n_meaningful"].sum(), c=ud["n_create"].sum())
    act = per_user.group_by(keys).agg(
        present=per_user.count(),
        active=(per_user["m"] > 0).cast("int64").sum(),
        login_only=(per_user["m"] == 0).cast("int64").sum(),
        creates=per_user["c"].sum(),
    )
    elig_users = el.select(*keys, "user_id").distinct()
    elig = elig_users.group_by(keys).agg(eligible=elig_users.count())
    act_elig = per_user.filter(per_user["m"] > 0).semi_join(elig_users, [*keys, "user_id"])
    ae = act_elig.group_by(keys).agg(active_eligible=act_elig.count())
    all_keys = act.select(keys).union(elig.select(keys)).distinct()
    out = all_keys.left_join(act, keys).select(all_keys, *_vals(act, keys))
    out = out.left_join(elig, keys).select(out, elig["eligible"])
    return out.left_join(ae, keys).select(out, ae["active_eligible"])


def _vals(t: Table, keys: list[str]) -> list[Any]:
    return [t[c] for c in t.columns if c not in keys]


def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Long KPI rows (without period/segment columns) for each row of :func:`counts`."""
    out: list[dict[str, Any]] = []
    for rec in df.to_dict("records"):
        eligible, present, active = rec["eligible"], rec["present"], rec["active"]
        n_users = eligible if eligible else present
        base = {k: v for k, v in rec.items() if k in ("period_start", "weeks_since_go_live", "phase", *_SEG)}
        out.append(
            {
                **base,
                "kpi": "present_users",
                "value": present,
                "numerator": present,
                "denominator": None,
                "n_users": n_users,
            }
        )
        out.append(
            {
                **base,
                "kpi": "active_users",
                "value": active,
                "numerator": active,
                "denominator": None,
                "n_users": n_users,
            }
        )
        out.append(
            {
                **base,
                "kpi": "activation_rate",
                "value": _ratio(rec["active_eligible"], eligible),
                "numerator": rec["active_eligible"],
                "denominator": eligible,
                "n_users": n_users,
            }
        )
        out.append(
            {
                **base,
                "kpi": "login_only_share",
                "value": _ratio(rec["login_only"], present),
                "numerator": rec["login_only"],
                "denominator": present,
                "n_users": n_users,
            }
        )
        out.append(
            {
                **base,
                "kpi": "records_created_per_active_user",
                "value": _ratio(rec["creates"], active),
                "numerator": rec["creates"],
                "denominator": active,
                "n_users": n_users,
            }
        )
        out.append(
            {
                **base,
                "kpi": "eligible_users",
                "value": eligible,
                "numerator": eligible,
                "denominator": None,
                "n_users": n_users,
            }
        )
    return out


_SEG = ("region", "country", "team", "role")


def _ratio(num: float, den: float) -> float | None:
    return float(num) / float(den) if den else None
