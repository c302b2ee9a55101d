"""Compute every KPI of the catalog into the ``kpi_values`` contract (design.md §4)."""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from uptake.calendar import period_end
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
    "uptake.kpis.dap",
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


_CALENDAR = ("day", "week", "month", "quarter")
_TEXT = ("kpi", "grain", "region", "country", "team", "role", "feature", "phase")


def _finish(df: pd.DataFrame, project: Project, span: rollup.Span, today: dt.date) -> pa.Table:
    """Fill period bounds, completeness, phase, definitions and suppression; sort; to Arrow.

    Vectorised over the bulk of the rows (calendar and since-go-live grains): a real project has
    millions of KPI rows, and a per-row Python loop was most of a run's time.
    """
    for col in (*_TEXT, "period_start", "period_end", "is_complete", "weeks_since_go_live"):
        if col not in df.columns:
            df[col] = None
    df = df.reset_index(drop=True)
    for col in _TEXT:
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    go_live = {c.code: pd.Timestamp(c.go_live) for c in project.countries}
    region_of = {c.code: c.region for c in project.countries}
    fill = df["country"].notna() & df["region"].isna()
    df.loc[fill, "region"] = df.loc[fill, "country"].map(region_of)

    start = pd.to_datetime(df["period_start"])
    given_end = pd.to_datetime(df["period_end"])
    end = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    complete = pd.Series(False, index=df.index)
    weeks = pd.to_numeric(df["weeks_since_go_live"], errors="coerce")
    live = df["country"].map(go_live)
    grain = df["grain"]

    for g, shift in (
        ("day", pd.offsets.Day(0)),
        ("week", pd.offsets.Day(6)),
        ("month", pd.offsets.MonthEnd(0)),
        ("quarter", pd.offsets.QuarterEnd(0)),
    ):
        m = grain == g
        end[m] = start[m] + shift
    cal = grain.isin(_CALENDAR)
    complete[cal] = end[cal].dt.date < today
    dated = cal & live.notna() & start.notna()
    days = (start[dated] - live[dated]).dt.days
    df.loc[dated, "phase"] = _phases(days, project)
    weeks[dated] = np.floor_divide(days, 7)

    aligned = grain == "since_go_live_week"
    latest = max(go_live.values())  # a project has at least one country
    last_week_end = live[aligned].fillna(latest) + pd.to_timedelta(7 * weeks[aligned] + 6, unit="D")
    complete[aligned] = last_week_end.dt.date < today
    uncohorted = aligned & start.isna()
    df.loc[uncohorted, "phase"] = _phases(weeks[uncohorted] * 7, project)

    totals = grain == "total"
    starts, ends, flags = [], [], []
    for rec in df.loc[totals, ["country", "phase"]].to_dict("records"):
        s0, e0, c0 = _period(
            {"country": rec["country"], "phase": rec["phase"]},
            "total",
            span,
            today,
            {k: v.date() for k, v in go_live.items()},
            project,
        )
        starts.append(s0)
        ends.append(e0)
        flags.append(c0)
    start[totals] = pd.to_datetime(pd.Series(starts, index=df.index[totals], dtype=object))
    end[totals] = pd.to_datetime(pd.Series(ends, index=df.index[totals], dtype=object))
    complete[totals] = pd.Series(flags, index=df.index[totals], dtype=bool)

    end = given_end.where(given_end.notna(), end)
    complete = df["is_complete"].where(df["is_complete"].notna(), complete).astype(bool)

    defs = catalog(project)
    df["family"] = df["kpi"].map({k: d.family for k, d in defs.items()})
    df["unit"] = df["kpi"].map({k: d.unit for k, d in defs.items()})
    df["definition"] = df["kpi"].map({k: d.ref for k, d in defs.items()})
    unknown = sorted(set(df.loc[df["definition"].isna(), "kpi"]))
    if unknown:
        raise KeyError(f"KPIs without a definition in the catalog: {', '.join(unknown)}")
    n_users = pd.to_numeric(df["n_users"], errors="coerce")
    suppressed = n_users.notna() & (n_users < project.privacy.min_group_size)
    for col in ("value", "numerator", "denominator"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64").where(~suppressed)

    out = pd.DataFrame(
        {
            "kpi": df["kpi"],
            "family": df["family"],
            "grain": grain,
            "period_start": start.dt.date.astype(object).where(start.notna(), None),
            "period_end": end.dt.date.astype(object).where(end.notna(), None),
            "is_complete": complete,
            **{c: df[c] for c in ("region", "country", "team", "role", "feature", "phase")},
            "weeks_since_go_live": weeks.astype("Int64"),
            "value": df["value"],
            "numerator": df["numerator"],
            "denominator": df["denominator"],
            "n_users": n_users.round().astype("Int64"),
            "unit": df["unit"],
            "suppressed": suppressed,
            "definition": df["definition"],
        }
    )
    order = {g: i for i, g in enumerate(GRAINS)}
    phase_order = {ph: i for i, ph in enumerate(PHASES)}
    keys = pd.DataFrame(
        {
            "kpi": out["kpi"],
            "grain": out["grain"].map(order),
            "dated": start.notna(),  # undated rows first, as before
            "start": start,
            "weeks": weeks.fillna(-(10**9)),
            "phase": out["phase"].map(phase_order).fillna(-1).where(out["grain"] == "total", 0),
            **{c: out[c].fillna("") for c in ("region", "country", "team", "role", "feature")},
        }
    )
    out = out.loc[keys.sort_values(list(keys.columns), kind="stable").index]
    return pa.Table.from_pandas(out, schema=KPI_VALUES_SCHEMA, preserve_index=False)


def _phases(days: pd.Series, project: Project) -> pd.Series:
    p = project.phases
    labels = np.select(
        [days < 0, days < p.hypercare, days < p.stabilization],
        ["readiness", "go_live", "hypercare"],
        default="stabilization",
    )
    return pd.Series(labels, index=days.index, dtype=object)


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
