"""Retention cohorts: case 07-immature-retention-cohorts (shared/cases/<name>/EXPECTED.md)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from conftest import case_file, d, make_project, rows, run
from uptake.kpis import engine

CASE_07 = "07-immature-retention-cohorts"


def _project(tmp_path: Path) -> Path:
    events = tmp_path / "events.csv"
    with (
        case_file(CASE_07, "activity.csv").open(encoding="utf-8") as f,
        events.open("w", encoding="utf-8") as out,
    ):
        out.write("event_id,user_id,ts\n")
        for i, r in enumerate(csv.DictReader(f)):
            out.write(f"e{i},{r['user_id']},{r['date']}T12:00:00\n")
    return make_project(
        tmp_path,
        """
        name: case 07
        timezone: Europe/Berlin
        data_through: 2026-11-25T23:59:59+01:00
        countries:
          - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-11-02}
        privacy:
          min_group_size: 1
        retention:
          max_offset_weeks: 4
        sources:
          - type: users
            path: users.csv
            mapping: {user_id: user_id, created_on: signup_date}
            defaults: {country: DE}
          - type: events
            path: events.csv
            timezone: Europe/Berlin
            mapping: {user: user_id, timestamp: ts, event_id: event_id}
            default_action: update
        """,
        [case_file(CASE_07, "users.csv")],
    )


@pytest.fixture(scope="module")
def kv(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    """One run for the module, with only the retention producer (the others are tested elsewhere)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "PRODUCERS", ("uptake.kpis.retention",))
        return run(_project(tmp_path_factory.mktemp("case07")), "2026-12-15T00:00:00+00:00").kpi_values


def _grid(kv: pa.Table, kpi: str = "retention") -> dict[tuple[dt.date, int], dict[str, Any]]:
    found = rows(kv, kpi, "since_go_live_week")
    grid = {(r["period_start"], r["weeks_since_go_live"]): r for r in found}
    assert len(grid) == len(found)
    return grid


def test_case07_cohort_grid_with_provisional_and_unstarted_cells(kv: pa.Table) -> None:
    grid = _grid(kv)
    # EXPECTED.md: (retained, size, provisional); a cell that is absent is null (week not started).
    expected = {
        ("2026-11-02", 0): (2, 2, False),
        ("2026-11-02", 1): (1, 2, False),
        ("2026-11-02", 2): (0, 2, False),
        ("2026-11-02", 3): (1, 2, True),
        ("2026-11-09", 0): (2, 2, False),
        ("2026-11-09", 1): (1, 2, False),
        ("2026-11-09", 2): (0, 2, True),
        ("2026-11-16", 0): (2, 2, False),
        ("2026-11-16", 1): (1, 2, True),
        ("2026-11-23", 0): (1, 1, True),
    }
    got = {
        (str(start), k): (r["numerator"], r["denominator"], not r["is_complete"])
        for (start, k), r in grid.items()
    }
    assert got == expected
    # u1 is active on 11-24, but W4 of cohort 11-02 starts on 11-30: no cell, not "retained".
    assert (d("2026-11-02"), 4) not in grid
    cell = grid[(d("2026-11-09"), 2)]
    assert cell["value"] == 0.0 and cell["period_end"] == d("2026-11-29") and cell["phase"] is None
    assert grid[(d("2026-11-02"), 1)]["value"] == 0.5


def test_case07_headline_uses_mature_cells_only(kv: pa.Table) -> None:
    headline = _grid(kv, "retention_mature")
    w1 = headline[(d("2026-11-02"), 1)]
    # (1 + 1) / (2 + 2): the provisional W1 of cohort 11-16 stays out until 11-29 has passed.
    assert (w1["numerator"], w1["denominator"], w1["value"], w1["is_complete"]) == (2, 4, 0.5, True)
    assert w1["period_end"] == d("2026-11-22")
    assert (d("2026-11-02"), 3) not in headline  # no cohort's W3 is complete yet


def test_case07_cohorts_match_signup_weeks(kv: pa.Table) -> None:
    """Independent route: cohort sizes from the signup dates of users.csv, weeks from activity.csv."""
    with case_file(CASE_07, "users.csv").open(encoding="utf-8") as f:
        signup = {r["user_id"]: d(r["signup_date"]) for r in csv.DictReader(f)}
    with case_file(CASE_07, "activity.csv").open(encoding="utf-8") as f:
        active = [(r["user_id"], d(r["date"])) for r in csv.DictReader(f)]
    monday = {u: s - dt.timedelta(days=s.weekday()) for u, s in signup.items()}
    as_of = d("2026-11-25")
    want: dict[tuple[dt.date, int], tuple[int, int]] = {}
    for week in set(monday.values()):
        members = [u for u, m in monday.items() if m == week]
        for k in range(5):
            lo = week + dt.timedelta(days=7 * k)
            if lo > as_of:
                break
            kept = {u for u, day in active if u in members and lo <= day < lo + dt.timedelta(days=7)}
            want[(week, k)] = (len(kept), len(members))
    got = {key: (r["numerator"], r["denominator"]) for key, r in _grid(kv).items()}
    assert got == want
