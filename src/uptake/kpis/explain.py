"""Show a KPI's definition and the SQL it compiles to, without running it."""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from uptake.kpis import engagement, process, process_service, usage
from uptake.kpis.catalog import KpiDefinition, catalog
from uptake.kpis.compiler import Rollups, compile_kpi
from uptake.project.models import Project
from uptake.vocab import Grain, SegmentLevel, WeekStart

_ROLLUP_COLUMNS = {
    "user_id": "string",
    "local_date": "date",
    "region": "string",
    "country": "string",
    "team": "string",
    "role": "string",
    "phase": "string",
    "weeks_since_go_live": "int64",
}
USER_DAY = ibis.table(
    {**_ROLLUP_COLUMNS, "n_events": "int64", "n_meaningful": "int64", "n_create": "int64"}, name="user_day"
)
ELIGIBLE_DAY = ibis.table(_ROLLUP_COLUMNS, name="eligible_day")
USER_FEATURE_DAY = ibis.table(
    {**_ROLLUP_COLUMNS, "feature": "string", "n_events": "int64"}, name="user_feature_day"
)
CLOSED_DEALS = ibis.table(
    {
        **_ROLLUP_COLUMNS,
        "won": "int64",
        "lost": "int64",
        "value_won": "float64",
        "value_closed": "float64",
        "cycle_days": "float64",
    },
    name="closed_deals",
)
CLOSED_LEADS = ibis.table(
    {**_ROLLUP_COLUMNS, "qualified": "int64", "disqualified": "int64", "qualification_days": "float64"},
    name="closed_leads",
)
CASE_DURATIONS = ibis.table(
    {**_ROLLUP_COLUMNS, "measure": "string", "hours": "float64", "business_hours": "float64"},
    name="case_durations",
)

_USAGE = {
    "present_users",
    "active_users",
    "eligible_users",
    "activation_rate",
    "login_only_share",
    "records_created_per_active_user",
}


def expression(
    kpi: str, grain: Grain, level: SegmentLevel, week_start: WeekStart, project: Project | None = None
) -> Table | None:
    """The aggregate a KPI's values are read from, over the rollup tables (None if not SQL)."""
    d = catalog(project).get(kpi)
    if d is not None and d.measure is not None:
        rollups = Rollups(USER_DAY, USER_FEATURE_DAY, ELIGIBLE_DAY)
        return compile_kpi(d, rollups, grain, level, False, week_start)
    if kpi in _USAGE:
        return usage.counts_expr(USER_DAY, ELIGIBLE_DAY, grain, level, False, week_start)
    if kpi == "feature_usage":
        return engagement.feature_usage_expr(USER_FEATURE_DAY, USER_DAY, grain, level, week_start)
    if kpi in ("win_rate", "win_rate_by_value", "sales_cycle_days"):
        return process.win_and_cycle_expr(CLOSED_DEALS, grain, level, False, week_start)
    if kpi in ("lead_conversion_rate", "lead_qualification_days"):  # one query for every grain and level
        return process_service.lead_stats_expr(CLOSED_LEADS, week_start)
    if kpi.startswith("case_"):
        return process_service.case_stats_expr(CASE_DURATIONS, week_start)
    return None


def explain(
    kpi: str,
    grain: Grain = "week",
    level: SegmentLevel = "country",
    week_start: WeekStart = "monday",
    project: Project | None = None,
) -> str:
    defs = catalog(project)
    if kpi not in defs:
        import difflib

        close = difflib.get_close_matches(kpi, list(defs), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else "; 'uptake kpis' lists them"
        raise KeyError(f"no KPI named {kpi!r}{hint}")
    d: KpiDefinition = defs[kpi]
    lines = [
        f"{d.ref}  ({d.family}, unit: {d.unit})",
        f"  {d.description.en}",
        f"  formula:     {d.formula}",
        f"  denominator: {d.denominator}",
        "  time:        local days in each user's country time zone; weeks start on week_start",
        f"  computed at: grain {grain}, level {level}",
    ]
    if d.measure is not None:
        lines.insert(4, f"  measure:     {d.measure.describe()}, per {d.per}; grains {', '.join(d.grains)}")
    expr = expression(kpi, grain, level, week_start, project)
    if expr is None:
        lines.append("  (computed in Python over the rollups; no single SQL statement)")
    else:
        lines += ["", str(ibis.to_sql(expr, dialect="duckdb"))]
    return "\n".join(lines)
