"""The effect of go-live on an outcome, estimated over staggered go-lives (docs/impact.md).

Input: a panel with one row per unit (a country) and period (a week index): ``unit``, ``period``
(int), ``cohort`` (the unit's go-live period; NaN = never goes live in the data) and ``y`` (the
outcome, e.g. log revenue per sales user). Output: long rows of estimates with confidence
intervals (:data:`COLUMNS`).

Estimator: Sun & Abraham's interaction-weighted event study (2021). One OLS (statsmodels) with
unit and period fixed effects and a dummy for every treated cohort × period relative to go-live
(``-pre … post``, relative period −1 is the reference); the comparison group is the units that
never go live or, without any, the last cohort to go live, observed only before its go-live. Each
relative period's estimate averages the cohorts' coefficients weighted by their share of units.
Plain two-way fixed effects is not used: with staggered go-lives and effects that differ between
cohorts or grow over time it compares treated units with already-treated ones and can even flip
the sign.

Inference: standard errors clustered by unit, with t critical values on (units − 1) degrees of
freedom. The pre-trend check tests the level and the slope of the pre-period estimates jointly
(F test with 2 and units − 1 degrees of freedom); the placebo moves
every go-live ``placebo_shift`` periods earlier, keeps only data before the real go-lives and
estimates again: its effect should be indistinguishable from zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS

COLUMNS = (
    "estimate",
    "event_time",
    "value",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "n_obs",
    "n_units",
    "control",
)
"""``estimate``: ``event_time`` (one per relative period), ``att`` (the average effect over the
post periods), ``pre_trend`` (joint test; ``value`` = F statistic), ``placebo`` (the ATT with fake
go-lives)."""


EXACT = 1e-9
"""Standard errors below this are numerical noise of a noiseless panel."""


@dataclass(frozen=True)
class Settings:
    pre: int = 8
    """Periods before go-live in the event window (−pre … −2 are estimated, −1 is the reference)."""
    post: int = 12
    """Periods after go-live in the window (0 … post)."""
    placebo_shift: int = 4
    alpha: float = 0.05


class NotEstimable(ValueError):
    """The panel cannot identify an effect (no comparison group, no pre-period, too few units)."""


def estimate(panel: pd.DataFrame, settings: Settings = Settings()) -> pd.DataFrame:
    """Event-time estimates, the ATT, the pre-trend test and the placebo ATT."""
    main = _event_study(panel, settings)
    rows = main.rows
    rows.append(main.pre_trend())
    try:
        fake = _event_study(placebo_panel(panel, settings.placebo_shift), settings)
        rows.append({**fake.att(), "estimate": "placebo"})
    except NotEstimable:
        pass
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    return out.astype({"event_time": "Int64", "n_obs": "Int64", "n_units": "Int64"})


def placebo_panel(panel: pd.DataFrame, shift: int) -> pd.DataFrame:
    """Only periods before each unit's real go-live, with every go-live ``shift`` periods earlier."""
    before = panel[panel["cohort"].isna() | (panel["period"] < panel["cohort"])]
    return before.assign(cohort=before["cohort"] - shift)


def verdict(results: pd.DataFrame) -> str:
    """One of ``effect``, ``no_effect_detected``, ``pre_trend_violated``, ``placebo_failed``,
    ``not_estimable``: what the report may say about the ATT."""
    att = results[results["estimate"] == "att"]
    if att.empty:
        return "not_estimable"
    pre = results[results["estimate"] == "pre_trend"]
    if not pre.empty and not pd.isna(pre["p_value"].iloc[0]) and pre["p_value"].iloc[0] < 0.05:
        return "pre_trend_violated"
    placebo = results[results["estimate"] == "placebo"]
    if not placebo.empty and not (placebo["ci_low"].iloc[0] <= 0.0 <= placebo["ci_high"].iloc[0]):
        return "placebo_failed"
    a = att.iloc[0]
    return "no_effect_detected" if a["ci_low"] <= 0.0 <= a["ci_high"] else "effect"


