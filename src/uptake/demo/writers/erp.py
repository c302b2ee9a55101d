"""ERP invoice lines (CSV) per sales representative, from before the first go-live to the end:
revenue follows a shared seasonal trend, and each country's go-live lifts expected revenue per
sales user by ``REVENUE_EFFECT`` (the truth an impact estimate must recover)."""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np

from uptake.demo.world import REVENUE_EFFECT, World

COLUMNS = (
    "Invoice",
    "Invoice date",
    "Company code",
    "Customer",
    "Sales rep e-mail",
    "Country",
    "Currency",
    "Net amount",
    "Net amount EUR",
)
EUR_RATE = {"EUR": 1.0, "GBP": 1.17, "USD": 0.92, "BRL": 0.17, "MXN": 0.05, "JPY": 0.0061, "AUD": 0.6}
INVOICES_PER_WEEK = 1.2


def season(week: int) -> float:
    """Shared multiplier of week ``week`` (0 = the window's first week; negative = before)."""
    return (1.0 + 0.15 * math.sin(2 * math.pi * week / 52)) * (1.0 + 0.002 * week)


def write_erp(world: World, path: Path) -> dict[str, Any]:
    rng = np.random.default_rng([world.seed, 7])
    u = world.users
    sales = np.flatnonzero(world.is_sales())
    skill = rng.lognormal(0.0, 0.25, u.n)
    first_week = -world.scale.erp_weeks_before
    serial = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for week in range(first_week, world.days // 7):
            monday = world.scale.start + dt.timedelta(weeks=week)
            for i in sales.tolist():
                c = world.countries[int(u.country[i])]
                start = int(u.created_day[i]) if u.created_day[i] >= c.go_live_day else first_week * 7
                if not (start <= week * 7 and week * 7 + 6 < u.leave_day[i]):
                    continue
                lift = 1.0 + (REVENUE_EFFECT if week * 7 >= c.go_live_day else 0.0)
                mean = 4000.0 * skill[i] * season(week) * lift
                for _ in range(int(rng.poisson(INVOICES_PER_WEEK))):
                    serial += 1
                    eur = round(float(rng.gamma(4.0, mean / 4.0)), 2)
                    local = round(eur / EUR_RATE[c.spec.currency], 2)
                    day = monday + dt.timedelta(days=int(rng.integers(0, 5)))
                    out.writerow(
                        [
                            f"{90000000 + serial}",
                            day.isoformat(),
                            f"{c.code}01",
                            f"C{c.code}{int(rng.integers(1000, 9999))}",
                            world.email(i),
                            c.code,
                            c.spec.currency,
                            f"{local:.2f}",
                            f"{eur:.2f}",
                        ]
                    )
    return {"rows": serial, "effect": REVENUE_EFFECT}
