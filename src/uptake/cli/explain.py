"""``uptake explain KPI``: the definition and the SQL it compiles to, without running it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from uptake.cli.errors import friendly
from uptake.kpis.explain import explain as explain_kpi
from uptake.project import Project, load_project
from uptake.vocab import Grain, SegmentLevel


def explain(
    kpi: Annotated[str, typer.Argument(help="KPI id, e.g. active_users")],
    grain: Annotated[str, typer.Option(help="day, week, month, quarter, since_go_live_week, total")] = "week",
    level: Annotated[str, typer.Option(help="all, region, country, team, role")] = "country",
    project_dir: Annotated[
        Path | None, typer.Option("--project", help="Project folder, for KPIs its uptake.yaml defines")
    ] = None,
) -> None:
    """Print a KPI's definition and the SQL (DuckDB dialect) it compiles to."""
    from typing import get_args

    if grain not in get_args(Grain) or level not in get_args(SegmentLevel):
        Console(stderr=True).print(f"unknown grain {grain!r} or level {level!r}; see --help")
        raise typer.Exit(2)
    project: Project | None = None
    if project_dir is not None:
        with friendly():
            project = load_project(project_dir)
    try:
        text = explain_kpi(kpi, grain, level, project=project)  # type: ignore[arg-type]
    except KeyError as exc:
        Console(stderr=True).print(str(exc.args[0]))
        raise typer.Exit(2) from exc
    typer.echo(text)
