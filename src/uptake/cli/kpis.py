"""``uptake kpis [PROJECT_DIR]``: list the KPI catalog (and the project's own KPIs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from uptake.cli.errors import console, friendly
from uptake.kpis.catalog import catalog
from uptake.project import Project, load_project


def kpis(
    project_dir: Annotated[
        Path | None, typer.Argument(help="Project folder: also list the KPIs its uptake.yaml adds")
    ] = None,
) -> None:
    """List every KPI with its family, unit, origin and formula."""
    project: Project | None = None
    if project_dir is not None:
        with friendly():
            project = load_project(project_dir)
    own = {k.id for k in project.kpis} if project else set()
    table = Table(title="KPI catalog")
    for col in ("id", "family", "unit", "from"):
        table.add_column(col, no_wrap=True)
    table.add_column("formula")
    for d in catalog(project).values():
        table.add_row(d.ref, d.family, d.unit, "project" if d.id in own else "built-in", d.formula)
    console().print(table)
