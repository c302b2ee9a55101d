"""Depth, breadth and adoption of the features each role is expected to use.

A *feature* is ``entity.action`` of a meaningful event (``user_feature_day``). Every user with a
feature row is active, so the active users of a period and segment are the users of its rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa
from ibis.expr.types import Table

from uptake.kpis import execute
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, LEVELS_BY_GRAIN, in_level, with_period
from uptake.project.models import Project
from uptake.vocab import Grain, SegmentLevel, WeekStart

GRAINS: tuple[Grain, ...] = ("week", "month", "total")


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    ws = ctx.project.week_start
    ufd, el = ctx.table("user_feature_day"), ctx.table("eligible_day")
    features = catalogue(ctx.project, ufd)
    targets = role_targets(ctx)
    if not features:  # no roles configured and no meaningful event yet
        return
    for grain in GRAINS:
        for level in LEVELS_BY_GRAIN[grain]:
            yield depth_breadth(ufd, features, grain, level, ws).assign(grain=grain)
            if targets is not None:
                build = partial(feature_adoption_expr, ufd, el, targets, grain, level, ws)
                per_feature = execute.to_pandas(
                    ufd, ("adoption.feature", grain, level, ws), execute.item(build, 0)
                )
                pooled = execute.to_pandas(ufd, ("adoption.pooled", grain, level, ws), execute.item(build, 1))
                yield feature_adoption(per_feature, pooled).assign(grain=grain)


def catalogue(project: Project, user_feature_day: Table) -> list[str]:
    """The features breadth is measured against: the union of the roles' expected features when
    ``roles`` is configured, else every feature seen in the data (all users, all history)."""
    if project.roles:
        return sorted({f for r in project.roles.values() for f in r.features})
    seen = user_feature_day.select("feature").distinct().to_pyarrow()["feature"].to_pylist()
    return sorted(str(f) for f in seen)


def role_targets(ctx: KpiContext) -> Table | None:
    """(role, feature) pairs of the ``roles`` setting; None when no role is configured."""
    pairs = [(role, f) for role, r in ctx.project.roles.items() for f in r.features]
    if not pairs:
        return None
    return ctx.stage(
        "role_features",
        pa.table({"t_role": [p[0] for p in pairs], "t_feature": [p[1] for p in pairs]}),
    )


def _keyed(t: Table, grain: Grain, level: SegmentLevel, ws: WeekStart) -> tuple[Table, list[str]]:
    t, pk = with_period(in_level(t, level), grain, ws)
    return t.mutate(_k=ibis.literal(1)), [*pk, *LEVEL_KEYS[level], "_k"]


def depth_breadth_expr(
    user_feature_day: Table, features: list[str], grain: Grain, level: SegmentLevel, ws: WeekStart
) -> Table:
    """Per period × segment: active users, (user, feature) pairs, and catalogue features used."""
    f, keys = _keyed(user_feature_day, grain, level, ws)
    uf = f.select(*keys, "user_id", "feature").distinct()
    return uf.group_by(keys).agg(
        pairs=uf.count(),
        active=uf["user_id"].nunique(),
        used=uf["feature"].nunique(where=uf["feature"].isin(features)),
    )


def depth_breadth(
    user_feature_day: Table, features: list[str], grain: Grain, level: SegmentLevel, ws: WeekStart
) -> pd.DataFrame:
    df = execute.to_pandas(
        user_feature_day,
        ("depth", tuple(features), grain, level, ws),
        partial(depth_breadth_expr, user_feature_day, features, grain, level, ws),
    )
    rows: list[dict[str, Any]] = []
    for rec in df.drop(columns=["_k"]).to_dict("records"):
        base = {str(k): v for k, v in rec.items() if k not in ("pairs", "active", "used")}
        active = int(rec["active"])
        rows.append(
            {
                **base,
                "kpi": "depth",
                "value": rec["pairs"] / active,
                "numerator": rec["pairs"],
                "denominator": active,
                "n_users": active,
            }
        )
        rows.append(
            {
                **base,
                "kpi": "breadth",
                "value": rec["used"] / len(features),
                "numerator": rec["used"],
                "denominator": len(features),
                "n_users": active,
            }
        )
    return pd.DataFrame(rows)


def feature_adoption_expr(
    user_feature_day: Table,
    eligible_day: Table,
    targets: Table,
    grain: Grain,
    level: SegmentLevel,
    ws: WeekStart,
) -> tuple[Table, Table]:
    """Targeted pairs (eligible user of a role that is expected to use the feature) and, of those,
    the adopted ones (the user used the feature on a day they were eligible), per period × segment.

    Returns the counts per feature and pooled over all expected features."""
    el, keys = _keyed(eligible_day, grain, level, ws)
    el = el.select(*keys, "user_id", _role=el["role"]).distinct()
    tp = el.join(targets, el["_role"] == targets["t_role"])
    tp = tp.select(*keys, "user_id", feature=tp["t_feature"]).distinct()
    used = user_feature_day.semi_join(eligible_day, ["user_id", "local_date"])
    u, _ = _keyed(used, grain, level, ws)
    u = u.select(*keys, "user_id", "feature").distinct()
    tp = tp.left_join(u, [*keys, "user_id", "feature"]).select(tp, _used=u["user_id"].notnull().cast("int64"))
    per_feature = tp.group_by([*keys, "feature"]).agg(
        numerator=tp["_used"].sum(), denominator=tp.count(), n_users=tp.count()
    )
    pooled = tp.group_by(keys).agg(
        numerator=tp["_used"].sum(), denominator=tp.count(), n_users=tp["user_id"].nunique()
    )
    return per_feature, pooled


def feature_adoption(per_feature: pd.DataFrame, pooled: pd.DataFrame) -> pd.DataFrame:
    """Share of targeted eligible users who used each expected feature; the row with ``feature``
    null pools all (user, expected feature) pairs of the segment."""
    df = pd.concat([per_feature, pooled], ignore_index=True).drop(columns=["_k"])
    df["value"] = df["numerator"] / df["denominator"]
    out: pd.DataFrame = df.assign(kpi="feature_adoption")
    return out
