"""``uptake run PROJECT_DIR``: load the sources, compute the KPIs, write ``out/``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from uptake import pipeline
from uptake.cli.errors import console as make_console
from uptake.cli.errors import friendly
from uptake.present import scorecard


def run(
    project_dir: Annotated[Path, typer.Argument(help="Project folder with uptake.yaml")] = Path("."),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the report path")] = False,
) -> None:
    """Load every source into the warehouse, compute the KPIs and write PROJECT_DIR/out/."""
    console = make_console()
    with friendly():
        result = run_with_progress(project_dir, console, quiet)
    if not quiet:
        card = scorecard.build(result.project, result.kpi_values, result.loads)
        scorecard.render(card, console)
    console.print(f"report: {result.report}")


def run_with_progress(project_dir: Path, console: Console, quiet: bool = False) -> pipeline.RunResult:
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(label: str, rows: int) -> None:
            if label not in tasks:
                for t in tasks.values():
                    bar.update(t, total=bar.tasks[t].completed or 1)
                desc = "computing KPIs" if label == "kpis" else f"loading {label}"
                tasks[label] = bar.add_task(desc, total=None)
            bar.advance(tasks[label], rows)

        return pipeline.run(project_dir, progress=progress)
