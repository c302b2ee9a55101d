"""Calendar arithmetic: local days, weeks, months, phases and weeks since go-live.

Local days come from an *offset table* (zone, UTC interval, offset) built here from the IANA
database rather than from an engine's session time zone: ``local = ts_utc + offset`` is exact on
23- and 25-hour days and compiles identically on DuckDB and Spark (stack-notes pitfall 4).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator
from typing import Final

import pyarrow as pa

from uptake.vocab import PHASES, WEEK_STARTS, Grain, Phase, WeekStart

_FAR_PAST: Final = dt.datetime(1900, 1, 1)
_FAR_FUTURE: Final = dt.datetime(2200, 1, 1)


def _offset(zone: zoneinfo.ZoneInfo, utc: dt.datetime) -> int:
    aware = utc.replace(tzinfo=dt.UTC).astimezone(zone)
    off = aware.utcoffset()
    assert off is not None
    return int(off.total_seconds())


def offset_intervals(tz: str, start: dt.date, end: dt.date) -> list[tuple[dt.datetime, dt.datetime, int]]:
    """UTC intervals ``[from, to)`` with a constant UTC offset (seconds) for ``tz``.

    Covers ``start``..``end`` (with a day of margin); the first and last intervals are open-ended
    so no timestamp can fall outside the table.
    """
    zone = zoneinfo.ZoneInfo(tz)
    cur = dt.datetime.combine(start - dt.timedelta(days=2), dt.time())
    stop = dt.datetime.combine(end + dt.timedelta(days=2), dt.time())
    out: list[tuple[dt.datetime, dt.datetime, int]] = []
    seg_start = _FAR_PAST
    seg_off = _offset(zone, cur)
    step = dt.timedelta(hours=6)
    while cur < stop:
        nxt = cur + step
        off = _offset(zone, nxt)
        if off != seg_off:
            lo, hi = cur, nxt  # binary search to the second of the transition
            while (hi - lo) > dt.timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if _offset(zone, mid) == seg_off:
                    lo = mid
                else:
                    hi = mid
            hi = hi.replace(microsecond=0)
            out.append((seg_start, hi, seg_off))
            seg_start, seg_off = hi, off
        cur = nxt
    out.append((seg_start, _FAR_FUTURE, seg_off))
    return out


def offset_table(zones: Iterable[str], start: dt.date, end: dt.date) -> pa.Table:
    """Arrow table ``tz, utc_from, utc_to, offset_seconds`` for all ``zones``."""
    rows: dict[str, list[object]] = {"tz": [], "utc_from": [], "utc_to": [], "offset_seconds": []}
    for tz in sorted(set(zones)):
        for lo, hi, off in offset_intervals(tz, start, end):
            rows["tz"].append(tz)
            rows["utc_from"].append(lo)
            rows["utc_to"].append(hi)
            rows["offset_seconds"].append(off)
    return pa.table(
        rows,
        schema=pa.schema(
            [
                ("tz", pa.string()),
                ("utc_from", pa.timestamp("us")),
                ("utc_to", pa.timestamp("us")),
                ("offset_seconds", pa.int64()),
            ]
        ),
    )


def week_start_index(week_start: WeekStart) -> int:
    """Monday = 0 … Sunday = 6 (Python's ``date.weekday()`` numbering)."""
    return WEEK_STARTS.index(week_start)


def period_start(day: dt.date, grain: Grain, week_start: WeekStart = "monday") -> dt.date:
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=(day.weekday() - week_start_index(week_start)) % 7)
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    raise ValueError(f"period_start is not defined for grain {grain!r}")


def period_end(start: dt.date, grain: Grain) -> dt.date:
    """Last day (inclusive) of the period that starts on ``start``."""
    if grain == "day":
        return start
    if grain == "week":
        return start + dt.timedelta(days=6)
    if grain in ("month", "quarter"):
        months = 1 if grain == "month" else 3
        y, m = divmod(start.month - 1 + months, 12)
        return dt.date(start.year + y, m + 1, 1) - dt.timedelta(days=1)
    raise ValueError(f"period_end is not defined for grain {grain!r}")


def periods(
    first: dt.date, last: dt.date, grain: Grain, week_start: WeekStart = "monday"
) -> Iterator[tuple[dt.date, dt.date]]:
    """Every period of ``grain`` that overlaps ``first``..``last``, as (start, end) pairs."""
    start = period_start(first, grain, week_start)
    while start <= last:
        end = period_end(start, grain)
        yield start, end
        start = end + dt.timedelta(days=1)


def weeks_since(day: dt.date, go_live: dt.date) -> int:
    """Floor division: day −1 is week −1, day 0..6 week 0 (design.md §5)."""
    return (day - go_live).days // 7


def phase_of(days_since_go_live: int, hypercare: int = 14, stabilization: int = 56) -> Phase:
    if days_since_go_live < 0:
        return "readiness"
    if days_since_go_live < hypercare:
        return "go_live"
    if days_since_go_live < stabilization:
        return "hypercare"
    return "stabilization"


assert PHASES == ("readiness", "go_live", "hypercare", "stabilization")
