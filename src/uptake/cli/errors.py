"""Turn known errors into a clear message and an exit code (2 usage/config, 1 failure)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import typer
from rich.console import Console

from uptake.project import ProjectError
from uptake.sources.base import SourceError

err = Console(stderr=True)


def console() -> Console:
    """Standard output; at least 160 columns wide when not a terminal (logs, CI, pipes)."""
    out = Console()
    if not out.is_terminal:
        out = Console(width=max(out.width, 160))
    return out


@contextmanager
def friendly() -> Iterator[None]:
    try:
        yield
    except ProjectError as exc:
        err.print(f"[red]The project file has {len(exc.problems)} problem(s):[/red]")
        for p in exc.problems:
            err.print(f"  {p}", highlight=False, markup=False)
        raise typer.Exit(2) from exc
    except SourceError as exc:
        err.print(f"[red]Cannot read a source:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    except duckdb.IOException as exc:
        err.print(
            f"[red]Cannot open the warehouse:[/red] {exc}\nIs it open in another program (a SQL client, "
            "a notebook, another uptake run)? Close it and run again.",
            highlight=False,
        )
        raise typer.Exit(1) from exc
