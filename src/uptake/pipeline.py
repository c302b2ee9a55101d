"""The main job: sources → warehouse → kpis → outputs in ``PROJECT_DIR/out``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from uptake.evaluate import outcome_impact
from uptake.kpis import engine
from uptake.kpis.catalog import catalog
from uptake.present import review
from uptake.project import PROJECT_FILE, Project, load_project
from uptake.sources.base import SourceContext, utc_now
from uptake.sources.registry import build_source
from uptake.warehouse.store import LoadResult, Warehouse

Progress = Callable[[str, int], None]
"""Called with a label and a number of rows just processed (for progress bars)."""


@dataclass
class RunResult:
    project: Project
    project_dir: Path
    out_dir: Path
    loads: list[LoadResult] = field(default_factory=list)
    kpi_values: pa.Table = field(default_factory=engine.KPI_VALUES_SCHEMA.empty_table)
    impact: pa.Table | None = None
    """Business-impact estimates (None without outcomes)."""
    clusters: pa.Table | None = None
    """Duplicate clusters for review (None when no records were clustered)."""

    @property
    def report(self) -> Path:
        return self.out_dir / "report.html"


def source_names(project: Project) -> list[str]:
    """Each source's unique name: its ``name``, else its type (numbered when repeated)."""
    names: list[str] = []
    for i, s in enumerate(project.sources):
        base = s.name or s.type
        names.append(
            base if s.name or [x.type for x in project.sources].count(s.type) == 1 else f"{base}-{i + 1}"
        )
    return names


def ingest(
    project: Project,
    project_dir: Path,
    wh: Warehouse,
    clock: Callable[[], dt.datetime] = utc_now,
    progress: Progress | None = None,
) -> list[LoadResult]:
    load_id = wh.new_load_id()
    results: list[LoadResult] = []
    for name, config in zip(source_names(project), project.sources, strict=True):
        source = build_source(config, name)
        ctx = SourceContext(
            project=project, project_dir=project_dir, clock=clock, state=wh.source_state(name)
        )
        for chunk in source.chunks(ctx):
            results.append(wh.load(chunk, name, load_id))
            state = source.next_state()
            if state:  # saved after every chunk: an interrupted pull resumes from here
                wh.save_source_state(name, state)
            if progress:
                progress(name, chunk.rows_read)
    return results


def run(
    project_dir: Path | str, clock: Callable[[], dt.datetime] = utc_now, progress: Progress | None = None
) -> RunResult:
    project_dir = Path(project_dir)
    if project_dir.is_file() and project_dir.name == PROJECT_FILE:
        project_dir = project_dir.parent
    project = load_project(project_dir)
    out = project_dir / "out"
    out.mkdir(exist_ok=True)
    result = RunResult(project, project_dir, out)
    with Warehouse(project_dir / project.warehouse.path) as wh:
        result.loads = ingest(project, project_dir, wh, clock, progress)
        if progress:
            progress("kpis", 0)
        values = engine.compute(wh, project, clock())
        wh.replace("kpi_values", values)
        result.kpi_values = values
        result.impact = outcome_impact.compute(wh, project, values)
        if "duplicate_clusters" in wh.con.list_tables():
            result.clusters = review.duplicate_clusters(wh.table("duplicate_clusters").to_pyarrow(), project)
    write_outputs(result)
    return result


def write_outputs(result: RunResult) -> None:
    from uptake.present import report, scorecard

    out = result.out_dir
    pq.write_table(result.kpi_values, out / "kpi_values.parquet")
    pacsv.write_csv(result.kpi_values, out / "kpi_values.csv")
    if result.impact is not None:
        pq.write_table(result.impact, out / "impact.parquet")
    if result.clusters is not None:
        pacsv.write_csv(result.clusters, out / "duplicate_clusters.csv")
    defs = [d.model_dump() | {"ref": d.ref} for d in catalog().values()]
    pq.write_table(
        pa.Table.from_pylist([{**d, "description": d["description"]["en"]} for d in defs]),
        out / "kpi_definitions.parquet",
    )
    card = scorecard.build(result.project, result.kpi_values, result.loads)
    scorecard.write_json(card, out / "scorecard.json")
    report.write(result.project, result.kpi_values, card, out / "report.html", result.impact)
