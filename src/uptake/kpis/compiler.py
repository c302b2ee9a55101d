"""Compile a declarative KPI (``spec.Measure`` + ``per``) to an Ibis expression over the rollups.

The expression has one row per period × segment (× phase): the group keys, ``numerator``,
``denominator`` (null without ``per``), ``value`` and ``n_users`` (eligible users of the group, or
every user seen in its rows where nobody is eligible, as for the usage KPIs). Groups come from the
numerator, the denominator and the eligible users, so a period without matching rows is an
explicit zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import ibis
from ibis.expr.types import BooleanValue, Table

from uptake.kpis.spec import KpiDefinition, Measure, Per
from uptake.kpis.usage import group_keys
from uptake.vocab import Grain, SegmentLevel, WeekStart


@dataclass(frozen=True)
class Rollups:
    """The daily rollups a declarative KPI reads (``rollup.py``)."""

    user_day: Table
    user_feature_day: Table
    eligible_day: Table


def compile_kpi(
    d: KpiDefinition, r: Rollups, grain: Grain, level: SegmentLevel, by_phase: bool, ws: WeekStart
) -> Table:
    """The aggregate of a declarative KPI at one grain and segment level (``_k`` is a constant key).

    One pass without joins: the matching rows, the eligible days and the denominator population
    are stacked (``_src`` 1, 2, 3), folded per user and group, then counted per group.
    """
    m = d.measure
    if m is None:
        raise ValueError(f"KPI {d.id!r} has no measure; it is computed by a Python producer")
    parts = [(source_rows(m, r), 1), (r.eligible_day.mutate(_n=ibis.literal(0, "int64")), 2)]
    population = _population(d.per, r)
    if population is not None:
        parts.append((population.mutate(_n=ibis.literal(0, "int64")), 3))
    has_pop = d.per != "none"
    stacked: list[Table] = []
    keys: list[str] = []
    for t, src in parts:
        g, keys = group_keys(grain, level, by_phase, t, ws)
        stacked.append(g.select(*keys, "user_id", "local_date", "_n", _src=ibis.literal(src, "int8")))
    facts = reduce(lambda a, b: a.union(b), stacked)
    is_num, pop = facts["_src"] == 1, 2 if d.per == "eligible_users" else 3
    per_user = facts.group_by([*keys, "user_id"]).agg(
        in_num=is_num.any(),
        events=facts["_n"].sum(where=is_num),
        days=facts["local_date"].nunique(where=is_num),
        in_elig=(facts["_src"] == 2).any(),
        in_pop=(facts["_src"] == pop).any(),
    )
    counted = {
        "distinct_users": (per_user["in_num"] & (per_user["in_pop"] | (not has_pop))).cast("int64"),
        "events": per_user["events"].fill_null(0),
        "user_days": per_user["days"].fill_null(0),
    }[m.count]
    out = per_user.group_by(keys).agg(
        numerator=counted.sum(),
        denominator=per_user["in_pop"].cast("int64").sum(),
        eligible=per_user["in_elig"].cast("int64").sum(),
        users=per_user.count(),
    )
    numerator = out["numerator"].fill_null(0)
    if not has_pop:
        denominator, value = ibis.null("int64"), numerator.cast("float64")
    else:
        denominator = out["denominator"]
        value = numerator.cast("float64") / denominator.nullif(0).cast("float64")
    n_users = out["eligible"].nullif(0).fill_null(out["users"])
    return out.select(
        *keys, value=value, numerator=numerator, denominator=denominator, n_users=n_users.cast("int64")
    )


def source_rows(m: Measure, r: Rollups) -> Table:
    """Rows matching the measure: ``user_id``, ``local_date``, segments, phase and ``_n`` events."""
    if m.source == "user_day":
        t = r.user_day
        if m.where.active:
            return t.filter(t["n_meaningful"] > 0).mutate(_n=t["n_meaningful"])
        return t.mutate(_n=t["n_events"])
    t = r.user_feature_day
    feature = t["feature"]
    conditions: list[BooleanValue] = []
    if m.where.features is not None:
        conditions.append(feature.isin(m.where.features))
    if m.where.entities is not None:
        conditions.append(_any([feature.startswith(f"{e}.") for e in m.where.entities]))
    if m.where.actions is not None:
        conditions.append(_any([feature.endswith(f".{a}") for a in m.where.actions]))
    for c in conditions:
        t = t.filter(c)
    return t.mutate(_n=t["n_events"])


def _any(values: list[BooleanValue]) -> BooleanValue:
    if not values:
        return ibis.literal(False)
    return reduce(lambda a, b: a | b, values)


def _population(per: Per, r: Rollups) -> Table | None:
    """User-day rows of the denominator population, unless it is the eligible users or none."""
    if per == "active_users":
        return r.user_day.filter(r.user_day["n_meaningful"] > 0)
    return r.user_day if per == "present_users" else None
