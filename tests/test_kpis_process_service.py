"""Lead and case process KPIs (uptake.kpis.process_service) on small hand-built exports.

DE = Europe/Berlin (CET +1, CEST +2 from 2026-03-29), US = America/New_York (EDT -4 from 2026-03-08).
Go-live 2026-03-02 in both: go_live phase until 03-15, hypercare 03-16..04-26. Working hours are
the default 09:00-17:00 local, Monday-Friday without public holidays (Good Friday 04-03 and Easter
Monday 04-06 are holidays in DE, not in the US).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
import pytest

from conftest import make_project, one, run
from uptake.pipeline import RunResult

USERS = """user_id,country,team
u1,DE,A
u2,DE,B
u3,US,C
"""

# L1 has a quarter second: exact days are 3.5 - 0.25 s (truncation to whole seconds would give 3.5).
# L6 is qualified at 22:30Z on 03-31 = 00:30 on 04-01 in Berlin: an April lead in DE.
# L9 goes from Fri 10:00 CET to Mon 10:00 CEST: 3 calendar days (2 days 23 hours elapsed).
LEADS = """leadid,owner,createdon,closedon,statecode
L1,u1,2026-03-02T08:00:00.250Z,2026-03-05T20:00:00Z,1
L2,u2,2026-03-01T00:00:00Z,2026-03-12T06:00:00Z,1
L3,u1,2026-03-03T10:00:00Z,2026-03-20T10:00:00Z,2
L8,u2,2026-03-20T00:00:00Z,2026-03-25T00:00:00Z,1
L9,u2,2026-03-27T09:00:00Z,2026-03-30T08:00:00Z,1
L4,u3,2026-03-31T12:00:00Z,2026-04-02T00:00:00Z,1
L6,u1,2026-03-31T10:30:00Z,2026-03-31T22:30:00Z,1
L7,u3,2026-04-01T15:00:00Z,2026-04-10T15:00:00Z,2
L5,u2,2026-03-04T09:00:00Z,,0
"""

# Local times: C1 Fri 03-06 16:00 CET -> first response 16:30 -> resolved Mon 03-09 10:00 CET.
# C2 Fri 03-27 12:00 CET -> first response Sat 03-28 10:00 CET -> resolved Mon 03-30 12:00 CEST.
# C3 Wed 04-01 14:00 EDT -> 15:00 EDT -> resolved Fri 04-03 11:00 EDT (a US working day).
# C4 canceled; C5 open; C6 Thu 04-02 15:00 CEST -> 16:00 -> resolved Tue 04-07 10:00 CEST (over
# Easter); C7 resolved without a resolution time (closed time used); C8 resolved before created.
CASES = """incidentid,owner,createdon,firstresponseon,resolvedon,closedon,statecode
C1,u1,2026-03-06T15:00:00Z,2026-03-06T15:30:00Z,2026-03-09T09:00:00Z,2026-03-09T09:00:00Z,1
C2,u2,2026-03-27T11:00:00Z,2026-03-28T09:00:00Z,2026-03-30T10:00:00Z,2026-03-30T10:00:00Z,1
C3,u3,2026-04-01T18:00:00Z,2026-04-01T19:00:00Z,2026-04-03T15:00:00Z,2026-04-03T15:00:00Z,1
C4,u1,2026-03-10T09:00:00Z,2026-03-10T10:00:00Z,,2026-03-11T09:00:00Z,2
C5,u2,2026-03-31T08:00:00Z,,,,0
C6,u1,2026-04-02T13:00:00Z,2026-04-02T14:00:00Z,2026-04-07T08:00:00Z,2026-04-07T08:00:00Z,1
C7,u3,2026-04-10T14:00:00Z,,,2026-04-10T20:00:00Z,1
C8,u2,2026-03-12T10:00:00Z,,2026-03-12T09:00:00Z,2026-03-12T09:00:00Z,1
"""

# O1 is created half a second after 08:00: its cycle is 10 days - 0.5 s, not 10 days.
OPPORTUNITIES = """opportunityid,owner,createdon,closedate,statecode
O1,u1,2026-03-02T08:00:00.500Z,2026-03-12T08:00:00Z,1
"""

PROJECT = """
name: service
timezone: Europe/Berlin
countries:
  - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-03-02}
  - {code: US, region: AMER, timezone: America/New_York, go_live: 2026-03-02}
