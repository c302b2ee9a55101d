"""What every KPI producer gets: the warehouse, the project, the data span and the as-of date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa
from ibis.expr.types import Table

from uptake.calendar import period_start
from uptake.kpis.rollup import Attribution, Span
from uptake.project.models import Project
from uptake.warehouse.store import Warehouse


@dataclass(frozen=True)
class KpiContext:
    wh: Warehouse
    project: Project
    span: Span
    """Local dates of the first and last day with data (extended to ``data_through`` if set)."""
    attr: Attribution
    """Puts any (user_id, ts) table in its segment, local day and phase."""
    today: dt.date
    """The as-of date in the project zone: periods ending before it are complete."""

    def table(self, name: str) -> Table:
        return self.wh.table(name)

    def stage(self, name: str, data: pa.Table) -> Table:
        """Write a small helper table (a calendar, a lookup) to the warehouse and return it.

        Staged tables are read by name, so the SQL of expressions over them can be cached
        (:mod:`uptake.kpis.execute`), which in-memory tables would prevent.
        """
        full = f"stage_{name}"
        self.wh.replace(full, data)
        return self.wh.table(full)

    @property
    def last_week(self) -> dt.date:
        return period_start(self.span.last, "week", self.project.week_start)
