"""Cell parsers shared by the file sources: timestamps, booleans, numbers.

Each returns the parsed column plus the positions of cells it could not parse, so the caller can
quarantine the row (or the cell) with a precise reason instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

_HAS_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
_TRUE = {"true", "1", "yes", "y", "ja", "oui", "t", "enabled", "active"}
_FALSE = {"false", "0", "no", "n", "nein", "non", "f", "disabled", "inactive"}


def timestamps_utc(values: Sequence[Any], tz: str) -> tuple[pa.Array, list[int]]:
    """Parse to naive UTC ``timestamp[us]``. Naive inputs are read in ``tz``.

    Returns the array (nulls where empty or bad) and the indices of non-empty cells that failed.
    Ambiguous local times (the repeated hour when clocks go back) are read as the first one;
    non-existent ones (the skipped hour) are moved forward, as Dataverse and Excel do.
    """
    zone = zoneinfo.ZoneInfo(tz)
    out: list[dt.datetime | None] = [None] * len(values)
    bad: list[int] = []
    aware_idx: list[int] = []
    aware_str: list[str] = []
    naive_idx: list[int] = []
    naive_str: list[str] = []
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, dt.datetime):
            if v.tzinfo is None:
                v = v.replace(tzinfo=zone)
            out[i] = v.astimezone(dt.UTC).replace(tzinfo=None)
            continue
        if isinstance(v, dt.date):
            out[i] = dt.datetime.combine(v, dt.time(), zone).astimezone(dt.UTC).replace(tzinfo=None)
            continue
        s = str(v).strip()
        if not s:
            continue
        if _HAS_OFFSET.search(s):
            aware_idx.append(i)
            aware_str.append(s)
        else:
            naive_idx.append(i)
            naive_str.append(s)
    if aware_str:
        parsed = pd.to_datetime(pd.Series(aware_str), format="ISO8601", utc=True, errors="coerce")
        for i, p in zip(aware_idx, parsed, strict=True):
            if pd.isna(p):
                bad.append(i)
            else:
                out[i] = p.tz_convert(None).to_pydatetime()
    if naive_str:
        parsed = pd.to_datetime(pd.Series(naive_str), format="ISO8601", errors="coerce")
        ok = parsed.notna()
        local = parsed[ok].dt.tz_localize(
            zone, ambiguous=np.ones(int(ok.sum()), dtype=bool), nonexistent="shift_forward"
        )
        utc = local.dt.tz_convert("UTC").dt.tz_localize(None)
        utc_iter = iter(utc)
        for i, good in zip(naive_idx, ok, strict=True):
            if good:
                out[i] = next(utc_iter).to_pydatetime()
            else:
                bad.append(i)
    return pa.array(out, type=pa.timestamp("us")), sorted(bad)


def booleans(values: Sequence[Any]) -> tuple[pa.Array, list[int]]:
    out: list[bool | None] = []
    bad: list[int] = []
    for i, v in enumerate(values):
        if v is None or v == "":
            out.append(None)
        elif isinstance(v, bool):
            out.append(v)
        elif str(v).strip().lower() in _TRUE:
            out.append(True)
        elif str(v).strip().lower() in _FALSE:
            out.append(False)
        else:
            out.append(None)
            bad.append(i)
    return pa.array(out, type=pa.bool_()), bad


def numbers(values: Sequence[Any]) -> tuple[pa.Array, list[int]]:
    """Plain decimal numbers (``1234.5``; no thousands separators, which are ambiguous)."""
    out: list[float | None] = []
    bad: list[int] = []
    for i, v in enumerate(values):
        if v is None or v == "":
            out.append(None)
            continue
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            out.append(None)
            bad.append(i)
    return pa.array(out, type=pa.float64()), bad