privacy:
  min_group_size: 1
sources:
  - type: users
    path: users.csv
    mapping: {user_id: user_id, country: country, team: team}
  - type: crm-records
    name: leads
    entity: lead
    path: leads.csv
    mapping: {record_id: leadid, owner: owner, created: createdon, closed: closedon, state: statecode}
    state_map: {"0": open, "1": qualified, "2": disqualified}
  - type: crm-records
    name: cases
    entity: incident
    path: cases.csv
    mapping:
      record_id: incidentid
      owner: owner
      created: createdon
      first_response: firstresponseon
      resolved: resolvedon
      closed: closedon
      state: statecode
    state_map: {"0": open, "1": resolved, "2": canceled}
  - type: crm-records
    name: opportunities
    path: opportunities.csv
    mapping: {record_id: opportunityid, owner: owner, created: createdon, closed: closedate, state: statecode}
    state_map: {"0": open, "1": won, "2": lost}
"""

EPS = 0.25 / 86_400  # L1's quarter second, in days


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    folder = tmp_path_factory.mktemp("service")
    files = {"users.csv": USERS, "leads.csv": LEADS, "cases.csv": CASES, "opportunities.csv": OPPORTUNITIES}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    make_project(folder, PROJECT)
    return run(folder, "2026-06-01T00:00:00+00:00")


@pytest.fixture(scope="module")
def kpis(result: RunResult) -> pa.Table:
    return result.kpi_values


def _value(table: pa.Table, kpi: str, grain: str, start: str | None, **where: Any) -> Any:
    return one(table, kpi, grain, start, **where)["value"]


def _stat(table: pa.Table, kpi: str, grain: str, start: str | None, **where: Any) -> tuple[Any, ...]:
    r = one(table, kpi, grain, start, **where)
    return r["value"], r["numerator"], r["denominator"], r["n_users"]


# Segments of a row; month and quarter rows of a country carry the phase of the period start
# (March starts before the go-live on 03-02: readiness; April: hypercare).
DE, US = {"region": "EMEA", "country": "DE"}, {"region": "AMER", "country": "US"}
DE_MAR = {**DE, "phase": "readiness"}
DE_APR, US_APR = {**DE, "phase": "hypercare"}, {**US, "phase": "hypercare"}


def test_lead_conversion_counts_closed_leads_once_in_the_local_month_of_closing(kpis: pa.Table) -> None:
    # March: L1, L2, L8, L9 qualified, L3 disqualified; L5 (open) counts nowhere.
    assert _stat(kpis, "lead_conversion_rate", "month", "2026-03-01") == (0.8, 4, 5, 2)
    # April: L4, L6 (00:30 on 04-01 in Berlin, still March in UTC) qualified, L7 disqualified.
    assert _stat(kpis, "lead_conversion_rate", "month", "2026-04-01") == (pytest.approx(2 / 3), 2, 3, 2)
    assert _stat(kpis, "lead_conversion_rate", "month", "2026-04-01", **DE_APR) == (1.0, 1, 1, 1)
    assert _stat(kpis, "lead_conversion_rate", "month", "2026-04-01", **US_APR) == (0.5, 1, 2, 1)
    assert _stat(kpis, "lead_conversion_rate", "quarter", "2026-01-01") == (0.8, 4, 5, 2)
    assert _stat(kpis, "lead_conversion_rate", "total", None) == (0.75, 6, 8, 3)
    # u1 (team A) closed L1 and L3 in March and L6 in April
    assert _stat(kpis, "lead_conversion_rate", "total", None, **DE, team="A") == (
        pytest.approx(2 / 3),
        2,
        3,
        1,
    )
    assert _stat(kpis, "lead_conversion_rate", "total", None, phase="go_live") == (1.0, 2, 2, 2)  # L1, L2


def test_lead_qualification_days_exact_calendar_days(kpis: pa.Table) -> None:
    # u1 (team A) qualified only L1 in March: 3.5 days less a quarter second, not truncated to 3.5
    value, num, den, n = _stat(kpis, "lead_qualification_days", "month", "2026-03-01", **DE_MAR, team="A")
    assert (value, num, den, n) == (
        pytest.approx(3.5 - EPS, abs=1e-12),
        pytest.approx(3.5 - EPS, abs=1e-12),
        1,
        1,
    )
    assert value != 3.5
    # u2 (team B): L2 11.25, L8 5 and L9 3 calendar days over the change to summer time (not 2.958)
    assert _stat(kpis, "lead_qualification_days", "month", "2026-03-01", **DE_MAR, team="B") == (
        5.0,
        19.25,
        3,
        1,
    )
    value, num, den, n = _stat(kpis, "lead_qualification_days", "month", "2026-03-01")
    assert (value, num, den, n) == (
        pytest.approx(4.25 - EPS / 2, abs=1e-12),  # {3, 3.5 - eps, 5, 11.25}
        pytest.approx(22.75 - EPS, abs=1e-12),
        4,
        2,
    )
    assert _stat(kpis, "lead_qualification_days", "month", "2026-04-01") == (1.0, 2.0, 2, 2)  # {0.5, 1.5}
    assert _stat(kpis, "lead_qualification_days", "month", "2026-04-01", **US_APR) == (1.5, 1.5, 1, 1)
    value, num, den, n = _stat(kpis, "lead_qualification_days", "total", None)
    assert (value, num, den, n) == (
        pytest.approx(3.25 - EPS / 2, abs=1e-12),  # {0.5, 1.5, 3, 3.5 - eps, 5, 11.25}
        pytest.approx(24.75 - EPS, abs=1e-12),
        6,
        3,
    )
    # phases at total: L1 (03-05) and L2 (03-12) in go_live; L8, L9, L4, L6 in hypercare (from 03-16)
    assert _stat(kpis, "lead_qualification_days", "total", None, phase="go_live")[2:] == (2, 2)
    assert _stat(kpis, "lead_qualification_days", "total", None, phase="hypercare") == (2.25, 10.0, 4, 3)


def test_case_resolution_calendar_and_business_hours(kpis: pa.Table) -> None:
    # C1 Fri 16:00 -> Mon 10:00 with 09:00-17:00 working hours: 66 calendar hours and
    # 1 (Fri 16-17) + 1 (Mon 9-10) = 2 business hours.
    # C2 over the change to summer time: Fri 12:00 CET -> Mon 12:00 CEST = 71 h; business 5 + 3 = 8.
    a, b = {**DE_MAR, "team": "A"}, {**DE_MAR, "team": "B"}
    assert _stat(kpis, "case_resolution_hours", "month", "2026-03-01", **a) == (66.0, 66.0, 1, 1)
    assert _stat(kpis, "case_resolution_business_hours", "month", "2026-03-01", **a) == (2.0, 2.0, 1, 1)
    assert _stat(kpis, "case_resolution_hours", "month", "2026-03-01", **b) == (71.0, 71.0, 1, 1)
    assert _stat(kpis, "case_resolution_business_hours", "month", "2026-03-01", **b) == (8.0, 8.0, 1, 1)
    assert _stat(kpis, "case_resolution_hours", "month", "2026-03-01") == (68.5, 137.0, 2, 2)
    assert _stat(kpis, "case_resolution_business_hours", "month", "2026-03-01") == (5.0, 10.0, 2, 2)
    # April: C3 45 h / 3 + 8 + 2 = 13 bh (Good Friday works in the US), C6 115 h / 2 + 1 = 3 bh (Good
    # Friday and Easter Monday off in DE), C7 6 h / 6 bh (closed time, no resolution time).
    assert _stat(kpis, "case_resolution_hours", "month", "2026-04-01") == (45.0, 166.0, 3, 2)
    assert _stat(kpis, "case_resolution_business_hours", "month", "2026-04-01") == (6.0, 22.0, 3, 2)
    assert _stat(kpis, "case_resolution_business_hours", "month", "2026-04-01", **DE_APR) == (3.0, 3.0, 1, 1)
    assert _stat(kpis, "case_resolution_business_hours", "month", "2026-04-01", **US_APR) == (9.5, 19.0, 2, 1)
    # C4 (canceled), C5 (open) and C8 (resolved before it was created) never count.
    assert _stat(kpis, "case_resolution_hours", "total", None) == (66.0, 303.0, 5, 3)
    assert _stat(kpis, "case_resolution_business_hours", "total", None) == (6.0, 32.0, 5, 3)
    assert _stat(kpis, "case_resolution_hours", "total", None, **DE) == (71.0, 252.0, 3, 2)
    assert _stat(kpis, "case_resolution_hours", "quarter", "2026-04-01", region="AMER") == (25.5, 51.0, 2, 1)
    assert _stat(kpis, "case_resolution_hours", "total", None, phase="go_live") == (66.0, 66.0, 1, 1)
    assert _stat(kpis, "case_resolution_hours", "total", None, phase="hypercare") == (58.0, 237.0, 4, 3)


def test_case_resolution_p90_interpolates_between_ordered_values(kpis: pa.Table) -> None:
    assert _stat(kpis, "case_resolution_hours_p90", "month", "2026-03-01") == (
        pytest.approx(70.5),
        None,
        2,
        2,
    )
    assert _value(kpis, "case_resolution_business_hours_p90", "month", "2026-03-01") == pytest.approx(7.4)
    assert _value(kpis, "case_resolution_hours_p90", "month", "2026-04-01") == pytest.approx(101.0)
    assert _value(kpis, "case_resolution_business_hours_p90", "month", "2026-04-01") == pytest.approx(11.6)
    assert _value(kpis, "case_resolution_hours_p90", "total", None) == pytest.approx(97.4)
    assert _value(kpis, "case_resolution_business_hours_p90", "total", None) == pytest.approx(11.0)


def test_case_first_response_hours_in_the_month_of_the_response(kpis: pa.Table) -> None:
    # March: C1 0.5 h (0.5 bh), C4 1 h (1 bh; canceled later, but it was answered), C2 22 h over a
    # Saturday morning (5 bh). April: C3 and C6, 1 h each.
    assert _stat(kpis, "case_first_response_hours", "month", "2026-03-01") == (1.0, 23.5, 3, 2)
    assert _stat(kpis, "case_first_response_business_hours", "month", "2026-03-01") == (1.0, 6.5, 3, 2)
    assert _value(kpis, "case_first_response_hours_p90", "month", "2026-03-01") == pytest.approx(17.8)
    assert _value(kpis, "case_first_response_business_hours_p90", "month", "2026-03-01") == pytest.approx(4.2)
    assert _stat(kpis, "case_first_response_hours", "month", "2026-04-01") == (1.0, 2.0, 2, 2)
    assert _stat(kpis, "case_first_response_hours", "total", None, **DE, team="B") == (22.0, 22.0, 1, 1)
    assert _stat(kpis, "case_first_response_business_hours", "total", None, **DE, team="B") == (
        5.0,
        5.0,
        1,
        1,
    )


def test_sales_cycle_days_are_exact_below_a_second(kpis: pa.Table) -> None:
    value = _value(kpis, "sales_cycle_days", "total", None)
    assert value == pytest.approx(10 - 0.5 / 86_400, abs=1e-12)
    assert value != 10.0  # whole-second epochs would truncate the half second away


def test_rows_have_the_catalog_units_and_family(kpis: pa.Table) -> None:
    r = one(kpis, "case_resolution_business_hours", "total", None)
    assert (r["family"], r["unit"], r["definition"]) == (
        "process",
        "hours",
        "case_resolution_business_hours@1",
    )
    assert one(kpis, "lead_conversion_rate", "total", None)["unit"] == "share"
    assert one(kpis, "lead_qualification_days", "total", None)["unit"] == "days"


def test_qualified_leads_and_resolved_cases_become_activity(result: RunResult) -> None:
    path = result.project_dir / result.project.warehouse.path
    with duckdb.connect(str(path), read_only=True) as con:
        got = con.execute(
            "select action, entity, count(*) from activity where action in ('qualify', 'resolve') "
            "group by all order by all"
        ).fetchall()
        resolve_c7 = con.execute("select ts from activity where event_id = 'incident:C7:resolve'").fetchall()
    assert got == [("qualify", "lead", 6), ("resolve", "incident", 6)]  # L1, L2, L4, L6, L8, L9; C1-3, C6-8
    assert [str(r[0]) for r in resolve_c7] == ["2026-04-10 20:00:00"]
