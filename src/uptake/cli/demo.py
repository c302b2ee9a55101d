"""``uptake demo``: create an example project and run it."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from uptake.cli.errors import friendly
from uptake.cli.run import run_with_progress
from uptake.present import scorecard


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the demo project")] = Path("uptake-demo"),
) -> None:
    """Copy the bundled example project (Maven CRM sales data) to OUT and run it."""
    console = Console()
    bundled = resources.files("uptake.bundled").joinpath("maven-sales")
    if out.exists() and not (out / "uptake.yaml").exists() and any(out.iterdir()):
        console.print(f"[red]{out} exists and is not an uptake project; choose another --out[/red]")
        raise typer.Exit(2)
    with resources.as_file(bundled) as src:
        shutil.copytree(src, out, dirs_exist_ok=True, ignore=shutil.ignore_patterns("out", "*.duckdb*"))
    console.print(f"demo project: {out.resolve()}")
    with friendly():
        result = run_with_progress(out, console)
    scorecard.render(scorecard.build(result.project, result.kpi_values, result.loads), console)
    console.print(f"report: {result.report.resolve()}")
