"""Cases about who counts: 05-distinct-users-not-additive, 06-incomplete-period-false-alert,
10-deleted-disabled-users-denominator (shared/cases/<name>/EXPECTED.md)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from conftest import case_file, d, make_project, one, rows, run, series

CASE_05 = "05-distinct-users-not-additive"
CASE_06 = "06-incomplete-period-false-alert"
CASE_10 = "10-deleted-disabled-users-denominator"


@pytest.fixture(scope="module")
def case05(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    project = make_project(
        tmp_path_factory.mktemp("case05"),
        """
        name: case 05
        timezone: UTC
        countries:
          - {code: DE, region: EMEA, timezone: UTC, go_live: 2026-11-01}
        privacy:
          min_group_size: 1
        sources:
          - type: events
            path: activity.csv
            mapping: {user: user_id, timestamp: date}
            default_action: update
        """,
        [case_file(CASE_05, "activity.csv")],
    )
    return run(project, "2026-12-01T00:00:00+00:00").kpi_values


def test_case05_dau_per_day(case05: pa.Table) -> None:
    dau = series(case05, "active_users", "day")
    assert {k: v for k, v in dau.items() if k.month == 11} == {
        d("2026-11-09"): 3,
        d("2026-11-10"): 1,
        d("2026-11-11"): 2,
        d("2026-11-12"): 1,
        d("2026-11-13"): 2,
        d("2026-11-14"): 1,
        d("2026-11-15"): 2,
    }
    assert sum(v or 0 for v in dau.values()) == 12


def test_case05_wau_and_mau_are_distinct_not_summed(case05: pa.Table) -> None:
    week = one(case05, "active_users", "week", "2026-11-09")
    assert (week["value"], week["period_end"]) == (4, d("2026-11-15"))  # A, B, C, D — not 12
    assert one(case05, "active_users", "month", "2026-11-01")["value"] == 4
    assert one(case05, "active_users", "quarter", "2026-10-01")["value"] == 4
    assert one(case05, "active_users", "total", None)["value"] == 4
    # The week labelled 2026-11-09 covers 11-09..11-15; nothing is counted in the week before.
    assert series(case05, "active_users", "week") == {d("2026-11-09"): 4}


def test_case05_rolling_wau_windows_end_on_the_labelled_day(case05: pa.Table) -> None:
    rolling = series(case05, "active_users_rolling_7d", "day")
    assert rolling[d("2026-11-15")] == 4  # window 11-09..11-15: A, B, C, D
    assert rolling[d("2026-11-12")] == 3  # window 11-06..11-12: A, B, C
    # by hand: each day's window D-6..D over the case's activity, as a distinct count
    assert {k: v for k, v in rolling.items() if k.month == 11} == {
        d("2026-11-09"): 3,
        d("2026-11-10"): 3,
        d("2026-11-11"): 3,
        d("2026-11-12"): 3,
        d("2026-11-13"): 3,
        d("2026-11-14"): 3,
        d("2026-11-15"): 4,
    }
    assert one(case05, "active_users_rolling_28d", "day", "2026-11-15")["value"] == 4


def test_case05_stickiness_over_calendar_days(case05: pa.Table) -> None:
    week = one(case05, "stickiness_calendar", "week", "2026-11-09")
    assert (week["numerator"], week["denominator"]) == (pytest.approx(12 / 7), 4)
    assert round(week["value"], 4) == 0.4286
    month = one(case05, "stickiness_calendar", "month", "2026-11-01")
    # mean DAU over all 30 days of November (zero days included), not over the 7 active days
    assert (month["numerator"], month["denominator"]) == (pytest.approx(12 / 30), 4)
    assert month["value"] == pytest.approx(0.10)


def test_case05_stickiness_over_working_days(case05: pa.Table) -> None:
    # DE (no subdivision) has 21 working days in November 2026 (Mon-Fri, no national holiday);
    # DAU on them: Mon 3 + Tue 1 + Wed 2 + Thu 1 + Fri 2 = 9 (the weekend's 1 + 2 are left out).
    month = one(case05, "stickiness", "month", "2026-11-01")
    assert (month["numerator"], month["denominator"]) == (pytest.approx(9 / 21), 4)
    assert month["value"] == pytest.approx(9 / 21 / 4)


def test_case06_today_is_incomplete_and_not_scored(tmp_path: Path) -> None:
    from uptake.evaluate.signals import Point, ZScoreRule, zscore

    # Rebuild events from the daily counts: on each day users u1..uN each make one change at noon.
    lines = ["user_id,ts"]
    with case_file(CASE_06, "daily_active_users.csv").open(encoding="utf-8", newline="") as fh:
        daily = [(d(r["date"]), int(r["dau"])) for r in csv.DictReader(fh)]
    for day, dau in daily:
        hour = "09:00" if day == d("2026-11-30") else "12:00"  # today only until 10:00
        lines += [f"u{i},{day}T{hour}:00" for i in range(1, dau + 1)]
    (tmp_path / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = make_project(
        tmp_path,
        """
        name: case 06
        timezone: Europe/Berlin
        countries:
          - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-11-01}
        privacy:
          min_group_size: 1
        sources:
          - type: events
            path: events.csv
            timezone: Europe/Berlin
            mapping: {user: user_id, timestamp: ts}
            default_action: update
        """,
    )
    kv = run(project, "2026-11-30T10:00:00+01:00").kpi_values
    found = rows(kv, "active_users", "day")
    assert [(r["period_start"], r["value"], r["is_complete"]) for r in found] == [
        (day, dau, day != d("2026-11-30")) for day, dau in daily
    ]
    assert one(kv, "active_users", "week", "2026-11-30")["is_complete"] is False
    assert one(kv, "active_users", "week", "2026-11-23")["is_complete"] is True
    assert one(kv, "active_users", "month", "2026-11-01")["is_complete"] is False

    signal = zscore(
        [Point(r["period_start"], r["value"], r["is_complete"]) for r in found],
        ZScoreRule(baseline=7, threshold=3.0, std="sample"),
    )
    assert signal is not None
    assert signal.period_start == d("2026-11-29")
    assert signal.value == 101
    base = [103, 100, 99, 101, 102, 98, 100]
    assert signal.baseline_mean == pytest.approx(sum(base) / 7)
    assert round(signal.baseline_mean, 2) == 100.43
    assert round(signal.baseline_sd, 3) == 1.718
    assert round(signal.z, 2) == 0.33
    assert (signal.alert, signal.direction) == (False, "none")


def test_case06_partial_day_would_alert_if_scored() -> None:
    """The failure mode the rule prevents: scoring the partial 41 gives z ≈ −44."""
    from uptake.evaluate.signals import Point, zscore

    values = [98, 102, 101, 99, 100, 97, 103, 100, 99, 101, 102, 98, 100, 101]
    start = d("2026-11-16")
    points = [Point(start + dt.timedelta(days=i), v, True) for i, v in enumerate(values)]
    wrong = zscore([*points, Point(d("2026-11-30"), 41, True)])
    assert wrong is not None
    assert (round(wrong.baseline_mean, 2), round(wrong.baseline_sd, 3)) == (100.14, 1.345)
    assert round(wrong.z) == -44
    assert (wrong.alert, wrong.direction) == (True, "drop")
    right = zscore([*points, Point(d("2026-11-30"), 41, False)])
    assert right is not None
    assert (right.period_start, right.alert) == (d("2026-11-29"), False)


@pytest.fixture(scope="module")
def case10(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    project = make_project(
        tmp_path_factory.mktemp("case10"),
        """
        name: case 10
        timezone: Europe/Berlin
        countries:
          - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-01-01}
        privacy:
          min_group_size: 1
        sources:
          - type: users
            path: user_history.csv
            timezone: Europe/Berlin
            mapping: {user_id: user_id, is_human: user_type, valid_from: enabled_from, valid_to: enabled_to}
            defaults: {country: DE}
          - type: events
            path: activity.csv
            timezone: Europe/Berlin
            mapping: {user: user_id, timestamp: date}
            default_action: update
        """,
        # users_current_snapshot.csv is the trap (today's table without d6): not a source.
        [case_file(CASE_10, "user_history.csv"), case_file(CASE_10, "activity.csv")],
    )
    return run(project, "2026-12-03T12:00:00+01:00").kpi_values


def test_case10_november_adoption_from_user_history(case10: pa.Table) -> None:
    rate = one(case10, "activation_rate", "month", "2026-11-01")
    # eligible d1, d2, d4, d5, d6 (d3 disabled in October, svc1 an application user);
    # active eligible d1, d4, d5, d6
    assert (rate["numerator"], rate["denominator"], rate["value"]) == (4, 5, 0.8)
    assert one(case10, "eligible_users", "month", "2026-11-01")["value"] == 5


def test_case10_october_unchanged_after_deletion(case10: pa.Table) -> None:
    rate = one(case10, "activation_rate", "month", "2026-10-01")
    # eligible d1, d2, d3, d4, d6 (d5 starts 11-25); active d3
    assert (rate["numerator"], rate["denominator"], rate["value"]) == (1, 5, 0.2)


def test_case10_service_account_in_neither_side(case10: pa.Table) -> None:
    # svc1 is active on 11-02 and 11-03; as an application user it is not an active user either.
    assert one(case10, "active_users", "month", "2026-11-01")["value"] == 4
    assert one(case10, "active_users", "day", "2026-11-03")["value"] == 1  # d1 only


def test_case10_numerator_within_denominator(case10: pa.Table) -> None:
    found = [r for r in case10.to_pylist() if r["kpi"] == "activation_rate" and r["denominator"]]
    assert found
    assert all(r["numerator"] <= r["denominator"] for r in found)
