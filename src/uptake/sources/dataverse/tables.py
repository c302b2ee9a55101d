"""Turning lists of row dicts into :class:`Chunk` objects in a canonical table's schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from uptake.sources.base import Chunk, Rejected
from uptake.warehouse.schema import TableSpec


@dataclass
class Rows:
    """Rows for one canonical table read from one file (or URL), with their input row numbers."""

    spec: TableSpec
    file: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    rows_read: int = 0

    def add(self, row_number: int, row: dict[str, Any]) -> None:
        self.rows.append({**row, "_row": row_number})

    def reject(self, row: int, column: str | None, reason: str, raw: str = "", *, kept: bool = False) -> None:
        self.rejected.append(Rejected(self.file, row, column, reason, raw, kept))

    def chunk(self) -> Chunk:
        return Chunk(self.spec.name, self.file, table(self.spec, self.rows), self.rows_read, self.rejected)


def table(spec: TableSpec, rows: Sequence[dict[str, Any]]) -> pa.Table:
    """Rows → Arrow table with exactly the spec's columns plus ``_row`` (missing keys are null)."""
    schema = spec.schema.append(pa.field("_row", pa.int64()))
    return pa.Table.from_pylist([{name: r.get(name) for name in schema.names} for r in rows], schema=schema)
