"""Sessions (``uptake.kpis.sessions``); case 21-session-splitting-30min
(shared/cases/21-session-splitting-30min/EXPECTED.md), plus access check-points that must neither
start nor extend a session (design.md §5)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from conftest import case_file, d, make_project, one, run

CASE_21 = "21-session-splitting-30min"
BERLIN = dt.timezone(dt.timedelta(hours=1))

# Check-points between u1's 00:10 and 00:55 events (20 and 25 minutes apart) would bridge S1 and S2
# if they counted; u9 has nothing but check-points.
ACCESS = [
    ("u1", "2026-11-17T00:30:00+01:00"),
    ("u2", "2026-11-17T09:45:00+01:00"),
    ("u9", "2026-11-17T11:00:00+01:00"),
    ("u9", "2026-11-17T11:20:00+01:00"),
]


def _case_events() -> list[tuple[str, str]]:
    with case_file(CASE_21, "events.csv").open(encoding="utf-8", newline="") as fh:
        return [(r["user_id"], r["ts"]) for r in csv.DictReader(fh)]


@pytest.fixture(scope="module")
def case21(tmp_path_factory: pytest.TempPathFactory) -> tuple[pa.Table, Path]:
    folder = tmp_path_factory.mktemp("case21")
    lines = ["user_id,ts,action,country"]
    lines += [f"{u},{ts},update,DE" for u, ts in _case_events()]
    lines += [f"{u},{ts},access,DE" for u, ts in ACCESS]
    (folder / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = make_project(
        folder,
        """
        name: case 21
        timezone: Europe/Berlin
        countries:
          - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-11-01}
        privacy:
          min_group_size: 1
        sources:
          - type: events
            path: events.csv
            mapping: {user: user_id, timestamp: ts, action: action, country: country}
        """,
    )
    return run(project, "2026-12-01T00:00:00+00:00").kpi_values, folder


def _sessions_by_hand() -> list[tuple[str, dt.datetime, dt.datetime, int]]:
    """Independent route: plain Python over the case file (gap > 30 min starts a session)."""
    by_user: dict[str, list[dt.datetime]] = {}
    for u, ts in _case_events():
        by_user.setdefault(u, []).append(dt.datetime.fromisoformat(ts))
    out = []
    for u, times in sorted(by_user.items()):
        times.sort()
        start = prev = times[0]
        n = 1
        for t in times[1:]:
            if t - prev > dt.timedelta(minutes=30):
                out.append((u, start, prev, n))
                start, n = t, 0
            prev = t
            n += 1
        out.append((u, start, prev, n))
    return out


def _local(ts: dt.datetime) -> dt.datetime:
    return ts.replace(tzinfo=dt.UTC).astimezone(BERLIN)


def test_case21_user_session_table(case21: tuple[pa.Table, Path]) -> None:
    _, folder = case21
    con = duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True)
    try:
        got = con.execute(
            "select user_id, start_ts, end_ts, n_events, minutes, local_date from user_session"
            " order by user_id, start_ts"
        ).fetchall()
    finally:
        con.close()
    table = [
        (u, _local(s).strftime("%m-%d %H:%M:%S"), _local(e).strftime("%H:%M:%S"), n, m, ld)
        for u, s, e, n, m, ld in got
    ]
    assert table == [
        ("u1", "11-16 23:50:00", "00:10:00", 3, 20.0, d("2026-11-16")),  # S1: no cut at midnight
        ("u1", "11-17 00:55:00", "00:55:00", 1, 0.0, d("2026-11-17")),  # S2: 45-minute gap
        ("u2", "11-17 09:00:00", "09:30:00", 2, 30.0, d("2026-11-17")),  # S3: exactly 30:00 stays
        ("u2", "11-17 10:00:01", "10:00:01", 1, 0.0, d("2026-11-17")),  # S4: 30:01 splits
        ("u3", "11-17 14:00:00", "14:00:00", 1, 0.0, d("2026-11-17")),  # S5
    ]
    by_hand = [
        (u, s.strftime("%m-%d %H:%M:%S"), e.strftime("%H:%M:%S"), n) for u, s, e, n in _sessions_by_hand()
    ]
    assert [r[:4] for r in table] == by_hand


def test_case21_session_counts_per_start_day(case21: tuple[pa.Table, Path]) -> None:
    kv, _ = case21
    assert one(kv, "sessions", "day", "2026-11-16")["value"] == 1
    assert one(kv, "sessions", "day", "2026-11-17")["value"] == 4
    assert one(kv, "sessions", "week", "2026-11-16")["value"] == 5
    assert one(kv, "sessions", "total", None)["value"] == 5
    assert one(kv, "sessions", "day", "2026-11-17", region="EMEA")["value"] == 4
    assert (
        one(kv, "sessions", "week", "2026-11-16", region="EMEA", country="DE", phase="hypercare")["value"]
        == 5
    )


def test_case21_duration_statistics_keep_zero_length_sessions(case21: tuple[pa.Table, Path]) -> None:
    kv, _ = case21
    # durations 20, 0, 30, 0, 0 → sorted 0, 0, 0, 20, 30: median 0; p90 at rank 3.6 = 20 + 0.6 × 10
    week = "2026-11-16"
    assert one(kv, "session_minutes_median", "week", week)["value"] == 0.0
    assert one(kv, "session_minutes_median", "week", week)["denominator"] == 5
    assert one(kv, "session_minutes_p90", "week", week)["value"] == pytest.approx(26.0)
    # 11-17: 0, 30, 0, 0 → median 0, p90 at rank 2.7 = 0 + 0.7 × 30 = 21
    assert one(kv, "session_minutes_p90", "day", "2026-11-17")["value"] == pytest.approx(21.0)
    assert one(kv, "session_minutes_median", "day", "2026-11-16")["value"] == 20.0
    # 50 session minutes over 3 active users (mean over all sessions = 50 / 5 = 10, EXPECTED.md)
    per_user = one(kv, "active_minutes_per_active_user", "week", week)
    assert (per_user["numerator"], per_user["denominator"]) == (50.0, 3)
    assert per_user["value"] == pytest.approx(50 / 3)
    day = one(kv, "active_minutes_per_active_user", "day", "2026-11-17")
    assert (day["numerator"], day["denominator"], day["value"]) == (30.0, 3, 10.0)


def test_access_check_points_make_present_but_no_session(case21: tuple[pa.Table, Path]) -> None:
    kv, _ = case21
    assert one(kv, "present_users", "day", "2026-11-17")["value"] == 4  # u1, u2, u3 and u9
    assert one(kv, "sessions", "day", "2026-11-17")["numerator"] == 4  # u9 starts none
