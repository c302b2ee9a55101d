"""Compute every KPI of the catalog into the ``kpi_values`` contract (design.md §4)."""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pyarrow as pa

from uptake.calendar import period_end, phase_of
from uptake.kpis import rollup
from uptake.kpis.catalog import catalog
from uptake.kpis.context import KpiContext
from uptake.project.models import Project
from uptake.vocab import GRAINS, PHASES, Grain
from uptake.warehouse.store import Warehouse

KPI_VALUES_SCHEMA = pa.schema(
    [
        ("kpi", pa.string()),
        ("family", pa.string()),
        ("grain", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("is_complete", pa.bool_()),
        ("region", pa.string()),
        ("country", pa.string()),
        ("team", pa.string()),
        ("role", pa.string()),
        ("feature", pa.string()),
        ("phase", pa.string()),
        ("weeks_since_go_live", pa.int64()),
        ("value", pa.float64()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("n_users", pa.int64()),
        ("unit", pa.string()),
        ("suppressed", pa.bool_()),
        ("definition", pa.string()),
    ]
)


def compute(wh: Warehouse, project: Project, now: dt.datetime) -> pa.Table:
    built = rollup.build(wh, project)
    if built is None:
        return KPI_VALUES_SCHEMA.empty_table()
    span, attr = built
    through = project.data_through or now
    if through.tzinfo is None:
        through = through.replace(tzinfo=dt.UTC)
    today = through.astimezone(zoneinfo.ZoneInfo(project.timezone)).date()
    ctx = KpiContext(wh, project, span, attr, today)
    parts = [p for p in _parts(ctx) if not p.empty]
    for name in DERIVED:
        rows = pd.concat(parts, ignore_index=True)
        parts += [p for p in importlib.import_module(name).derive(ctx, rows) if not p.empty]
    df = pd.concat(parts, ignore_index=True)
    return _finish(df, project, span, today)


PRODUCERS: tuple[str, ...] = (
    "uptake.kpis.usage",
    "uptake.kpis.engagement",
    "uptake.kpis.process",
    "uptake.kpis.sessions",
    "uptake.kpis.rolling",
    "uptake.kpis.stickiness",
    "uptake.kpis.retention",
    "uptake.kpis.depth",
    "uptake.kpis.process_service",
    "uptake.kpis.custom",
    "uptake.kpis.identity",
    "uptake.kpis.quality",
    "uptake.kpis.outcomes",
    "uptake.kpis.survey",
    "uptake.kpis.tickets",
    "uptake.kpis.training",
)
"""Modules with a ``produce(ctx) -> Iterator[DataFrame]`` function; each yields long KPI rows
(``kpi``, ``grain``, period and segment columns, ``value``, ``numerator``, ``denominator``,
``n_users``) for KPIs defined in the catalog. A producer may set ``period_end`` and ``is_complete``
itself (cohort cells); the engine then keeps them."""

DERIVED: tuple[str, ...] = ("uptake.kpis.score",)
"""Modules with ``derive(ctx, rows) -> Iterator[DataFrame]``: KPIs computed from the rows of the
producers above (before suppression), run after them."""


def _parts(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    for name in PRODUCERS:
        yield from importlib.import_module(name).produce(ctx)


def _finish(df: pd.DataFrame, project: Project, span: rollup.Span, today: dt.date) -> pa.Table:
    go_live = {c.code: c.go_live for c in project.countries}
    region_of = {c.code: c.region for c in project.countries}
    p = project.phases
    defs = catalog(project)
    for col in (
        "region",
        "country",
        "team",
        "role",
        "feature",
        "phase",
        "period_start",
        "period_end",
        "is_complete",
        "weeks_since_go_live",
    ):
        if col not in df.columns:
            df[col] = None
    df = df.astype({"period_start": object, "weeks_since_go_live": object, "phase": object})
    records: list[dict[str, Any]] = []
    for raw in df.to_dict("records"):
        rec: dict[str, Any] = {str(k): (None if _isna(v) else v) for k, v in raw.items()}
        grain: Grain = rec["grain"]
        country = rec.get("country")
        if country and not rec.get("region"):
            rec["region"] = region_of.get(country)
        start, end, complete = _period(rec, grain, span, today, go_live, project)
        if rec["period_end"] is not None:
            end = _date(rec["period_end"])
        if rec["is_complete"] is not None:
            complete = bool(rec["is_complete"])
        rec["period_start"], rec["period_end"], rec["is_complete"] = start, end, complete
        if grain in ("day", "week", "month", "quarter") and country in go_live and start is not None:
            days = (start - go_live[country]).days
            rec["phase"] = phase_of(days, p.hypercare, p.stabilization)
            rec["weeks_since_go_live"] = days // 7
        elif grain == "since_go_live_week" and start is None:
            rec["phase"] = phase_of(int(rec["weeks_since_go_live"]) * 7, p.hypercare, p.stabilization)
        d = defs[rec["kpi"]]
        rec["family"], rec["unit"], rec["definition"] = d.family, d.unit, d.ref
        n = rec.get("n_users")
        rec["n_users"] = int(n) if n is not None else None
        rec["suppressed"] = n is not None and n < project.privacy.min_group_size
        if rec["suppressed"]:
            rec["value"] = rec["numerator"] = rec["denominator"] = None
        records.append({f.name: rec.get(f.name) for f in KPI_VALUES_SCHEMA})
    order = {g: i for i, g in enumerate(GRAINS)}
    phase_order = {ph: i for i, ph in enumerate(PHASES)}
    records.sort(
        key=lambda r: (
            r["kpi"],
            order[r["grain"]],
            r["period_start"] or dt.date.min,
            r["weeks_since_go_live"] if r["weeks_since_go_live"] is not None else -(10**9),
            phase_order.get(r["phase"], -1) if r["grain"] == "total" else 0,
            tuple((r[c] or "") for c in ("region", "country", "team", "role", "feature")),
        )
    )
    return pa.Table.from_pylist(records, schema=KPI_VALUES_SCHEMA)


def _period(
    rec: dict[str, Any],
    grain: Grain,
    span: rollup.Span,
    today: dt.date,
    go_live: dict[str, dt.date],
    project: Project,
) -> tuple[dt.date | None, dt.date | None, bool]:
    if grain in ("day", "week", "month", "quarter"):
        start = _date(rec["period_start"])
        end = period_end(start, grain)
        return start, end, end < today
    countries = [rec["country"]] if rec.get("country") else list(go_live)
    if grain == "since_go_live_week":
        w = int(rec["weeks_since_go_live"])
        ends = [go_live[c] + dt.timedelta(days=7 * w + 6) for c in countries if c in go_live]
        cohort = _date(rec["period_start"]) if rec["period_start"] is not None else None
        return cohort, None, bool(ends) and max(ends) < today
    phase = rec.get("phase")
    if phase is None:
        return span.first, span.last, span.last < today
    p = project.phases
    bounds = {"go_live": (0, p.hypercare - 1), "hypercare": (p.hypercare, p.stabilization - 1)}
    starts, ends = [], []
    for c in countries:
        g = go_live.get(c)
        if g is None:
            continue
        if phase == "readiness":
            starts.append(span.first)
            ends.append(g - dt.timedelta(days=1))
        elif phase == "stabilization":
            starts.append(g + dt.timedelta(days=p.stabilization))
            ends.append(span.last)
        else:
            lo, hi = bounds[phase]
            starts.append(g + dt.timedelta(days=lo))
            ends.append(g + dt.timedelta(days=hi))
    if not starts:
        return None, None, False
    start, end = max(min(starts), span.first), min(max(ends), span.last)
    return start, end, max(ends) < today


def _date(v: Any) -> dt.date:
    if isinstance(v, pd.Timestamp | dt.datetime):
        return v.date()
    assert isinstance(v, dt.date)
    return v


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False
