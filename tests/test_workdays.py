"""Working-day calendar and business hours (``uptake.workdays``); case 19-regional-holidays-working-days
(shared/cases/19-regional-holidays-working-days/EXPECTED.md)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pytest
from pydantic import ValidationError

from conftest import case_file, d, make_project, run
from uptake.project.models import Project
from uptake.workdays import calendar_hours, with_business_hours, work_calendar

CASE_19 = "19-regional-holidays-working-days"


def _project(countries: list[dict[str, Any]], workdays: dict[str, Any] | None = None) -> Project:
    return Project.model_validate(
        {
            "name": "calendar",
            "countries": [{"region": "EMEA", "go_live": "2026-01-01", **c} for c in countries],
            "sources": [{"type": "events", "path": "e.csv", "mapping": {"user": "u", "timestamp": "t"}}],
            **({"workdays": workdays} if workdays else {}),
        }
    )


def _month(text: str) -> tuple[dt.date, dt.date]:
    first = d(f"{text}-01")
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def _working_days(subdivision: str, month: str, workdays: dict[str, Any] | None = None) -> int:
    code = subdivision[:2]
    zone = "Europe/Berlin" if code == "DE" else "Europe/Zurich"
    cal = work_calendar(_project([{"code": code, "subdivision": subdivision, "timezone": zone}], workdays))
    return cal.working_days(code, *_month(month))


@pytest.mark.parametrize(
    ("subdivision", "month", "expected"),
    [
        ("DE-BE", "2026-11", 21),
        ("DE-SN", "2026-11", 20),  # Buß- und Bettag, Wed 18 Nov
        ("DE-BW", "2026-11", 21),  # All Saints falls on a Sunday: not subtracted twice
        ("DE-BW", "2026-06", 21),  # Corpus Christi, Thu 4 Jun
        ("DE-BE", "2026-06", 22),
        ("CH-BE", "2026-01", 20),  # 1 and 2 Jan
        ("CH-ZH", "2026-01", 21),  # 2 Jan is optional in Zurich: a working day by default
    ],
)
def test_case19_working_days_per_subdivision(subdivision: str, month: str, expected: int) -> None:
    assert _working_days(subdivision, month) == expected


def test_case19_observances_are_working_days() -> None:
    cal = work_calendar(_project([{"code": "DE", "subdivision": "DE-BE", "timezone": "Europe/Berlin"}]))["DE"]
    assert cal.is_working_day(d("2026-11-11"))  # St. Martin: an observance, not a day off
    assert cal.holiday_name(d("2026-11-11")) is None


def test_case19_tenant_opts_in_to_an_optional_day() -> None:
    opt_in = {"countries": {"CH": {"extra_holidays": {"2026-01-02": "Berchtoldstag"}}}}
    assert _working_days("CH-ZH", "2026-01", opt_in) == 20


def test_case19_records_per_active_user_per_working_day() -> None:
    working = {
        ("DE-BE", "2026-11"): _working_days("DE-BE", "2026-11"),
        ("DE-SN", "2026-11"): _working_days("DE-SN", "2026-11"),
        ("DE-BW", "2026-06"): _working_days("DE-BW", "2026-06"),
        ("DE-BE", "2026-06"): _working_days("DE-BE", "2026-06"),
    }
    with case_file(CASE_19, "activity.csv").open(encoding="utf-8", newline="") as fh:
        got = {
            (r["region"], r["month"]): round(
                int(r["records_updated"]) / int(r["active_users"]) / working[(r["region"], r["month"])], 2
            )
            for r in csv.DictReader(fh)
        }
    assert got == {
        ("DE-BE", "2026-11"): 10.00,
        ("DE-SN", "2026-11"): 10.00,
        ("DE-BW", "2026-06"): 9.00,
        ("DE-BE", "2026-06"): 9.00,
    }


def test_bavaria_takes_assumption_day_off_and_berlin_does_not() -> None:
    cal = work_calendar(
        _project(
            [
                {"code": "DE", "subdivision": "DE-BY", "timezone": "Europe/Berlin"},
                {"code": "AT", "timezone": "Europe/Vienna"},
            ]
        )
    )
    assert cal["DE"].holiday_name(d("2027-08-16")) is None
    assert not cal["DE"].is_working_day(d("2025-08-15"))  # a Friday
    assert cal["DE"].holiday_name(d("2025-08-15")) == "Assumption Day"
    berlin = work_calendar(_project([{"code": "DE", "subdivision": "DE-BE", "timezone": "Europe/Berlin"}]))
    assert berlin["DE"].is_working_day(d("2025-08-15"))


def test_weekend_per_country_and_overrides() -> None:
    cal = work_calendar(
        _project(
            [
                {"code": "SA", "timezone": "Asia/Riyadh"},
                {"code": "DE", "timezone": "Europe/Berlin"},
            ],
            {"countries": {"DE": {"weekend": ["sunday"], "working_days": ["2026-12-25"]}}},
        )
    )
    # Saudi Arabia: Friday and Saturday off, Sunday worked (2026-11-13 is a Friday)
    assert [cal["SA"].is_working_day(d("2026-11-13") + dt.timedelta(days=i)) for i in range(3)] == [
        False,
        False,
        True,
    ]
    assert cal["DE"].is_working_day(d("2026-11-14"))  # Saturday worked by override
    assert cal["DE"].is_working_day(d("2026-12-25"))  # Christmas worked by override
    assert not cal["DE"].is_working_day(d("2026-12-26"))


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).replace(tzinfo=None)


BH_CASES = [
    # (start, end, hours by hand) in Germany, 09:00-17:00 Europe/Berlin
    ("2026-03-27T16:00:00+01:00", "2026-03-30T10:00:00+02:00", 2.0),  # Fri 1 h + Mon 1 h across DST
    ("2026-10-23T12:00:00+02:00", "2026-10-26T12:00:00+01:00", 8.0),  # Fri 5 h + Mon 3 h, 25-hour Sunday
    ("2026-04-02T16:30:00+02:00", "2026-04-07T09:15:00+02:00", 0.75),  # Good Friday, Easter Monday off
    ("2026-11-17T10:00:00+01:00", "2026-11-17T10:00:00.5+01:00", 0.5 / 3600),  # exact, no truncation
    ("2026-11-17T20:00:00+01:00", "2026-11-18T08:00:00+01:00", 0.0),  # overnight, outside hours
    ("2026-11-18T12:00:00+01:00", "2026-11-17T12:00:00+01:00", 0.0),  # end before start
]


def test_business_hours_are_exact_and_dst_safe() -> None:
    cal = work_calendar(_project([{"code": "DE", "subdivision": "DE-BE", "timezone": "Europe/Berlin"}]))
    got = [cal.business_hours_between(_utc(s), _utc(e), "DE") for s, e, _ in BH_CASES]
    assert got == pytest.approx([h for _, _, h in BH_CASES], abs=1e-12)


def test_business_hours_in_ibis_match_python() -> None:
    project = _project(
        [
            {"code": "DE", "subdivision": "DE-BY", "timezone": "Europe/Berlin"},
            {"code": "SA", "timezone": "Asia/Riyadh"},
        ],
        {"hours": "08:30-17:00", "countries": {"SA": {"hours": {"start": "09:00", "end": "18:00"}}}},
    )
    cal = work_calendar(project)
    pairs = [(s, e, c) for s, e, _ in BH_CASES for c in ("DE", "SA")]
    pairs.append(("2025-08-14T12:00:00+02:00", "2025-08-18T12:00:00+02:00", "DE"))  # Assumption Day
    t = ibis.memtable(
        pa.table(
            {
                "i": list(range(len(pairs) + 1)),
                "s": [_utc(s) for s, _, _ in pairs] + [_utc(BH_CASES[0][0])],
                "e": [_utc(e) for _, e, _ in pairs] + [_utc(BH_CASES[0][1])],
                "c": [c for _, _, c in pairs] + [None],
            }
        )
    )
    hours = ibis.memtable(calendar_hours(project, d("2025-08-01"), d("2026-12-31")))
    out = with_business_hours(t, "s", "e", "c", hours).order_by("i").to_pyarrow().to_pylist()
    assert [r["business_hours"] for r in out[:-1]] == pytest.approx(
        [cal.business_hours_between(_utc(s), _utc(e), c) for s, e, c in pairs], abs=1e-12
    )
    assert out[-1]["business_hours"] is None  # no country: unknown, not 0
    # Bavaria, 08:30-17:00: Thu 14 Aug 12:00-17:00 (5 h), Fri 15 Aug off, Mon 18 Aug 08:30-12:00
    assert out[-2]["business_hours"] == pytest.approx(5 + 3.5)


def test_workdays_settings_are_validated() -> None:
    with pytest.raises(ValidationError, match="in quotes"):
        _project([{"code": "DE", "timezone": "Europe/Berlin"}], {"hours": {"start": "09:00", "end": 1020}})
    with pytest.raises(ValidationError, match="end after"):
        _project([{"code": "DE", "timezone": "Europe/Berlin"}], {"hours": "17:00-09:00"})
    with pytest.raises(ValidationError, match="not in countries"):
        _project([{"code": "DE", "timezone": "Europe/Berlin"}], {"countries": {"FR": {}}})


def test_run_writes_calendar_days_over_whole_months(tmp_path: Path) -> None:
    (tmp_path / "events.csv").write_text("user,ts\nu1,2026-11-18T10:00:00\nu1,2026-12-02T10:00:00\n")
    project = make_project(
        tmp_path,
        """
        name: calendar table
        timezone: Europe/Berlin
        countries:
          - {code: DE, subdivision: DE-SN, region: EMEA, timezone: Europe/Berlin, go_live: 2026-11-01}
        sources:
          - type: events
            path: events.csv
            timezone: Europe/Berlin
            mapping: {user: user, timestamp: ts}
            default_action: update
        """,
    )
    run(project, "2027-01-01T00:00:00+00:00")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select date, is_working_day, holiday_name, subdivision, week_start_date, iso_week, iso_year"
            " from calendar_days where country = 'DE' order by date"
        ).fetchall()
    finally:
        con.close()
    by_date = {r[0]: r[1:] for r in rows}
    assert min(by_date) <= d("2026-11-01") and max(by_date) >= d("2026-12-31")
    assert by_date[d("2026-11-18")] == (
        False,
        "Repentance and Prayer Day",
        "DE-SN",
        d("2026-11-16"),
        47,
        2026,
    )
    assert by_date[d("2026-12-28")][0] is True and by_date[d("2026-12-28")][4:] == (53, 2026)
    assert sum(1 for k, v in by_date.items() if k.month == 11 and v[0]) == 20
