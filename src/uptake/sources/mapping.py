"""Map a batch of source columns onto canonical columns, parsing types and collecting rejects."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa

from uptake.sources import parse
from uptake.sources.base import Rejected, SourceError
from uptake.sources.tabular import RowBatch

Kind = Literal["str", "ts", "ts_end", "bool", "num", "date"]
"""``ts_end``: an end of validity; a date without a time means the end of that day."""


@dataclass(frozen=True)
class Field:
    target: str
    column: str | None
    kind: Kind = "str"
    required: bool = False


def check_columns(batch: RowBatch, fields: Sequence[Field], where: str) -> None:
    """Fail the whole file early when a mapped column is not in it, suggesting the closest."""
    if not batch.columns and not batch.row_numbers:
        return
    available = list(batch.columns)
    for f in fields:
        if f.column is not None and f.column not in batch.columns:
            close = difflib.get_close_matches(f.column, available, n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else f"columns in the file: {', '.join(available[:30])}"
            )
            raise SourceError(
                f"{batch.file}: column '{f.column}' (mapped to {f.target} in {where}) "
                f"is not in the file; {hint}"
            )


def map_batch(batch: RowBatch, fields: Sequence[Field], tz: str) -> tuple[pa.Table, list[Rejected]]:
    """Canonical columns (+ ``_row``) for the rows that survive; rejects with reasons."""
    n = batch.size
    rejected = [Rejected(batch.file, r, None, reason, raw) for r, reason, raw in batch.bad_rows]
    drop = [False] * n
    arrays: dict[str, pa.Array] = {}
    for f in fields:
        raw: list[Any] = batch.columns[f.column] if f.column is not None else [None] * n
        arr, bad = _parse(f.kind, raw, tz)
        for i in bad:
            reason = f"cannot read {raw[i]!r} as {_KIND_TEXT[f.kind]}"
            rejected.append(
                Rejected(batch.file, batch.row_numbers[i], f.column, reason, str(raw[i]), not f.required)
            )
        if f.required:
            bad_set = set(bad)
            nulls = arr.is_null().to_pylist()
            for i in range(n):
                if nulls[i] and i not in bad_set:
                    rejected.append(
                        Rejected(
                            batch.file,
                            batch.row_numbers[i],
                            f.column,
                            f"{f.target} is empty",
                            _row_text(batch, i),
                        )
                    )
                if nulls[i]:
                    drop[i] = True
        arrays[f.target] = arr
    arrays["_row"] = pa.array(batch.row_numbers, type=pa.int64())
    table = pa.table(arrays)
    if any(drop):
        table = table.filter(pa.array([not d for d in drop]))
    return table, rejected


def _row_text(batch: RowBatch, i: int) -> str:
    return ", ".join(f"{k}={v[i]!r}" for k, v in batch.columns.items())[:500]


def _strings(values: Sequence[Any]) -> tuple[pa.Array, list[int]]:
    out = [None if v is None or (isinstance(v, str) and not v.strip()) else str(v).strip() for v in values]
    return pa.array(out, type=pa.string()), []


def _dates(values: Sequence[Any]) -> tuple[pa.Array, list[int]]:
    ts, bad = parse.timestamps_utc(values, "UTC")
    return ts.cast(pa.date32()), bad


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _ends(values: Sequence[Any], tz: str) -> tuple[pa.Array, list[int]]:
    """Like timestamps, but 'valid to 2026-10-15' means through that day: the next midnight."""
    ts, bad = parse.timestamps_utc(values, tz)
    out = ts.to_pylist()
    for i, v in enumerate(values):
        date_only = (isinstance(v, dt.date) and not isinstance(v, dt.datetime)) or (
            isinstance(v, str) and _DATE_ONLY.match(v.strip()) is not None
        )
        if date_only and out[i] is not None:
            out[i] = out[i] + dt.timedelta(days=1)
    return pa.array(out, type=pa.timestamp("us")), bad


_KIND_TEXT = {
    "str": "text",
    "ts": "a timestamp",
    "ts_end": "a timestamp or date",
    "bool": "true/false",
    "num": "a number",
    "date": "a date",
}


def _parse(kind: Kind, values: Sequence[Any], tz: str) -> tuple[pa.Array, list[int]]:
    parsers: dict[Kind, Callable[[Sequence[Any]], tuple[pa.Array, list[int]]]] = {
        "str": _strings,
        "bool": parse.booleans,
        "num": parse.numbers,
        "date": _dates,
        "ts": lambda v: parse.timestamps_utc(v, tz),
        "ts_end": lambda v: _ends(v, tz),
    }
    return parsers[kind](values)
