"""Exact durations between two UTC timestamps of a row, as Ibis expressions.

*Hours* are elapsed time: a case open over the change to summer time is open one hour less than
the wall clock says. *Days* are calendar days on the wall clock of the row's zone (design.md §5
"Time": a daylight-saving day of 23 or 25 hours is one day), so a deal created on 15 August and won
on 20 November is 97 days, not 97 days and an hour. Nothing is truncated: differences are taken in
microseconds (``epoch_seconds()`` counts whole seconds), and no engine session zone is involved.
"""

from __future__ import annotations

from typing import Any

from ibis.expr.types import Table

US_PER_HOUR = 3_600_000_000.0
US_PER_DAY = 86_400_000_000.0


def elapsed(start: Any, end: Any, unit_us: float) -> Any:
    """Exact ``end - start`` (timestamp columns) in units of ``unit_us`` microseconds."""
    return end.delta(start, unit="microsecond").cast("float64") / unit_us


def with_calendar_days(t: Table, start: str, end: str, offsets: Table, default_tz: str, name: str) -> Table:
    """``t`` with a float column ``name``: days from ``start`` to ``end`` on the wall clock of the
    row's ``c_tz`` (``default_tz`` where it is null); null when either end is null.

    ``offsets`` is the offset table of ``uptake.calendar.offset_table`` (``tz, utc_from, utc_to,
    offset_seconds``) covering both ends."""
    t = t.mutate(_cd_tz=t["c_tz"].fill_null(default_tz))
    for side, col in (("s", start), ("e", end)):
        o = offsets.select(
            _cd_z=offsets["tz"],
            _cd_from=offsets["utc_from"],
            _cd_to=offsets["utc_to"],
            _cd_off=offsets["offset_seconds"],
        )
        t = t.left_join(o, [t["_cd_tz"] == o["_cd_z"], t[col] >= o["_cd_from"], t[col] < o["_cd_to"]])
        t = t.rename(**{f"_cd_{side}": "_cd_off"}).drop("_cd_z", "_cd_from", "_cd_to")
    shift = (t["_cd_e"] - t["_cd_s"]).cast("float64") / (US_PER_DAY / 1_000_000)
    return t.mutate(**{name: elapsed(t[start], t[end], US_PER_DAY) + shift}).drop("_cd_tz", "_cd_s", "_cd_e")