@dataclass
class _Fit:
    params: np.ndarray[Any, np.dtype[np.float64]]
    cov: np.ndarray[Any, np.dtype[np.float64]]
    df: int
    """Degrees of freedom of the t and F critical values: clusters − 1."""
    names: list[str]
    weights: dict[int, dict[str, float]]
    """Relative period → {coefficient name: interaction weight}."""
    counts: dict[int, int]
    """Relative period → treated observations."""
    control: str
    n_obs: int
    n_units: int
    alpha: float

    def _vector(self, combo: dict[str, float]) -> np.ndarray[Any, np.dtype[np.float64]]:
        r = np.zeros(len(self.names))
        for name, w in combo.items():
            r[self.names.index(name)] = w
        return r

    def _row(self, estimate: str, event_time: int | None, combo: dict[str, float]) -> dict[str, Any]:
        r = self._vector(combo)
        value = float(r @ self.params)
        se = math.sqrt(max(float(r @ self.cov @ r), 0.0))
        half = float(stats.t.ppf(1 - self.alpha / 2, self.df)) * se
        if se < EXACT:  # a noiseless panel
            p = 1.0 if abs(value) < EXACT else 0.0
        else:
            p = float(2 * stats.t.sf(abs(value) / se, self.df))
        return {
            "estimate": estimate,
            "event_time": event_time,
            "value": value,
            "std_error": se,
            "ci_low": value - half,
            "ci_high": value + half,
            "p_value": p,
            "n_obs": self.n_obs,
            "n_units": self.n_units,
            "control": self.control,
        }

    @property
    def rows(self) -> list[dict[str, Any]]:
        out = [self._row("event_time", e, w) for e, w in sorted(self.weights.items())]
        out.append(self.att())
        return out

    def att(self) -> dict[str, Any]:
        post = {e: n for e, n in self.counts.items() if e >= 0}
        total = sum(post.values())
        combo: dict[str, float] = {}
        for e, n in post.items():
            for name, w in self.weights[e].items():
                combo[name] = combo.get(name, 0.0) + w * n / total
        return self._row("att", None, combo)

    def pre_trend(self) -> dict[str, Any]:
        pre = [e for e in sorted(self.weights) if e < -1]
        base = {"estimate": "pre_trend", "event_time": None, "n_obs": self.n_obs, "n_units": self.n_units}
        if not pre:
            return {**base, "control": self.control}
        # level and slope of the pre-period estimates: two restrictions, so the test stays valid
        # with a clustered covariance of rank ≤ units − 1 (a joint test of every pre period is not)
        vectors = np.vstack([self._vector(self.weights[e]) for e in pre])
        times = np.array(pre, dtype=float)
        r = np.vstack([vectors.mean(axis=0)])
        if len(pre) > 1:
            centred = (times - times.mean()) / float(((times - times.mean()) ** 2).sum())
            r = np.vstack([r, centred @ vectors])
        b = r @ self.params
        c = r @ self.cov @ r.T
        if float(np.trace(c)) < EXACT**2:  # a noiseless panel: exact zero or not
            f, p = (0.0, 1.0) if float(np.abs(b).max()) < EXACT else (math.inf, 0.0)
        else:
            rank = int(np.linalg.matrix_rank(c))
            f = float(b @ np.linalg.pinv(c) @ b) / rank
            p = float(stats.f.sf(f, rank, self.df))
        return {**base, "value": f, "p_value": p, "control": self.control}


def _event_study(panel: pd.DataFrame, s: Settings) -> _Fit:
    df = panel.dropna(subset=["y"]).copy()
    df["rel"] = df["period"] - df["cohort"]
    never = df["cohort"].isna()
    if never.any():
        control = "never_treated"
    else:
        last = df["cohort"].max()
        control = "last_treated"
        df = df[df["period"] < last]
        never = df["cohort"] == last
        df.loc[never, "rel"] = np.nan
    treated = ~never & df["rel"].between(-s.pre, s.post)
    df = df[never | treated]
    cells = df.loc[treated].groupby(["cohort", "rel"])["unit"].nunique()
    cells = cells[cells.index.get_level_values("rel") != -1]
    if df.loc[never, "unit"].nunique() == 0 or not (cells.index.get_level_values("rel") >= 0).any():
        raise NotEstimable("no comparison units, or no treated period after a go-live")
    if not (df.loc[treated, "rel"] < 0).any():
        raise NotEstimable("no period before go-live")
    x = pd.DataFrame(index=df.index)
    names: list[str] = []
    weights: dict[int, dict[str, float]] = {}
    counts: dict[int, int] = {}
    for (cohort, rel), units in zip(cells.index.tolist(), cells.tolist(), strict=True):
        g, e = int(cohort), int(rel)
        name = f"g{g}_e{e}"
        mask = (df["cohort"] == g) & (df["rel"] == e)
        x[name] = mask.astype(float)
        names.append(name)
        weights.setdefault(e, {})[name] = float(units)
        counts[e] = counts.get(e, 0) + int(mask.sum())
    weights = {e: {k: v / sum(ws.values()) for k, v in ws.items()} for e, ws in weights.items()}
    fe = pd.get_dummies(df[["unit"]].astype(str), drop_first=True, dtype=float)
    fe = fe.join(
        pd.get_dummies(df["period"].astype(int).astype(str), prefix="t", drop_first=True, dtype=float)
    )
    design = pd.concat([x, fe], axis=1)
    design.insert(len(names), "const", 1.0)
    groups = pd.factorize(df["unit"])[0]
    n_units = int(df["unit"].nunique())
    res = OLS(df["y"].to_numpy(float), design.to_numpy(float)).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    params = np.asarray(res.params, dtype=float)
    cov = np.asarray(res.cov_params(), dtype=float)
    return _Fit(
        params, cov, n_units - 1, list(design.columns), weights, counts, control, len(df), n_units, s.alpha
    )
