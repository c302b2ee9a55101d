"""Cases about local days and weeks: 01-dau-utc-vs-local-day, 02-dst-daily-buckets,
03-week-start-anchor (shared/cases/<name>/EXPECTED.md)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from conftest import case_file, d, make_project, one, run, series
from uptake.calendar import period_start, periods

CASE_01 = "01-dau-utc-vs-local-day"
CASE_02 = "02-dst-daily-buckets"
CASE_03 = "03-week-start-anchor"


def _case01(tmp_path: Path, day_mode: str) -> dict[dt.date, float | None]:
    project = make_project(
        tmp_path,
        f"""
        name: case 01
        timezone: Europe/Berlin
        day_mode: {day_mode}
        data_from: 2026-11-15  # the report covers the go-live Sunday, which has no activity
        countries:
          - {{code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-11-15, match: [Europe/Berlin]}}
          - {{code: US, region: AMER, timezone: America/New_York, go_live: 2026-11-15,
              match: [America/New_York]}}
        activity:
          meaningful_actions: [view, update]
        privacy:
          min_group_size: 1
        sources:
          - type: users
            path: users.csv
            mapping: {{user_id: user_id, country: home_tz}}
          - type: events
            path: events.csv
            mapping: {{user: user_id, timestamp: ts_utc, action: event, event_id: event_id}}
            action_map: {{record_opened: view, record_updated: update}}
        """,
        [case_file(CASE_01, "events.csv"), case_file(CASE_01, "users.csv")],
    )
    result = run(project, "2026-12-01T00:00:00+00:00")
    assert result.project.day_mode == day_mode
    return series(result.kpi_values, "active_users", "day")


def test_case01_dau_per_berlin_local_day_with_explicit_zero_sunday(tmp_path: Path) -> None:
    dau = _case01(tmp_path, "project")
    # e1 (23:30Z on the 15th) is 00:30 on Monday in Berlin; e4 (23:15Z on the 16th) is the 17th.
    # The empty Sunday is a row with 0, not a missing row (the UTC-bucket bug gives 1/2/1).
    assert dau[d("2026-11-16")] == 3
    assert dau[d("2026-11-17")] == 2
    assert {k: dau.get(k) for k in (d("2026-11-15"), d("2026-11-16"), d("2026-11-17"))} == {
        d("2026-11-15"): 0,
        d("2026-11-16"): 3,
        d("2026-11-17"): 2,
    }


def test_case01_dau_per_user_home_zone(tmp_path: Path) -> None:
    dau = _case01(tmp_path, "user_country")
    # u4's event (04:00Z on the 17th) is 23:00 on the 16th in New York; the others are in Berlin.
    assert dau[d("2026-11-16")] == 4
    assert dau[d("2026-11-17")] == 1
    assert dau.get(d("2026-11-15"), 0) == 0


def test_case02_dst_days_have_one_label_each_and_exact_counts(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        """
        name: case 02
        timezone: Europe/Berlin
        day_mode: project
        countries:
          - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-03-01}
        privacy:
          min_group_size: 1
        sources:
          - type: events
            path: events.csv
            mapping: {user: user_id, timestamp: ts_utc, event_id: event_id}
            default_action: update
        """,
        [case_file(CASE_02, "events.csv")],
    )
    kv = run(project, "2026-12-01T00:00:00+00:00").kpi_values
    dau = series(kv, "active_users", "day")
    # Consecutive calendar dates from the first to the last local day: nothing missing, nothing twice.
    first, last = d("2026-03-28"), d("2026-10-26")
    assert sorted(dau) == [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    expected = {
        d("2026-03-28"): 1,  # p
        d("2026-03-29"): 2,  # q, r (23-hour day)
        d("2026-03-30"): 1,  # s, 00:30 CEST
        d("2026-10-24"): 1,  # a
        d("2026-10-25"): 4,  # b, c, d, a (25-hour day; c and d are both "02:30" local)
        d("2026-10-26"): 1,  # e, 00:30 CET
    }
    assert {k: v for k, v in dau.items() if v} == expected
    assert sum(v or 0 for v in dau.values()) == 10


def _case03_days() -> list[tuple[dt.date, int]]:
    with case_file(CASE_03, "daily_activity.csv").open(encoding="utf-8", newline="") as fh:
        return [(d(r["date"]), int(r["active_records_touched"])) for r in csv.DictReader(fh)]


@pytest.mark.parametrize(
    ("week_start", "expected"),
    [
        ("monday", {"2026-11-02": 28, "2026-11-09": 77}),
        ("sunday", {"2026-11-01": 21, "2026-11-08": 70, "2026-11-15": 14}),
    ],
)
def test_case03_week_membership_and_labels_in_calendar(week_start: str, expected: dict[str, int]) -> None:
    sums: dict[dt.date, int] = {}
    for day, value in _case03_days():
        start = period_start(day, "week", week_start)  # type: ignore[arg-type]
        sums[start] = sums.get(start, 0) + value
    assert sums == {d(k): v for k, v in expected.items()}
    first, last = d("2026-11-02"), d("2026-11-15")
    assert [(s.isoformat(), e.isoformat()) for s, e in periods(first, last, "week", week_start)] == [  # type: ignore[arg-type]
        (k, (d(k) + dt.timedelta(days=6)).isoformat()) for k in expected
    ]


@pytest.mark.parametrize(
    ("week_start", "expected"),
    [
        ("monday", {"2026-11-02": 28, "2026-11-09": 77}),
        ("sunday", {"2026-11-01": 21, "2026-11-08": 70, "2026-11-15": 14}),
    ],
)
def test_case03_weekly_kpi_sums_per_week_start(
    tmp_path: Path, week_start: str, expected: dict[str, int]
) -> None:
    # One user creates `active_records_touched` records on each day (at noon Berlin time), so the
    # weekly records-created numerator is the case's weekly sum and the weekly DAU count is 1.
    lines = ["event_id,user_id,ts,action"]
    for day, value in _case03_days():
        lines += [f"{day}-{i},u1,{day}T12:00:00,create" for i in range(value)]
    (tmp_path / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = make_project(
        tmp_path,
        f"""
        name: case 03
        timezone: Europe/Berlin
        week_start: {week_start}
        countries:
          - {{code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-11-01}}
        privacy:
          min_group_size: 1
        sources:
          - type: events
            path: events.csv
            timezone: Europe/Berlin
            mapping: {{user: user_id, timestamp: ts, action: action, event_id: event_id}}
        """,
    )
    kv = run(project, "2026-12-01T00:00:00+00:00").kpi_values
    created = {r: one(kv, "records_created_per_active_user", "week", r)["numerator"] for r in expected}
    assert created == {k: float(v) for k, v in expected.items()}
    assert sorted(series(kv, "active_users", "week")) == [d(k) for k in expected]
    assert sum(created.values()) == 105
    for label in expected:
        row = one(kv, "active_users", "week", label)
        assert (row["period_start"], row["period_end"]) == (d(label), d(label) + dt.timedelta(days=6))
