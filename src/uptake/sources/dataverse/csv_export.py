"""Audit CSV exports (a header row; columns by logical name, any case, ``_x_value`` accepted)."""

from __future__ import annotations

import csv
from pathlib import Path

from uptake.sources.dataverse.dataset import Record


def header_name(raw: str) -> str:
    """``" _userid_value "`` → ``userid``; ``CreatedOn`` → ``createdon``."""
    name = raw.strip().casefold()
    if name.startswith("_") and name.endswith("_value"):
        name = name[1:-6]
    return name


def read_audit_csv(file: Path, encoding: str | None = None, delimiter: str | None = None) -> list[Record]:
    with file.open(encoding=encoding or "utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter or ",")
        header = [header_name(h) for h in next(reader, [])]
        out = []
        for number, cells in enumerate(reader, start=1):
            row: dict[str, str | None] = {}
            for name, cell in zip(header, cells, strict=False):
                row.setdefault(name, cell if cell != "" else None)
            out.append(Record(str(file), number, row))
    return out
