"""The offline HTML report: one self-contained file (Plotly.js inlined, no network needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from jinja2 import Environment, PackageLoader, select_autoescape

from uptake.kpis.catalog import catalog
from uptake.present.impact import impact_context
from uptake.present.scorecard import HEADLINE, fmt
from uptake.project.models import Project


def _weekly_active_by_region(kv: pa.Table) -> list[dict[str, Any]]:
    m = pc.and_(pc.equal(kv["kpi"], "active_users"), pc.equal(kv["grain"], "week"))
    m = pc.and_(m, pc.is_null(kv["country"]))
    rows = kv.filter(m).to_pylist()
    series: dict[str, dict[str, list[Any]]] = {}
    for r in rows:
        name = r["region"] or "all"
        s = series.setdefault(name, {"x": [], "y": [], "complete": []})
        s["x"].append(str(r["period_start"]))
        s["y"].append(r["value"])
        s["complete"].append(r["is_complete"])
    traces = []
    for name, s in sorted(series.items(), key=lambda kv_: (kv_[0] != "all", kv_[0])):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": s["x"],
                "y": s["y"],
                "line": {"width": 3 if name == "all" else 1.5},
            }
        )
    return traces


def write(
    project: Project, kv: pa.Table, card: dict[str, Any], path: Path, impact: pa.Table | None = None
) -> None:
    import plotly.offline

    env = Environment(loader=PackageLoader("uptake.present"), autoescape=select_autoescape(["html", "j2"]))
    template = env.get_template("report.html.j2")
    defs = catalog()
    columns = [(k, defs[k].description.en) for k in HEADLINE]
    rows = [
        {
            "label": f"{c['country']} {c['name']}",
            "region": c["region"],
            "cells": [fmt(k, c["kpis"].get(k)) for k in HEADLINE],
        }
        for c in card["countries"]
    ]
    figure = {
        "data": _weekly_active_by_region(kv),
        "layout": {
            "title": "Active users per week",
            "xaxis": {"title": "week starting"},
            "yaxis": {"title": "active users", "rangemode": "tozero"},
            "height": 420,
        },
    }
    page = template.render(
        project=project,
        card=card,
        columns=columns,
        rows=rows,
        overall=[fmt(k, card["overall"].get(k)) for k in HEADLINE],
        definitions=[(d.id, d.formula, d.denominator) for d in defs.values()],
        plotly_js=plotly.offline.get_plotlyjs(),
        figure_json=json.dumps(figure, default=str).replace("</", "<\\/"),
        impact=impact_context(impact),
    )
    path.write_text(page, encoding="utf-8")
