"""The composite adoption score (0–100), derived from other KPI rows (docs/adoption-score.md).

For each period and segment (grains week, month, total; feature and phase null) the score reads
the rows of its input KPIs (``adoption_score.inputs`` in ``uptake.yaml``). An input counts when
its row exists, has a value and is not suppressed (n_users ≥ the minimum group size), so the score
can be recomputed from the published ``kpi_values`` alone:

    part_i = clamp((value_i − floor_i) ÷ (target_i − floor_i), 0, 1)
    score  = 100 × Σ weight_i × part_i ÷ Σ weight_i        (sums over the inputs that count)

``numerator`` = 100 × Σ weight_i × part_i, ``denominator`` = Σ weight_i of the inputs that count
(less than the configured total when an input is missing), ``n_users`` = the largest ``n_users``
among them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from uptake.kpis.catalog import catalog
from uptake.kpis.context import KpiContext
from uptake.project.kpi_settings import AdoptionScore, ScoreInput

GRAINS = ("week", "month", "total")
KEYS = ("grain", "period_start", "weeks_since_go_live", "region", "country", "team", "role")


def derive(ctx: KpiContext, rows: pd.DataFrame) -> Iterator[pd.DataFrame]:
    settings = ctx.project.adoption_score
    _check(settings, set(catalog()))
    yield pd.DataFrame(score_rows(rows, settings, ctx.project.privacy.min_group_size))


def _check(settings: AdoptionScore, known: set[str]) -> None:
    unknown = sorted(i.kpi for i in settings.inputs if i.kpi not in known)
    if unknown:
        raise ValueError(
            f"adoption_score.inputs name unknown KPIs {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )


def part(value: float, spec: ScoreInput) -> float:
    """An input's value mapped onto 0…1 between its floor and target."""
    return min(max((value - spec.floor) / (spec.target - spec.floor), 0.0), 1.0)


def score_rows(rows: pd.DataFrame, settings: AdoptionScore, min_group_size: int) -> list[dict[str, Any]]:
    specs = {i.kpi: i for i in settings.inputs}
    df = rows[rows["kpi"].isin(list(specs)) & rows["grain"].isin(GRAINS)]
    for col in ("feature", "phase", *KEYS):
        if col not in df.columns:
            df = df.assign(**{col: None})
    df = df[df["feature"].isna() & df["phase"].isna()]
    inputs: dict[tuple[Any, ...], list[tuple[ScoreInput, float, int]]] = {}
    for rec in df.to_dict("records"):
        value, n = rec["value"], rec["n_users"]
        if _na(value) or (not _na(n) and n < min_group_size):
            continue
        key = tuple(None if _na(rec[k]) else rec[k] for k in KEYS)
        inputs.setdefault(key, []).append((specs[rec["kpi"]], float(value), 0 if _na(n) else int(n)))
    out: list[dict[str, Any]] = []
    for key, found in inputs.items():
        weight = sum(s.weight for s, _, _ in found)
        points = 100.0 * sum(s.weight * part(v, s) for s, v, _ in found)
        out.append(
            {
                **dict(zip(KEYS, key, strict=True)),
                "kpi": "adoption_score",
                "value": points / weight,
                "numerator": points,
                "denominator": weight,
                "n_users": max(n for _, _, n in found),
            }
        )
    return out


def _na(v: Any) -> bool:
    return v is None or bool(pd.isna(v))
