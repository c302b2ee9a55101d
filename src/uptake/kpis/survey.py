"""Survey KPIs: NPS (0–10 questions of type ``nps`` only) with n and a 95 % confidence interval,
and mean and distribution of pulse (Likert), readiness and other rating questions, with n.

Answers count in the period, segment and phase of their submission (the respondent's segment at
that time, else the segment the survey row carries). Rows carry the question in ``feature``
(``survey.question``); per-wave rows (grain total) add ``@wave`` and end on the wave's last
submission day. NPS is kept unrounded (:func:`round_half_away` is the display rule).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

from uptake.kpis import execute, people
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, in_level, with_period
from uptake.vocab import Grain, SegmentLevel, WeekStart

Z95 = 1.959963984540054
SCORED = ("likert", "readiness", "rating")
_KEYS = ("grain", "period_start", "region", "country", "team", "role", "phase", "feature")


def round_half_away(value: float) -> int:
    """Display rule for NPS: 14.5 → 15, −14.5 → −15 (Python's ``round`` would give 14)."""
    q = Decimal(str(abs(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(q) if value >= 0 else -int(q)


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    if not ctx.wh.has_rows("surveys"):
        return
    ws = ctx.project.week_start
    attr = people.attribution(ctx)

    def answers() -> Table:
        s = ctx.table("surveys")
        s = people.match_users(ctx, s, "respondent").mutate(ts=s["submitted_at"])
        a = people.attribute(attr, s)
        return a.mutate(
            question=a["survey_id"].concat(".", a["question_id"]),
            who=a["user_id"].fill_null(a["survey_id"].concat(":", a["response_id"])),
        )

    execute.materialize(ctx.wh, "survey_answers", ("survey.answers", *people.shape(ctx)), answers)
    t = ctx.table("survey_answers")
    counts = execute.to_pandas(t, ("survey.counts", ws), lambda: counts_expr(t, ws))
    who = execute.to_pandas(t, ("survey.who", ws), lambda: respondents_expr(t, ws))
    yield rows(counts, who)


def _cuts() -> Iterator[tuple[Grain, SegmentLevel, bool, bool]]:
    """grain, level, by phase, by wave."""
    grains: tuple[Grain, ...] = ("week", "month")
    levels: tuple[SegmentLevel, ...] = ("all", "region", "country")
    for grain in grains:
        for level in levels:
            yield grain, level, False, False
    for level in LEVEL_KEYS:
        for by_phase, by_wave in ((False, False), (True, False), (False, True)):
            yield "total", level, by_phase, by_wave


def in_cuts(t: Table, ws: WeekStart) -> Table:
    """Every answer once per cut, keyed by ``_KEYS`` (one query for all cuts)."""
    parts = []
    for grain, level, by_phase, by_wave in _cuts():
        x = in_level(t, level)
        if grain != "total":
            x = x.filter(x["local_date"].notnull())
        x, pk = with_period(x, grain, ws)
        if by_phase:
            x = x.filter(x["phase"].notnull())
        keep = LEVEL_KEYS[level]
        parts.append(
            x.select(
                "question_type",
                "score",
                "who",
                "local_date",
                grain=ibis.literal(grain),
                period_start=x["period_start"] if pk else ibis.null("date"),
                **{
                    c: x[c] if c in keep else ibis.null("string")
                    for c in ("region", "country", "team", "role")
                },
                phase=x["phase"] if by_phase else ibis.null("string"),
                feature=x["question"].concat("@", x["wave"]) if by_wave else x["question"],
                wave_end=x["local_date"] if by_wave else ibis.null("date"),
            )
        )
    return ibis.union(*parts)


def counts_expr(t: Table, ws: WeekStart) -> Table:
    """Answers per cut × question × score."""
    u = in_cuts(t.filter(t["score"].notnull()), ws)
    return u.group_by([*_KEYS, "question_type", "score"]).agg(n=u.count(), wave_end=u["wave_end"].max())


def respondents_expr(t: Table, ws: WeekStart) -> Table:
    """Distinct respondents per cut × question (n_users; a respondent is a user, or an anonymous
    response)."""
    u = in_cuts(t.filter(t["score"].notnull()), ws)
    return u.group_by(list(_KEYS)).agg(respondents=u["who"].nunique())


def rows(counts: pd.DataFrame, who: pd.DataFrame) -> pd.DataFrame:
    """KPI rows from the per-score counts (pandas over aggregated rows only)."""
    if counts.empty:
        return pd.DataFrame()
    keys = list(_KEYS)
    counts = counts.astype({k: object for k in keys}).where(counts.notna(), None)
    who_by = {_norm(tuple(r[k] for k in keys)): int(r["respondents"]) for r in who.to_dict("records")}
    out: list[dict[str, Any]] = []
    for key, g in counts.groupby(keys, dropna=False, sort=False):
        base = dict(zip(keys, _norm(tuple(key)), strict=True))
        n_users = who_by[_norm(tuple(key))]
        wave_end = g["wave_end"].max()
        if "@" in str(base["feature"]) and not pd.isna(wave_end):
            base["period_end"] = wave_end
        qtype = g["question_type"].iloc[0]
        n = int(g["n"].sum())
        common = {**base, "n_users": n_users}
        if qtype == "nps":
            out += _nps(common, g, n)
        elif qtype in SCORED:
            total = float((g["score"] * g["n"]).sum())
            out.append(
                {
                    **common,
                    "kpi": f"{qtype}_score_mean",
                    "value": total / n,
                    "numerator": total,
                    "denominator": n,
                }
            )
            for score, k in zip(g["score"], g["n"], strict=True):
                out.append(
                    {
                        **common,
                        "feature": f"{base['feature']}={score:g}",
                        "kpi": f"{qtype}_score_share",
                        "value": k / n,
                        "numerator": k,
                        "denominator": n,
                    }
                )
    return pd.DataFrame(out)


def _norm(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT else v for v in key
    )


def _nps(common: dict[str, Any], g: pd.DataFrame, n: int) -> list[dict[str, Any]]:
    promoters = int(g.loc[g["score"] >= 9, "n"].sum())
    detractors = int(g.loc[g["score"] <= 6, "n"].sum())
    p, d = promoters / n, detractors / n
    score = 100.0 * (p - d)
    half = 100.0 * Z95 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
    return [
        {**common, "kpi": "nps", "value": score, "numerator": promoters - detractors, "denominator": n},
        {**common, "kpi": "nps_promoters_share", "value": p, "numerator": promoters, "denominator": n},
        {**common, "kpi": "nps_detractors_share", "value": d, "numerator": detractors, "denominator": n},
        {
            **common,
            "kpi": "nps_ci_low",
            "value": max(score - half, -100.0),
            "numerator": None,
            "denominator": n,
        },
        {
            **common,
            "kpi": "nps_ci_high",
            "value": min(score + half, 100.0),
            "numerator": None,
            "denominator": n,
        },
    ]
