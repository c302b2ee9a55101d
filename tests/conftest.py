"""Shared helpers: build a small uptake project in a temporary folder, run it, read ``kpi_values``."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from uptake import pipeline

SHARED = Path(__file__).resolve().parents[2] / "shared"
"""The shared read-only material beside the repository (``../shared`` from the repo root)."""
CASES = SHARED / "cases"
DATA = SHARED / "data"

SEGMENTS = ("region", "country", "team", "role", "feature", "phase")


def case_file(case: str, name: str) -> Path:
    path = CASES / case / name
    assert path.is_file(), f"missing case input {path}"
    return path


def make_project(folder: Path, yaml_text: str, files: Iterable[Path] = ()) -> Path:
    """Write ``uptake.yaml`` (dedented) and copy ``files`` into ``folder``; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "uptake.yaml").write_text(textwrap.dedent(yaml_text).lstrip(), encoding="utf-8")
    for f in files:
        shutil.copyfile(f, folder / f.name)
    return folder


def at(text: str) -> dt.datetime:
    """An aware datetime from ISO text (for the fixed clock)."""
    value = dt.datetime.fromisoformat(text)
    assert value.tzinfo is not None
    return value


def run(folder: Path, now: str) -> pipeline.RunResult:
    clock = at(now)
    return pipeline.run(folder, clock=lambda: clock)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def rows(table: pa.Table, kpi: str, grain: str, **where: Any) -> list[dict[str, Any]]:
    """Rows of one KPI and grain; segment columns not named in ``where`` must be null (= all)."""
    want = {c: None for c in SEGMENTS} | where
    # narrow with Arrow first: kpi_values of a real dataset has hundreds of thousands of rows
    mask = pc.and_(pc.equal(table["kpi"], kpi), pc.equal(table["grain"], grain))
    out = []
    for r in table.filter(mask).to_pylist():
        if all(r[k] == v for k, v in want.items()):
            out.append(r)
    return out


def one(table: pa.Table, kpi: str, grain: str, period_start: str | None, **where: Any) -> dict[str, Any]:
    """The single row of a KPI, grain, period and segment (``period_start`` None: any, for totals)."""
    found = rows(table, kpi, grain, **where)
    if period_start is not None:
        found = [r for r in found if r["period_start"] == d(period_start)]
    assert len(found) == 1, f"{kpi}/{grain}/{period_start}/{where}: {len(found)} rows"
    return found[0]


def series(table: pa.Table, kpi: str, grain: str, **where: Any) -> dict[dt.date, float | None]:
    """period_start → value; fails on duplicate labels."""
    found = rows(table, kpi, grain, **where)
    labels = [r["period_start"] for r in found]
    assert len(labels) == len(set(labels)), f"duplicate period labels in {kpi}/{grain}: {labels}"
    return {r["period_start"]: r["value"] for r in found}
