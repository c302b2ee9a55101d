"""The business-impact results of a run (``out/impact.parquet``): the go-live effect on revenue per
sales user (:mod:`uptake.evaluate.impact`) and the correlation of adoption with revenue.

Every row has ``estimate`` (event_time, att, pre_trend, placebo, correlation, not_estimable),
the statistics of :data:`uptake.evaluate.impact.COLUMNS`, the ``outcome`` it is about,
``effect_pct`` (the effect as a percentage change, for log outcomes), ``method`` and the run's
``verdict``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import stats

from uptake.evaluate.impact import COLUMNS, NotEstimable, estimate, verdict
from uptake.kpis.outcomes import impact_panel
from uptake.project.models import Project
from uptake.warehouse.store import Warehouse

OUTCOME = "log_revenue_per_sales_user_week"
METHOD = "sun_abraham_interaction_weighted"
SCHEMA = pa.schema(
    [
        ("estimate", pa.string()),
        ("outcome", pa.string()),
        ("event_time", pa.int64()),
        ("value", pa.float64()),
        ("std_error", pa.float64()),
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("p_value", pa.float64()),
        ("effect_pct", pa.float64()),
        ("effect_pct_low", pa.float64()),
        ("effect_pct_high", pa.float64()),
        ("n_obs", pa.int64()),
        ("n_units", pa.int64()),
        ("control", pa.string()),
        ("method", pa.string()),
        ("verdict", pa.string()),
        ("note", pa.string()),
    ]
)


def compute(wh: Warehouse, project: Project, kpi_values: pa.Table) -> pa.Table | None:
    """The impact rows, or None when the project has no outcomes."""
    if not wh.has_rows("outcomes"):
        return None
    panel = impact_panel(wh, project)
    try:
        res = estimate(panel)
        res["note"] = None
    except NotEstimable as e:
        res = pd.DataFrame([{"estimate": "not_estimable", "note": str(e)}], columns=[*COLUMNS, "note"])
    res["outcome"] = OUTCOME
    res["method"] = METHOD
    res["verdict"] = verdict(res)
    logs = res["estimate"].isin(["event_time", "att", "placebo"])
    for col, src in (("effect_pct", "value"), ("effect_pct_low", "ci_low"), ("effect_pct_high", "ci_high")):
        res[col] = np.where(logs, np.expm1(res[src].astype(float)) * 100.0, np.nan)
    corr = correlation(kpi_values.to_pandas())
    rows = res.to_dict("records") + ([corr] if corr else [])
    clean = [{f.name: _clean(r.get(f.name)) for f in SCHEMA} for r in rows]
    return pa.Table.from_pylist(clean, schema=SCHEMA)


def correlation(kv: pd.DataFrame) -> dict[str, Any] | None:
    """Pearson correlation of the team's monthly adoption score with its monthly revenue per sales
    user (team × month pairs, suppressed rows left out). A correlation, not an effect."""
    keys = ["period_start", "country", "team"]
    rows = kv[(kv["grain"] == "month") & kv["team"].notna() & kv["role"].isna() & kv["value"].notna()]
    score = rows[rows["kpi"] == "adoption_score"][[*keys, "value"]]
    revenue = rows[rows["kpi"] == "revenue_per_sales_user"][[*keys, "value"]]
    pairs = score.merge(revenue, on=keys, suffixes=("_score", "_revenue"))
    if len(pairs) < 4 or pairs["value_score"].nunique() < 2 or pairs["value_revenue"].nunique() < 2:
        return None
    r = stats.pearsonr(pairs["value_score"], pairs["value_revenue"])
    ci = r.confidence_interval(0.95)
    return {
        "estimate": "correlation",
        "outcome": "revenue_per_sales_user~adoption_score",
        "value": float(r.statistic),
        "ci_low": float(ci.low),
        "ci_high": float(ci.high),
        "p_value": float(r.pvalue),
        "n_obs": len(pairs),
        "n_units": int(pairs["team"].nunique()),
        "method": "pearson_team_month",
        "note": "correlation between team-month adoption score and revenue per sales user; not an effect",
    }


def _clean(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if v is pd.NA:
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if math.isnan(float(v)) else float(v)
    return v
