"""Entry point of the ``uptake`` command."""

from __future__ import annotations

import typer

from uptake.cli import demo, explain, kpis, run

app = typer.Typer(
    help="Measure and steer user adoption of a CRM rollout.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("run")(run.run)
app.command("demo")(demo.demo)
app.command("kpis")(kpis.kpis)
app.command("explain")(explain.explain)


if __name__ == "__main__":
    app()
