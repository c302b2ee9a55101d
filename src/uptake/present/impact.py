"""The report's business-impact section: what ``out/impact.parquet`` says, in plain words."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

VERDICTS = {
    "effect": "The data show a change in revenue per sales user at go-live that is unlikely to be chance.",
    "no_effect_detected": "No effect of go-live on revenue per sales user can be told apart from chance; "
    "the interval below shows which effects the data still allow.",
    "pre_trend_violated": "Before go-live, the countries' revenue already moved apart: the comparison "
    "is not trustworthy, so no effect is claimed.",
    "placebo_failed": "A fake go-live before the real one also shows an 'effect': something other than "
    "go-live moves revenue, so no effect is claimed.",
    "not_estimable": "The data cannot support an estimate.",
}
ASSUMPTIONS = (
    "Parallel trends: without go-live, revenue per sales user would have moved the same way in the "
    "countries that went live and in those that had not yet (the pre-trend check tests this before "
    "go-live; it cannot be tested after).",
    "No anticipation: revenue did not change in the weeks before a country's go-live because of it.",
    "Nothing else changed in the same week as a country's go-live (a price change, a reorganisation).",
    "Revenue is booked to the week of its invoice date; a sales user counts in a week with revenue.",
)
LIMITS = (
    "With few countries the intervals are wide, and the standard errors (clustered by country) are "
    "themselves uncertain.",
    "Without a country that never goes live, the last wave is the comparison, so effects are only "
    "estimated up to the last go-live; long-run effects cannot be measured this way.",
    "It is an estimate with its assumptions, never proof that the CRM caused the change.",
    "The correlation of adoption score and revenue across teams says nothing about cause: strong "
    "teams may both adopt more and sell more.",
)


def impact_context(table: pa.Table | None) -> dict[str, Any] | None:
    if table is None:
        return None
    rows = table.to_pylist()
    one = {r["estimate"]: r for r in rows if r["estimate"] != "event_time"}
    verdict = rows[0]["verdict"] if rows else "not_estimable"
    return {
        "verdict": verdict,
        "verdict_text": VERDICTS.get(verdict, verdict),
        "att": one.get("att"),
        "pre_trend": one.get("pre_trend"),
        "placebo": one.get("placebo"),
        "correlation": one.get("correlation"),
        "not_estimable": one.get("not_estimable"),
        "events": [r for r in rows if r["estimate"] == "event_time"],
        "assumptions": ASSUMPTIONS,
        "limits": LIMITS,
    }
