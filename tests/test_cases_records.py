"""Cases about record sources: 15-csv-encoding-bom-semicolon (end to end through crm-records and
users sources) and 23-win-rate-cycle-time-states (shared/cases/<name>/EXPECTED.md)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from conftest import case_file, d, make_project, one, rows, run
from uptake.warehouse.store import Warehouse

CASE_15 = "15-csv-encoding-bom-semicolon"
CASE_23 = "23-win-rate-cycle-time-states"

FILES_15 = ("export_cp1252.csv", "export_utf8_bom.csv", "export_utf8_sep_hint.csv")
EXPECTED_15 = [
    ("1001", "Müller Bau GmbH", "Köln", "€"),
    ("1002", "Straßenbau Süd AG", "München", "€"),
    ("1003", "Weiß; Söhne KG", "Düsseldorf", "€"),
]


@pytest.mark.parametrize("file", FILES_15)
def test_case15_excel_exports_load_identically(tmp_path: Path, file: str) -> None:
    project = make_project(
        tmp_path,
        f"""
        name: case 15
        countries:
          - {{code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-01-01}}
        sources:
          - type: users
            name: people
            path: {file}
            mapping: {{user_id: Kontonummer, display_name: Firmenname, team: Ort, license: Währung}}
        """,
        [case_file(CASE_15, file)],
    )
    result = run(project, "2026-12-01T00:00:00+00:00")
    assert [(r.rows_read, r.rows_loaded, r.rows_quarantined) for r in result.loads] == [(3, 3, 0)]
    with Warehouse(project / result.project.warehouse.path) as wh:
        users = wh.table("users").to_pyarrow().sort_by("user_id")
    columns = ("user_id", "display_name", "team", "license")
    got = list(zip(*(users[c].to_pylist() for c in columns), strict=True))
    assert got == EXPECTED_15
    text = repr(got)
    assert not any(bad in text for bad in ("Ã", "Â", "\ufffd", "\ufeff", "\x80"))


@pytest.fixture(scope="module")
def case23(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    project = make_project(
        tmp_path_factory.mktemp("case23"),
        """
        name: case 23
        timezone: Europe/Berlin
        countries:
          - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-01-01}
        privacy:
          min_group_size: 1
        sources:
          - type: crm-records
            path: opportunities.csv
            timezone: Europe/Berlin
            mapping:
              record_id: opp_id
              owner: owner
              created: createdon
              closed: actual_close
              state: state
              status: status_reason
              value: amount_eur
              estimated_close: estimated_close
        """,
        [case_file(CASE_23, "opportunities.csv")],
    )
    return run(project, "2026-12-03T12:00:00+01:00").kpi_values


def test_case23_win_rate_november(case23: pa.Table) -> None:
    rate = one(case23, "win_rate", "month", "2026-11-01")
    assert (rate["numerator"], rate["denominator"], rate["value"]) == (3, 4, 0.75)  # O1, O3, O6 / +O2
    by_value = one(case23, "win_rate_by_value", "month", "2026-11-01")
    assert (by_value["numerator"], by_value["denominator"]) == (37000, 45000)
    assert round(by_value["value"] * 100, 1) == 82.2


def test_case23_closed_deals_count_once_in_their_final_period(case23: pa.Table) -> None:
    # O7 lost in October; O6's superseded September loss is not a September row any more.
    october = one(case23, "win_rate", "month", "2026-10-01")
    assert (october["numerator"], october["denominator"], october["value"]) == (0, 1, 0.0)
    assert sorted(r["period_start"] for r in rows(case23, "win_rate", "month")) == [
        d("2026-10-01"),
        d("2026-11-01"),
    ]
    total = one(case23, "win_rate", "total", None)  # the year: 3 won / (3 won + O2, O7 lost)
    assert (total["numerator"], total["denominator"], total["value"]) == (3, 5, 0.6)


def test_case23_sales_cycle_of_won_deals(case23: pa.Table) -> None:
    cycle = one(case23, "sales_cycle_days", "month", "2026-11-01")
    # O1 70, O3 97, O6 150 days (O6 from creation to its final win, not to its first loss)
    assert (cycle["value"], cycle["numerator"], cycle["denominator"]) == (97, 317, 3)
    assert round(cycle["numerator"] / cycle["denominator"], 1) == 105.7


def test_case23_overdue_open_deals_as_of_run_date(case23: pa.Table) -> None:
    overdue = one(case23, "overdue_open_deals", "total", None)
    # only O4 (open, estimated 2026-11-25); O5 is due later, O1/O2/O6 are closed
    assert (overdue["value"], overdue["numerator"], overdue["denominator"]) == (1, 1, 2)
