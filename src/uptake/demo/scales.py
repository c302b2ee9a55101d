"""Sizes of the simulated rollout (``uptake demo --scale``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args

ScaleName = Literal["xs", "s", "m", "l"]
SCALE_NAMES: tuple[ScaleName, ...] = get_args(ScaleName)

START = dt.date(2025, 3, 3)
"""First simulated day (a Monday): readiness, training and surveys start here."""


@dataclass(frozen=True)
class Scale:
    name: ScaleName
    users: int
    """Human users (a few integration accounts come on top)."""
    days: int
    wave_days: tuple[int, int, int]
    """Go-live day (days after ``START``, always a Monday) of waves 1, 2 and 3."""
    erp_weeks_before: int
    """Weeks of ERP revenue history before ``START`` (the pre-period of the go-live effect)."""
    page_size: int = 5000
    """Rows per Dataverse Web API page (the service's default and maximum)."""

    @property
    def start(self) -> dt.date:
        return START

    @property
    def end(self) -> dt.date:
        """Last simulated day (inclusive)."""
        return START + dt.timedelta(days=self.days - 1)


# xs holds 12 weeks rather than the "about 30 days": week 5 after go-live (the injected
# stall) cannot be seen in a 30-day window, and xs must show every injected fact.
SCALES: dict[ScaleName, Scale] = {
    "xs": Scale("xs", users=200, days=84, wave_days=(14, 21, 28), erp_weeks_before=13),
    "s": Scale("s", users=2_000, days=182, wave_days=(14, 42, 70), erp_weeks_before=26),
    "m": Scale("m", users=20_000, days=365, wave_days=(28, 84, 140), erp_weeks_before=52),
    "l": Scale("l", users=100_000, days=730, wave_days=(56, 168, 280), erp_weeks_before=52),
}


def get_scale(name: str) -> Scale:
    for key, scale in SCALES.items():
        if key == name:
            return scale
    raise ValueError(f"unknown scale {name!r}; expected one of {', '.join(SCALE_NAMES)}")
