"""The ``workdays:`` section of ``uptake.yaml``: working days and hours per country.

Without it every country uses its public holidays from the ``holidays`` package (plus the regional
days off uptake knows, e.g. Assumption Day in Bavaria), its usual weekend and 09:00–17:00::

    workdays:
      hours: "08:30-17:00"             # default for every country (local time, quoted)
      countries:
        CH:
          extra_holidays: {2026-01-02: Berchtoldstag}   # days off the feed does not have
          working_days: [2026-12-24]                   # days worked although weekend or holiday
          categories: [public, optional]               # holidays-package categories that are days off
          weekend: [saturday, sunday]
          hours: "08:00-16:30"
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import Field, field_validator, model_validator

from uptake.project.source_configs import Frozen
from uptake.vocab import WeekStart

_SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


class WorkingHours(Frozen):
    """Local working hours of a working day, ``start`` inclusive, ``end`` exclusive.

    Written as ``"09:00-17:00"`` or ``{start: "09:00", end: "17:00"}``; quote times in YAML (an
    unquoted ``17:00`` is read as the number 1020)."""

    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(17, 0)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            m = _SPAN.match(value)
            if not m:
                raise ValueError(f"expected working hours like '09:00-17:00', found {value!r}")
            return {"start": m.group(1), "end": m.group(2)}
        return value

    @field_validator("start", "end", mode="before")
    @classmethod
    def _no_numbers(cls, value: Any) -> Any:
        if isinstance(value, int | float):
            raise ValueError(f"write the time in quotes, e.g. '17:00' (YAML read {value!r} as a number)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHours:
        if self.end <= self.start:
            raise ValueError(f"working hours must end after they start, found {self.start}-{self.end}")
        return self


class CountryWorkdays(Frozen):
    """Overrides of one country's working-day calendar."""

    categories: list[str] | None = None
    """``holidays``-package categories whose days are days off (null = ``public`` plus uptake's
    known regional days off, e.g. ``catholic`` for DE-BY)."""
    weekend: list[WeekStart] | None = None
    """Weekly days off (null = the country's usual weekend, e.g. Friday/Saturday in Saudi Arabia)."""
    extra_holidays: dict[dt.date, str] = Field(default_factory=dict)
    """Further days off, date → name (company holidays, optional days the tenant takes)."""
    working_days: list[dt.date] = Field(default_factory=list)
    """Days worked although they are a weekend day or a holiday (bridge-day swaps)."""
    hours: WorkingHours | None = None
    """Working hours (null = the project default)."""


class Workdays(Frozen):
    hours: WorkingHours = Field(default_factory=WorkingHours)
    """Default working hours of every country."""
    countries: dict[str, CountryWorkdays] = Field(default_factory=dict)
    """Overrides per ISO country code of the project's ``countries``."""
