"""``uptake kpis``: list the KPI catalog."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from uptake.kpis.catalog import catalog


def kpis() -> None:
    """List every KPI with its family, unit and formula."""
    table = Table(title="KPI catalog")
    for col in ("id", "family", "unit", "formula"):
        table.add_column(col)
    for d in catalog().values():
        table.add_row(d.ref, d.family, d.unit, d.formula)
    Console().print(table)
