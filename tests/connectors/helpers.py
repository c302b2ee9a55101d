"""Shared helpers of the connector tests: fixture paths, a project, chunk reading, lake writing."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from uptake.project.models import Project
from uptake.sources.base import Chunk, SourceContext
from uptake.sources.dataverse.pages import read_page

SHARED = Path(__file__).resolve().parents[3] / "shared"
FORMATS = SHARED / "fixtures" / "formats"
CASES = SHARED / "cases"
NOW = dt.datetime(2024, 3, 10, 12, 0, 0)
DATAVERSE = "00000007-0000-0000-c000-000000000000"

PROJECT = Project.model_validate(
    {
        "name": "connector tests",
        "countries": [
            {
                "code": "DE",
                "name": "Germany",
                "region": "EMEA",
                "timezone": "Europe/Berlin",
                "go_live": "2024-03-01",
            },
            {
                "code": "US",
                "name": "United States",
                "region": "NA",
                "timezone": "America/New_York",
                "go_live": "2024-03-01",
            },
        ],
        "sources": [{"type": "dataverse-audit", "path": "x"}],
    }
)


def context(state: dict[str, Any] | None = None, **kw: Any) -> SourceContext:
    return SourceContext(PROJECT, FORMATS, clock=lambda: NOW, state=state or {}, **kw)


def rows(chunks: Iterable[Chunk], table: str) -> list[dict[str, Any]]:
    """Canonical rows of one table, provenance dropped, sorted: comparable across readers."""
    out = [
        {k: x for k, x in r.items() if k != "_row"}
        for c in chunks
        if c.table == table
        for r in c.rows.to_pylist()
    ]
    return sorted(out, key=lambda r: json.dumps(r, sort_keys=True, default=str))


def webapi_audit_rows() -> list[dict[str, Any]]:
    """The 9 audit rows of the two fixture pages, flattened to logical names."""
    return [
        r
        for name in ("dataverse_audit_page1.json", "dataverse_audit_page2.json")
        for r in read_page(FORMATS / name).rows
    ]


AUDIT_COLUMNS = [
    a["name"]
    for a in json.loads((FORMATS / "synapse_link" / "model.json").read_text())["entities"][0]["attributes"]
]


def write_synapse_folder(root: Path, audit: list[dict[str, Any]], versions: int = 1) -> Path:
    """A Synapse Link CSV folder (fixture's model.json + headerless partition) holding ``audit``
    (logical-name rows); ``versions`` > 1 writes each row that many times (append-only retries)."""
    (root / "audit").mkdir(parents=True)
    (root / "model.json").write_text((FORMATS / "synapse_link" / "model.json").read_text())
    with (root / "audit" / "2024.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for n in range(versions):
            for i, r in enumerate(audit):
                lake = {**r, "Id": r["auditid"], "versionnumber": 1000 + 10 * i + n, "IsDelete": None}
                lake["createdon"] = r["createdon"].replace("Z", ".0000000+00:00")
                lake["SinkModifiedOn"] = "3/5/2024 1:00:00 AM"
                w.writerow(["" if lake.get(c) is None else lake[c] for c in AUDIT_COLUMNS])
    return root
