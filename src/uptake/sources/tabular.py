"""Read tabular files (CSV, Parquet, JSON Lines, XES) as batches of rows with row numbers.

The generic file sources (events, users, crm-records) read through here and then map columns;
format detection, encodings and streaming live in one place.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from uptake.sources.base import SourceError

_BATCH = 50_000


@dataclass
class RowBatch:
    file: str
    columns: dict[str, list[Any]]
    row_numbers: list[int]
    bad_rows: list[tuple[int, str, str]] = field(default_factory=list)
    """(row number, reason, raw text) of rows that could not be read at all."""

    @property
    def size(self) -> int:
        return len(self.row_numbers)


def resolve_paths(pattern: str, project_dir: Path) -> list[Path]:
    """Files named by a path, folder or glob relative to the project folder (sorted)."""
    expanded = os.path.expanduser(os.path.expandvars(pattern))
    base = Path(expanded) if os.path.isabs(expanded) else project_dir / expanded
    if base.is_dir():
        files = sorted(p for p in base.iterdir() if p.is_file() and not p.name.startswith("."))
    else:
        files = sorted(Path(p) for p in glob.glob(str(base), recursive=True) if Path(p).is_file())
    if not files:
        raise SourceError(f"{pattern}: no file found (looked for {base}); check the path in uptake.yaml")
    return files


def detect_format(path: Path, declared: str = "auto") -> str:
    if declared != "auto":
        return declared
    name = path.name.lower()
    for suffix, fmt in (
        (".xes.gz", "xes"),
        (".xes", "xes"),
        (".parquet", "parquet"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "jsonl"),
        (".csv", "csv"),
        (".tsv", "csv"),
        (".txt", "csv"),
    ):
        if name.endswith(suffix):
            return fmt
    raise SourceError(f"{path}: cannot tell the format from the name; set format: csv|parquet|jsonl|xes")


def read_batches(
    path: Path, fmt: str, encoding: str | None = None, delimiter: str | None = None
) -> Iterator[RowBatch]:
    fmt = detect_format(path, fmt)
    if fmt == "csv":
        yield from _csv(path, encoding, delimiter)
    elif fmt == "parquet":
        yield from _parquet(path)
    elif fmt == "jsonl":
        yield from _jsonl(path, encoding)
    elif fmt == "xes":
        yield from _xes(path)
    else:
        raise SourceError(f"{path}: unknown format {fmt!r}")


def checked_batches(
    path: Path,
    fields: Sequence[Any],
    where: str,
    fmt: str = "auto",
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Iterator[RowBatch]:
    """:func:`read_batches`, failing early (first batch) when a mapped column is not in the file."""
    from uptake.sources.mapping import check_columns

    first = True
    for batch in read_batches(path, fmt, encoding, delimiter):
        if first:
            check_columns(batch, fields, where)
            first = False
        yield batch


def _csv(path: Path, encoding: str | None, delimiter: str | None) -> Iterator[RowBatch]:
    from uptake.sources.csvio import read_csv

    for b in read_csv(path, encoding=encoding, delimiter=delimiter, batch_rows=_BATCH):
        yield RowBatch(
            file=str(path),
            columns={name: b.table[name].to_pylist() for name in b.table.column_names},
            row_numbers=[int(x) for x in b.row_numbers.to_pylist()],
            bad_rows=list(b.bad_rows),
        )


def _parquet(path: Path) -> Iterator[RowBatch]:
    import pyarrow.parquet as pq

    row = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=_BATCH):
        table = pa.Table.from_batches([batch])
        n = table.num_rows
        yield RowBatch(
            str(path),
            {c: table[c].to_pylist() for c in table.column_names},
            list(range(row + 1, row + n + 1)),
        )
        row += n


def _jsonl(path: Path, encoding: str | None) -> Iterator[RowBatch]:
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    bad: list[tuple[int, str, str]] = []
    with path.open(encoding=encoding or "utf-8-sig") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                bad.append((n, f"not valid JSON: {exc.msg} at column {exc.colno}", line[:500]))
                continue
            if not isinstance(obj, dict):
                bad.append((n, "expected a JSON object per line", line[:500]))
                continue
            rows.append(obj)
            numbers.append(n)
            if len(rows) >= _BATCH:
                yield _from_dicts(path, rows, numbers, bad)
                rows, numbers, bad = [], [], []
    if rows or bad:
        yield _from_dicts(path, rows, numbers, bad)


def _xes(path: Path) -> Iterator[RowBatch]:
    from uptake.sources.xes import iter_events

    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    for event in iter_events(path):
        # a cell the XES reader could not type keeps its raw text; the column mapping then
        # rejects it with the row number, so the reader's own problem list is not needed here
        event.pop("_problems", None)
        rows.append(event)
        numbers.append(int(str(event.get("_event", len(numbers) + 1))))
        if len(rows) >= _BATCH:
            yield _from_dicts(path, rows, numbers, [])
            rows, numbers = [], []
    if rows:
        yield _from_dicts(path, rows, numbers, [])


def _from_dicts(
    path: Path, rows: list[dict[str, Any]], numbers: list[int], bad: list[tuple[int, str, str]]
) -> RowBatch:
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    return RowBatch(str(path), {k: [r.get(k) for r in rows] for k in keys}, numbers, bad)
