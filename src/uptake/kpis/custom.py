"""Every declarative KPI (built-in ``definitions/custom.yaml`` and the project's ``kpis:``)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pandas as pd

from uptake.kpis import execute
from uptake.kpis.catalog import catalog
from uptake.kpis.compiler import Rollups, compile_kpi
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVELS_BY_GRAIN


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    ws = ctx.project.week_start
    r = Rollups(ctx.table("user_day"), ctx.table("user_feature_day"), ctx.table("eligible_day"))
    for d in catalog(ctx.project).values():
        if d.measure is None:
            continue
        for grain in d.grains:
            for level in LEVELS_BY_GRAIN[grain]:
                for by_phase in (False, True) if grain == "total" else (False,):
                    df = execute.to_pandas(
                        r.user_day,
                        ("custom", d.model_dump_json(), grain, level, by_phase, ws),
                        partial(compile_kpi, d, r, grain, level, by_phase, ws),
                    )
                    yield df.drop(columns=["_k"]).assign(kpi=d.id, grain=grain)
