"""The warehouse connection and idempotent loading on natural keys.

Every row a source emits ends in exactly one place: loaded, quarantined (with file, row, column
and reason) or counted as an exact duplicate. Loading the same input twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from uptake.sources.base import Chunk, Rejected
from uptake.warehouse.schema import CANONICAL, LOAD_LOG, QUARANTINE, SOURCE_STATE, TableSpec

_ROW = "_row"


@dataclass(frozen=True)
class LoadResult:
    source: str
    table: str
    file: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_duplicate: int


class AccountingError(RuntimeError):
    """Rows read ≠ loaded + quarantined + duplicate: a bug, never a data problem."""


class Warehouse:
    """Canonical tables in one DuckDB file (the default) through an Ibis connection."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con: Any = ibis.duckdb.connect(str(self.path), threads=2)
        existing = set(self.con.list_tables())
        for spec in CANONICAL.values():
            if spec.name not in existing:
                self.con.create_table(spec.name, schema=ibis.schema(spec.schema))
            else:
                self._add_columns(spec)

    def close(self) -> None:
        self.con.disconnect()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _add_columns(self, spec: TableSpec) -> None:
        """Columns added to a canonical table since this warehouse was created, as nulls."""
        t = self.table(spec.name)
        missing = {f.name: ibis.null(ibis.dtype(f.type)) for f in spec.schema if f.name not in t.columns}
        if missing:
            migrated = t.mutate(**missing).select(*spec.schema.names)  # the canonical column order
            self.con.create_table(spec.name, migrated.to_pyarrow(), overwrite=True)

    def table(self, name: str) -> Table:
        t: Table = self.con.table(name)
        return t

    def has_rows(self, name: str) -> bool:
        return name in self.con.list_tables() and int(self.table(name).count().execute()) > 0

    def new_load_id(self) -> str:
        return uuid.uuid4().hex[:12]

    # -- loading ---------------------------------------------------------------------------------

    def load(self, chunk: Chunk, source: str, load_id: str) -> LoadResult:
        spec = CANONICAL[chunk.table]
        rows = _conform(chunk.rows, spec)
        lost = {(r.file, r.row) for r in chunk.rejected if not r.kept}
        inserted, duplicates, conflicts = self._merge(rows, spec)
        rejected = [*chunk.rejected, *(_conflict(chunk.file, n, spec) for n in conflicts)]
        self._quarantine(rejected, source, chunk.table, load_id)
        result = LoadResult(
            source=source,
            table=chunk.table,
            file=chunk.file,
            rows_read=chunk.rows_read,
            rows_loaded=inserted,
            rows_quarantined=len(lost) + len(conflicts),
            rows_duplicate=duplicates,
        )
        if result.rows_read != result.rows_loaded + result.rows_quarantined + result.rows_duplicate:
            raise AccountingError(
                f"{chunk.file}: read {result.rows_read} rows but loaded {result.rows_loaded}, "
                f"quarantined {result.rows_quarantined}, duplicate {result.rows_duplicate}"
            )
        self._log(result, load_id)
        return result

    def _merge(self, rows: pa.Table, spec: TableSpec) -> tuple[int, int, list[int]]:
        """Insert new keys; count exact duplicates; return row numbers of conflicting rows."""
        if rows.num_rows == 0:
            return 0, 0, []
        key = list(spec.key)
        content = [f.name for f in spec.schema]
        staged = ibis.memtable(rows)
        ranked = staged.mutate(_rank=ibis.row_number().over(ibis.window(group_by=key, order_by=staged[_ROW])))
        first = ranked.filter(ranked["_rank"] == 0)
        later = ranked.filter(ranked["_rank"] > 0)
        # within the chunk: a repeated key is a duplicate if identical to its first row, else a conflict
        later_cmp = later.join(first, key, lname="", rname="{name}_first")
        same_in_batch = _all_identical(later_cmp, content, key, "{name}_first")
        batch = later_cmp.select(_ROW, _same=same_in_batch).to_pyarrow()
        duplicates = int(pa.compute.sum(batch["_same"]).as_py() or 0)
        conflicts = [
            int(r) for r, s in zip(batch[_ROW].to_pylist(), batch["_same"].to_pylist(), strict=True) if not s
        ]

        target = self.table(spec.name)
        new = first.anti_join(target, key).select(*content)
        old_cmp = first.join(target, key, lname="", rname="{name}_old")
        same_old = _all_identical(old_cmp, content, key, "{name}_old")
        existing = old_cmp.select(*content, _ROW, _same=same_old).to_pyarrow()
        same_mask = existing["_same"]
        duplicates += int(pa.compute.sum(same_mask).as_py() or 0)
        changed = existing.filter(pa.compute.invert(same_mask))
        inserted = int(new.count().execute())
        if inserted:
            self.con.insert(spec.name, new)
        if changed.num_rows:
            if spec.mode == "upsert":
                changed_rows = changed.select(content)
                keep = target.anti_join(ibis.memtable(changed_rows.select(key)), key)
                merged = keep.union(ibis.memtable(changed_rows).cast(target.schema()))
                self.con.create_table(spec.name, merged.to_pyarrow(), overwrite=True)
                inserted += changed.num_rows
            else:
                conflicts += [int(r) for r in changed[_ROW].to_pylist()]
        return inserted, duplicates, sorted(conflicts)

    def _quarantine(self, rejected: list[Rejected], source: str, table: str, load_id: str) -> None:
        if not rejected:
            return
        data = pa.table(
            {
                "load_id": [load_id] * len(rejected),
                "source": [source] * len(rejected),
                "table_name": [table] * len(rejected),
                "file": [r.file for r in rejected],
                "row": [r.row for r in rejected],
                "column": [r.column for r in rejected],
                "reason": [r.reason for r in rejected],
                "raw": [r.raw[:2000] for r in rejected],
            },
            schema=QUARANTINE.schema,
        )
        staged = ibis.memtable(data)
        fresh = staged.anti_join(self.table(QUARANTINE.name), list(QUARANTINE.key))
        if int(fresh.count().execute()):
            self.con.insert(QUARANTINE.name, fresh)

    def _log(self, r: LoadResult, load_id: str) -> None:
        row = pa.table(
            {
                "load_id": [load_id],
                "source": [r.source],
                "table_name": [r.table],
                "file": [r.file],
                "rows_read": [r.rows_read],
                "rows_loaded": [r.rows_loaded],
                "rows_quarantined": [r.rows_quarantined],
                "rows_duplicate": [r.rows_duplicate],
                "loaded_at": [dt.datetime.now(dt.UTC).replace(tzinfo=None)],
            },
            schema=LOAD_LOG.schema,
        )
        self.con.insert(LOAD_LOG.name, ibis.memtable(row))

    def source_state(self, source: str) -> dict[str, Any]:
        t = self.table(SOURCE_STATE.name)
        rows = t.filter(t["source"] == source).select("state").to_pyarrow().to_pylist()
        return dict(json.loads(rows[0]["state"])) if rows else {}

    def save_source_state(self, source: str, state: dict[str, Any]) -> None:
        t = self.table(SOURCE_STATE.name)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        row = pa.table(
            {
                "source": [source],
                "state": [json.dumps(state, sort_keys=True, default=str)],
                "updated_at": [now],
            },
            schema=SOURCE_STATE.schema,
        )
        kept = t.filter(t["source"] != source)
        self.con.create_table(SOURCE_STATE.name, kept.union(ibis.memtable(row)).to_pyarrow(), overwrite=True)

    def replace(self, name: str, data: pa.Table | Table) -> None:
        """Write a derived table (rollups, outputs) in full."""
        self.con.create_table(name, data, overwrite=True)


def _conform(rows: pa.Table, spec: TableSpec) -> pa.Table:
    """Select and cast the canonical columns (missing ones as nulls) plus ``_row``."""
    arrays = []
    for f in spec.schema:
        if f.name in rows.column_names:
            arrays.append(rows[f.name].cast(f.type))
        else:
            arrays.append(pa.nulls(rows.num_rows, f.type))
    arrays.append(rows[_ROW].cast(pa.int64()))
    return pa.Table.from_arrays(arrays, schema=spec.schema.append(pa.field(_ROW, pa.int64())))


def _all_identical(joined: Table, content: list[str], key: list[str], suffix: str) -> Any:
    cond = ibis.literal(True)
    for c in content:
        if c in key:
            continue
        cond = cond & joined[c].identical_to(joined[suffix.format(name=c)])
    return cond


def _conflict(file: str, row: int, spec: TableSpec) -> Rejected:
    return Rejected(
        file=file,
        row=row,
        column=",".join(spec.key),
        reason=f"another row with the same {'/'.join(spec.key)} but different content was loaded "
        "already; fix the source or give the rows distinct ids",
    )
