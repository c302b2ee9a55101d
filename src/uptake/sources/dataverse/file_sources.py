"""The file-based Dataverse sources: ``dataverse-audit`` and ``synapse-link``."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from uptake.project.source_configs import DataverseAuditSource, SynapseLinkSource
from uptake.sources.base import Chunk, Rejected, SourceContext, SourceError
from uptake.sources.dataverse import synapse_link as lake
from uptake.sources.dataverse.csv_export import read_audit_csv
from uptake.sources.dataverse.dataset import TABLES, Dataset, Record, dataset_chunks
from uptake.sources.dataverse.pages import read_page
from uptake.sources.dataverse.tables import table as to_table
from uptake.warehouse.schema import ACTIVITY, CANONICAL, RECORDS, USERS

_TABLE_OF = {"audit": ACTIVITY.name, "systemuser": USERS.name}


def resolve_paths(pattern: str, project_dir: Path) -> list[Path]:
    expanded = os.path.expandvars(os.path.expanduser(pattern))
    base = Path(expanded) if Path(expanded).is_absolute() else project_dir / expanded
    if base.exists():
        return [base]
    return sorted(Path(p) for p in glob.glob(str(base), recursive=True))


class _FileSource:
    config: DataverseAuditSource | SynapseLinkSource
    tables: tuple[str, ...] = TABLES

    def __init__(self, config: Any, name: str) -> None:
        self.config = config
        self.name = name
        self._state: dict[str, Any] = {}

    def next_state(self) -> dict[str, Any]:
        return self._state

    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]:
        paths = resolve_paths(self.config.path, ctx.project_dir)
        if not paths:
            raise SourceError(
                f"{self.name}: nothing found at {self.config.path!r} (relative to {ctx.project_dir})"
            )
        data, dropped = self.read(paths)
        users = {k: dict(x) for k, x in ctx.state.get("users", {}).items()}
        chunks = list(
            dataset_chunks(
                data,
                ctx.project,
                self.config.business_unit_countries,
                users,
                ctx.clock(),
                self.config.timezone,
            )
        )
        self._state = {"users": users}
        yield from _with_dropped(chunks, dropped, data)

    def read(self, paths: list[Path]) -> tuple[Dataset, list[Rejected]]:
        raise NotImplementedError


class DataverseAuditFileSource(_FileSource):
    """Web API JSON pages, audit CSV exports, a Synapse Link folder or Delta tables."""

    config: DataverseAuditSource

    def read(self, paths: list[Path]) -> tuple[Dataset, list[Rejected]]:
        fmt = self.config.format
        data = Dataset()
        dropped: list[Rejected] = []
        for path in paths:
            kind = fmt if fmt != "auto" else _detect(path)
            if kind in ("synapse-link", "delta"):
                reader = lake.read_csv_folder if kind == "synapse-link" else lake.read_delta_folder
                found, gone = reader(path, TABLES, self.config.timezone)
                for table, records in found.tables.items():
                    for r in records:
                        data.add(table, r)
                dropped += gone
                continue
            scan = path.is_dir()
            files = sorted(p for p in path.iterdir() if p.is_file()) if scan else [path]
            for file in files:
                suffix = file.suffix.lower()
                if kind == "webapi-json" or (kind == "auto" and suffix == ".json"):
                    _add_page(data, file, quiet=scan)
                elif kind == "csv" or (kind == "auto" and suffix == ".csv"):
                    records = read_audit_csv(file, self.config.encoding, self.config.delimiter)
                    if records and "auditid" not in records[0].values and scan:
                        continue  # another CSV in the folder (sign-ins, surveys …)
                    for r in records:
                        data.add("audit", r)
        return data, dropped


class SynapseLinkFileSource(_FileSource):
    config: SynapseLinkSource

    def read(self, paths: list[Path]) -> tuple[Dataset, list[Rejected]]:
        root = paths[0]
        delta = self.config.format == "delta" or (
            self.config.format == "auto" and not lake.is_synapse_folder(root)
        )
        reader = lake.read_delta_folder if delta else lake.read_csv_folder
        return reader(root, self.config.tables, self.config.timezone)


def _detect(path: Path) -> str:
    if path.is_dir() and lake.is_synapse_folder(path):
        return "synapse-link"
    if path.is_dir() and lake.is_delta_folder(path):
        return "delta"
    return "auto"


def _add_page(data: Dataset, file: Path, quiet: bool) -> None:
    """Adds one saved Web API page; in a folder scan, other JSON files are passed over."""
    try:
        page = read_page(file)
    except (ValueError, OSError) as exc:
        if quiet:
            return
        raise SourceError(f"{file}: {exc}") from exc
    if page.table not in TABLES:
        return  # another response saved alongside (survey responses, change history …)
    for number, row in enumerate(page.rows, start=1):
        data.add(page.table, Record(str(file), number, row))


def _with_dropped(chunks: list[Chunk], dropped: list[Rejected], data: Dataset) -> Iterator[Chunk]:
    """Rows a lake superseded or deleted count as read and rejected, in their file's chunk."""
    table_of = {r.file: _TABLE_OF.get(t, RECORDS.name) for t, rs in data.tables.items() for r in rs}
    for d in dropped:
        table = table_of.get(d.file, ACTIVITY.name)
        chunk = next((c for c in chunks if c.file == d.file and c.table == table), None)
        if chunk is None:
            chunk = Chunk(table, d.file, to_table(CANONICAL[table], []), 0)
            chunks.append(chunk)
        chunk.rows_read += 1
        chunk.rejected.append(d)
    yield from chunks
