"""``uptake demo``: generate a simulated international Dynamics 365 rollout and run it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from uptake.cli.errors import console as make_console
from uptake.cli.errors import friendly
from uptake.cli.run import run_with_progress
from uptake.present import scorecard


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the demo project")] = Path("uptake-demo"),
    scale: Annotated[str, typer.Option("--scale", help="xs, s, m or l (200 to 100,000 users)")] = "xs",
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same files")] = 42,
) -> None:
    """Write a simulated rollout (Dataverse audit pages, sign-ins, users …) to OUT and run it."""
    from uptake.demo import generate

    console = make_console()
    if scale not in ("xs", "s", "m", "l"):
        console.print(f"[red]unknown scale {scale!r}; use xs, s, m or l[/red]")
        raise typer.Exit(2)
    if out.exists() and not out.is_dir():
        console.print(f"[red]{out} is a file; --out needs a folder[/red]")
        raise typer.Exit(2)
    if (out / "uptake.yaml").exists():
        # a regenerated world replaces the old one: keep no rows or outputs of the previous world
        shutil.rmtree(out / "out", ignore_errors=True)
        for stale in out.glob("warehouse.duckdb*"):
            stale.unlink()
    with console.status(f"generating the simulated rollout ({scale}) in {out} …"):
        try:
            generate(out, scale=scale, seed=seed)
        except (ValueError, FileExistsError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    console.print(f"demo project: {out.resolve()}")
    with friendly():
        result = run_with_progress(out, console)
    scorecard.render(scorecard.build(result.project, result.kpi_values, result.loads), console)
    console.print(f"report: {result.report.resolve()}")
