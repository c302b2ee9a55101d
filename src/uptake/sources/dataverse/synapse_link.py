"""Azure Synapse Link for Dataverse / Fabric link folders → :class:`Dataset` records.

CSV flavour: ``model.json`` names each table's columns (the partitions have no header row); a table's
rows are in ``<table>/*.csv``; incremental-update folders (``2024-03-04T08.30.00Z/``) each hold
their own ``model.json`` and are read in time order. Delta flavour: ``deltalake/<table>``,
``Tables/<table>`` (Fabric lakehouse) or ``<table>`` folders with a ``_delta_log``.

Append-only mode writes every version of a row: per ``Id`` the highest ``versionnumber`` wins (then
the later ``SinkModifiedOn``, then the later file), and an ``IsDelete`` winner removes the row. For
``systemuser`` every version is kept, in order: each one is a version of the user.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from uptake.sources.base import Rejected, SourceError
from uptake.sources.dataverse import values as v
from uptake.sources.dataverse.dataset import Dataset, Record

_INCREMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}[.:]\d{2}[.:]\d{2}")
DELTA_PARENTS = ("deltalake", "Tables", ".")


def is_synapse_folder(root: Path) -> bool:
    return (root / "model.json").is_file() or any(_increments(root))


def is_delta_folder(root: Path) -> bool:
    return any((root / parent).is_dir() and _delta_tables(root / parent) for parent in DELTA_PARENTS)


def read_csv_folder(root: Path, tables: Iterable[str], zone: str = "UTC") -> tuple[Dataset, list[Rejected]]:
    """All versions of ``tables`` in a CSV-flavour folder, resolved (see module docstring)."""
    wanted = set(tables)
    raw: dict[str, list[Record]] = {}
    folders = [root] if (root / "model.json").is_file() else []
    folders += sorted(_increments(root))
    if not folders:
        raise SourceError(f"{root}: no model.json here; point 'path' at the Synapse Link container folder")
    for folder in folders:
        for entity in _model(folder):
            name = entity.get("name")
            if name not in wanted:
                continue
            columns = [a["name"] for a in entity.get("attributes", [])]
            for file in sorted((folder / name).glob("*.csv")):
                raw.setdefault(name, []).extend(_read_partition(file, columns))
    return resolve(raw, zone)


def read_delta_folder(root: Path, tables: Iterable[str], zone: str = "UTC") -> tuple[Dataset, list[Rejected]]:
    try:
        from deltalake import DeltaTable
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise SourceError(
            "reading Delta tables needs the 'delta' extra: pip install 'uptake[delta]'"
        ) from exc
    raw: dict[str, list[Record]] = {}
    for parent in DELTA_PARENTS:
        found = _delta_tables(root / parent)
        for name in tables:
            if name in found and name not in raw:
                path = found[name]
                rows = DeltaTable(str(path)).to_pyarrow_table().to_pylist()
                raw[name] = [Record(str(path), i, row, _deleted(row)) for i, row in enumerate(rows, start=1)]
    return resolve(raw, zone)


def resolve(raw: dict[str, list[Record]], zone: str) -> tuple[Dataset, list[Rejected]]:
    """Latest version per ``Id`` (all versions, in order, for ``systemuser``)."""
    data = Dataset()
    dropped: list[Rejected] = []
    for table, records in raw.items():
        ordered = sorted(enumerate(records), key=lambda ir: (_version_key(ir[1], zone), ir[0]))
        if table == "systemuser":
            for _, r in ordered:
                data.add(table, r)
            continue
        latest: dict[str, Record] = {}
        for _, r in ordered:
            ident = _ident(r)
            if ident in latest:
                old = latest[ident]
                dropped.append(
                    Rejected(
                        old.file, old.number, "versionnumber", f"superseded by versionnumber {_version(r)}"
                    )
                )
            latest[ident] = r
        for r in sorted(latest.values(), key=lambda r: (r.file, r.number)):
            if r.deleted:
                dropped.append(
                    Rejected(r.file, r.number, "IsDelete", f"deleted at source (versionnumber {_version(r)})")
                )
            else:
                data.add(table, r)
    return data, dropped


def _model(folder: Path) -> list[dict[str, Any]]:
    try:
        doc = json.loads((folder / "model.json").read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SourceError(f"{folder / 'model.json'}: cannot read the CDM manifest: {exc}") from exc
    return [e for e in doc.get("entities", []) if isinstance(e, dict)]


def _read_partition(file: Path, columns: list[str]) -> list[Record]:
    out = []
    with file.open(encoding="utf-8-sig", newline="") as f:
        for number, cells in enumerate(csv.reader(f), start=1):
            # schema evolution: older rows are shorter (new columns are appended at the end)
            row = {
                name: (cells[i] if i < len(cells) and cells[i] != "" else None)
                for i, name in enumerate(columns)
            }
            out.append(Record(str(file), number, row, _deleted(row)))
    return out


def _deleted(row: dict[str, Any]) -> bool:
    try:
        return bool(v.to_bool(row.get("IsDelete")))
    except ValueError:
        return False


def _ident(r: Record) -> str:
    return v.guid(r.values.get("Id")) or f"{r.file}:{r.number}"


def _version(r: Record) -> int:
    try:
        return v.to_int(r.values.get("versionnumber")) or 0
    except ValueError:
        return 0


def _version_key(r: Record, zone: str) -> tuple[int, str]:
    try:
        sink = v.utc(r.values.get("SinkModifiedOn"), zone)
    except ValueError:
        sink = None
    return _version(r), sink.isoformat() if sink else ""


def _increments(root: Path) -> Iterable[Path]:
    if not root.is_dir():
        return []
    return [
        p for p in root.iterdir() if p.is_dir() and _INCREMENT.match(p.name) and (p / "model.json").is_file()
    ]


def _delta_tables(parent: Path) -> dict[str, Path]:
    if not parent.is_dir():
        return {}
    return {
        p.name: p
        for p in parent.iterdir()
        if (p / "_delta_log").is_dir() and not p.name.endswith("_partitioned")
    }
