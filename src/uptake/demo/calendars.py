"""Working days per country (and subdivision) from the ``holidays`` package."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import holidays
import numpy as np
import numpy.typing as npt

from uptake.demo.catalog import CountrySpec


@dataclass(frozen=True)
class CountryCalendar:
    code: str
    days: tuple[dt.date, ...]
    working: npt.NDArray[np.bool_]
    """True on Monday–Friday days that are not public holidays."""
    holidays: dict[dt.date, str]
    """Public holidays inside the window (weekends included), date → name."""

    def holiday_weekdays(self, start: int, stop: int) -> list[dt.date]:
        """Holidays falling on a Monday–Friday between day indexes ``start`` and ``stop`` (exclusive)."""
        return [d for d in self.days[start:stop] if d in self.holidays and d.weekday() < 5]


def build_calendar(spec: CountrySpec, start: dt.date, n_days: int) -> CountryCalendar:
    days = tuple(start + dt.timedelta(days=i) for i in range(n_days))
    years = sorted({d.year for d in days})
    subdiv = spec.subdivision.split("-", 1)[1] if spec.subdivision else None
    table = holidays.country_holidays(
        spec.code, subdiv=subdiv, years=years, categories=spec.holiday_categories, language="en_US"
    )
    inside = {d: str(table[d]) for d in days if d in table}
    working = np.array([d.weekday() < 5 and d not in inside for d in days], dtype=np.bool_)
    return CountryCalendar(spec.code, days, working, inside)
