"""Identity quality: events whose user id is a placeholder (not a person) are counted here."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from uptake.kpis.context import KpiContext
from uptake.kpis.rollup import is_placeholder


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    activity = ctx.table("activity")
    unresolved = activity.filter(is_placeholder(activity, ctx.project))
    ctx.wh.replace("unresolved_events", unresolved)
    n = int(unresolved.count().execute())
    yield pd.DataFrame(
        [
            {
                "kpi": "unresolved_placeholder_events",
                "grain": "total",
                "value": n,
                "numerator": n,
                "denominator": int(activity.count().execute()),
                "n_users": None,
            }
        ]
    )
