"""The data-quality score (0–100) of a segment from its completeness, duplicate and stale rows.

    part: completeness = value; duplicates = 1 − duplicate_record_rate; stale = 1 − stale_record_share
    score = 100 × Σ wᵢ·partᵢ ÷ Σ wᵢ   over the parts whose row has a value and is not suppressed

``numerator`` = 100 × Σ wᵢ·partᵢ, ``denominator`` = Σ wᵢ of the parts used, ``n_users`` = the largest
``n_users`` among them, None when no part has an owner (weights: ``quality.weights`` in ``uptake.yaml``).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

KEYS = ("grain", "region", "country", "team")
INVERTED = frozenset({"duplicate_record_rate", "stale_record_share"})
"""Rates where lower is better: their part is 1 − value."""


def _na(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def score_rows(rows: pd.DataFrame, weights: dict[str, float], min_group_size: int) -> list[dict[str, Any]]:
    """One ``data_quality_score`` row per segment of the rate rows (feature null) given."""
    df = rows[rows["kpi"].isin(list(weights))]
    if "feature" in df.columns:
        df = df[df["feature"].isna()]
    parts: dict[tuple[Any, ...], list[tuple[float, float, int]]] = {}
    for rec in df.to_dict("records"):
        value, n = rec["value"], rec["n_users"]
        w = weights[rec["kpi"]]
        if _na(value) or w <= 0 or (not _na(n) and n < min_group_size):
            continue
        part = 1.0 - value if rec["kpi"] in INVERTED else value
        key = tuple(None if _na(rec.get(k)) else rec.get(k) for k in KEYS)
        parts.setdefault(key, []).append((w, part, 0 if _na(n) else int(n)))
    out: list[dict[str, Any]] = []
    for key, found in sorted(parts.items(), key=lambda x: tuple(str(k) for k in x[0])):
        num = 100.0 * sum(w * p for w, p, _ in found)
        den = sum(w for w, _, _ in found)
        out.append(
            {
                **dict(zip(KEYS, key, strict=True)),
                "kpi": "data_quality_score",
                "value": num / den,
                "numerator": num,
                "denominator": den,
                "n_users": max(n for _, _, n in found) or None,
            }
        )
    return out
