"""The scorecard: headline figures per country, as JSON and as a terminal table."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from rich.console import Console
from rich.table import Table

from uptake.kpis.catalog import catalog
from uptake.project.models import Project
from uptake.warehouse.store import LoadResult

HEADLINE = (
    "eligible_users",
    "active_users",
    "activation_rate",
    "login_only_share",
    "win_rate",
    "time_to_first_activity",
    # data quality next to usage (kpis/definitions/quality.yaml)
    "record_completeness",
    "duplicate_record_rate",
    "stale_record_share",
    "data_quality_score",
)


def _total_rows(kv: pa.Table) -> list[dict[str, Any]]:
    mask = pc.and_(pc.equal(kv["grain"], "total"), pc.is_null(kv["phase"]))
    mask = pc.and_(mask, pc.is_null(kv["team"]))
    mask = pc.and_(mask, pc.is_null(kv["role"]))
    mask = pc.and_(mask, pc.is_null(kv["feature"]))
    rows: list[dict[str, Any]] = kv.filter(mask).to_pylist()
    return rows


def build(project: Project, kv: pa.Table, loads: list[LoadResult]) -> dict[str, Any]:
    rows = _total_rows(kv)
    defs = catalog()
    by_seg: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    for r in rows:
        if r["kpi"] not in HEADLINE:
            continue
        seg = by_seg.setdefault((r["region"], r["country"]), {})
        seg[r["kpi"]] = {"value": r["value"], "n_users": r["n_users"], "suppressed": r["suppressed"]}
    countries = [
        {"country": c, "region": rg, "name": project.country(c).name or c, "kpis": v}
        for (rg, c), v in sorted(by_seg.items(), key=lambda x: (x[0][0] or "", x[0][1] or ""))
        if c is not None
    ]
    regions = [
        {"region": rg, "kpis": v}
        for (rg, c), v in sorted(by_seg.items(), key=lambda x: x[0][0] or "")
        if c is None and rg is not None
    ]
    overall = by_seg.get((None, None), {})
    totals = {
        k: sum(getattr(x, k) for x in loads)
        for k in ("rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")
    }
    period = next((r for r in rows if r["region"] is None and r["country"] is None), None)
    return {
        "project": project.name,
        "period": {
            "start": str(period["period_start"]) if period else None,
            "end": str(period["period_end"]) if period else None,
        },
        "min_group_size": project.privacy.min_group_size,
        "overall": overall,
        "regions": regions,
        "countries": countries,
        "loads": totals,
        "definitions": {
            k: {"formula": defs[k].formula, "unit": defs[k].unit, "ref": defs[k].ref} for k in HEADLINE
        },
    }


def write_json(card: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(card, indent=2, ensure_ascii=False, default=str), encoding="utf-8")


def fmt(kpi: str, cell: dict[str, Any] | None) -> str:
    if not cell:
        return "–"
    if cell.get("suppressed"):
        return "(n<min)"
    v = cell.get("value")
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    unit = catalog()[kpi].unit
    if unit == "share":
        return f"{100 * v:.1f} %"
    if unit == "days":
        return f"{v:.1f} d"
    return f"{v:,.0f}"


def render(card: dict[str, Any], console: Console) -> None:
    table = Table(
        title=f"uptake scorecard — {card['project']} ({card['period']['start']} … {card['period']['end']})"
    )
    table.add_column("segment", no_wrap=True)
    labels = {
        "eligible_users": "eligible",
        "active_users": "active",
        "activation_rate": "activ.",
        "login_only_share": "login-only",
        "win_rate": "win rate",
        "time_to_first_activity": "days→1st",
        "record_completeness": "complete",
        "duplicate_record_rate": "dupes",
        "stale_record_share": "stale",
        "data_quality_score": "DQ score",
    }
    for k in HEADLINE:
        table.add_column(labels[k], justify="right", no_wrap=True)
    table.add_row("[bold]all[/bold]", *(fmt(k, card["overall"].get(k)) for k in HEADLINE))
    for r in card["regions"]:
        table.add_row(f"[bold]{r['region']}[/bold]", *(fmt(k, r["kpis"].get(k)) for k in HEADLINE))
    for c in card["countries"]:
        table.add_row(f"  {c['country']} {c['name']}", *(fmt(k, c["kpis"].get(k)) for k in HEADLINE))
    console.print(table)
    loads = card["loads"]
    console.print(
        f"rows read {loads['rows_read']:,} = loaded {loads['rows_loaded']:,} + quarantined "
        f"{loads['rows_quarantined']:,} + duplicate {loads['rows_duplicate']:,}"
    )
