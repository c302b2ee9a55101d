"""The go-live effect estimator on hand-built panels with known effects (fixed seeds).

Noise 0.02 per cell against an effect of log(1.1) ≈ 0.095 gives the design power; at a 5 % level
about one seed in twenty flags a pre-trend or placebo by chance (seeds 9, 13 and 18 of 0–19), so
the tests use seeds 0–4.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from uptake.evaluate.impact import NotEstimable, Settings, estimate, placebo_panel, verdict

COHORTS = {"A": 10, "B": 10, "C": 14, "D": 14, "E": 18, "F": 18, "G": 22, "H": 22, "I": 22}
Effect = Callable[[int, int], float]
"""(cohort, periods since go-live ≥ 0) → effect on y."""


def panel(
    effect: Effect,
    noise: float = 0.0,
    seed: int = 0,
    periods: int = 30,
    cohorts: dict[str, float] = COHORTS,
    pre_trend: float = 0.0,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for k, (unit, g) in enumerate(cohorts.items()):
        for t in range(periods):
            e = t - g
            y = 0.3 * k + 0.05 * math.sin(t) + 0.01 * t
            y += effect(int(g), int(e)) if e >= 0 else 0.0
            y += pre_trend * t if not math.isnan(g) and g < 22 else 0.0
            rows.append({"unit": unit, "period": t, "cohort": g, "y": y + rng.normal(0.0, noise)})
    return pd.DataFrame(rows)


def row(results: pd.DataFrame, estimate_: str, event_time: int | None = None) -> pd.Series:
    r = results[results["estimate"] == estimate_]
    if event_time is not None:
        r = r[r["event_time"] == event_time]
    assert len(r) == 1
    return r.iloc[0]


def test_heterogeneous_dynamic_effects_are_recovered_exactly() -> None:
    # cohort 10 gains 0.05 more, and every effect grows by 0.02 a period: TWFE would be biased
    res = estimate(panel(lambda g, e: 0.1 + 0.02 * e + (0.05 if g == 10 else 0.0)))
    # e = 0: cohorts 10 (2 units, 0.15), 14 and 18 (2 units each, 0.10); the last cohort (22) compares
    assert row(res, "event_time", 0)["value"] == pytest.approx((2 * 0.15 + 4 * 0.10) / 6, abs=1e-9)
    # e = 4: cohort 18 is past the last go-live at 22, so only cohorts 10 and 14 remain
    assert row(res, "event_time", 4)["value"] == pytest.approx((0.23 + 0.18) / 2, abs=1e-9)
    for e in range(-8, -1):
        assert row(res, "event_time", e)["value"] == pytest.approx(0.0, abs=1e-9)
    assert row(res, "placebo")["value"] == pytest.approx(0.0, abs=1e-9)
    assert row(res, "att")["control"] == "last_treated"
    assert verdict(res) == "effect"


def test_plain_twfe_would_be_biased_on_the_same_panel() -> None:
    """Why the interaction-weighted estimator: one post dummy with unit and period effects."""
    df = panel(lambda g, e: 0.02 * e * (3.0 if g == 10 else 1.0))
    post = (df["period"] >= df["cohort"]).astype(float)
    x = pd.concat(
        [post.rename("post"), pd.get_dummies(df[["unit"]], drop_first=True, dtype=float)], axis=1
    ).join(pd.get_dummies(df["period"].astype(str), prefix="t", drop_first=True, dtype=float))
    x.insert(0, "const", 1.0)
    twfe = float(np.linalg.lstsq(x.to_numpy(float), df["y"].to_numpy(float), rcond=None)[0][1])
    att = row(estimate(df), "att")["value"]
    assert att > 0.05
    assert abs(twfe - att) > 0.04  # TWFE mixes in already-treated units as controls


def test_known_effect_is_covered_and_the_placebo_finds_none() -> None:
    truth = math.log1p(0.10)
    for seed in range(5):
        res = estimate(panel(lambda g, e: truth, noise=0.02, seed=seed))
        att = row(res, "att")
        assert att["ci_low"] <= truth <= att["ci_high"], seed
        placebo = row(res, "placebo")
        assert placebo["ci_low"] <= 0.0 <= placebo["ci_high"], seed
        assert verdict(res) == "effect", seed


def test_no_effect_is_reported_as_none() -> None:
    for seed in range(5):
        res = estimate(panel(lambda g, e: 0.0, noise=0.02, seed=seed))
        assert verdict(res) == "no_effect_detected", seed


def test_a_pre_trend_is_flagged() -> None:
    res = estimate(panel(lambda g, e: 0.1, noise=0.01, seed=3, pre_trend=0.01))
    assert row(res, "pre_trend")["p_value"] < 0.01
    assert verdict(res) == "pre_trend_violated"


def test_never_treated_units_are_the_comparison_when_there_are_any() -> None:
    cohorts = {**COHORTS, "G": math.nan, "H": math.nan, "I": math.nan}
    res = estimate(panel(lambda g, e: 0.2, cohorts=cohorts, periods=34))
    assert row(res, "att")["control"] == "never_treated"
    assert row(res, "att")["value"] == pytest.approx(0.2, abs=1e-9)
    assert row(res, "event_time", 12)["value"] == pytest.approx(0.2, abs=1e-9)


def test_placebo_panel_keeps_only_real_pre_periods() -> None:
    df = placebo_panel(panel(lambda g, e: 1.0), shift=4)
    assert (df["period"] < df["cohort"] + 4).all()
    assert set(df.loc[df["unit"] == "A", "cohort"]) == {6}


def test_one_cohort_without_comparison_is_not_estimable() -> None:
    with pytest.raises(NotEstimable):
        estimate(panel(lambda g, e: 0.1, cohorts={"A": 10, "B": 10}), Settings())
