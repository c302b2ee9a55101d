"""ERP source → outcomes (currency conversion, quarantine), outcome KPIs, impact output and report."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import d, make_project, rows, run
from uptake.pipeline import RunResult

PROJECT = """
name: erp
timezone: Europe/Berlin
countries:
  - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-11-02}
  - {code: GB, region: EMEA, timezone: Europe/London, go_live: 2026-11-09}
privacy: {min_group_size: 1}
sources:
  - type: events
    path: events.csv
    mapping: {user: user, timestamp: ts, event_id: id, action: action, country: country}
  - type: erp
    path: erp.csv
    mapping: {id: Invoice, date: Date, user: Rep, country: Country, currency: Cur, amount: Net,
              kind: Kind, deals_won: Deals}
    currency: EUR
    rates: {GBP: 1.2}
    kind_map: {XS: cross_sell, UPS: up_sell}
"""
EVENTS = "id,user,ts,action,country\n1,a,2026-11-03T10:00:00Z,create,DE\n2,b,2026-11-10T10:00:00Z,create,GB\n"
ERP = """Invoice,Date,Rep,Country,Cur,Net,Kind,Deals
1,2026-11-03,a,DE,EUR,100,XS,1
2,2026-11-04,c,DE,,50,new,0
3,2026-11-05,b,GB,GBP,100,ups,2
4,2026-11-05,b,GB,CHF,100,,0
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult]:
    folder = tmp_path_factory.mktemp("erp")
    (folder / "events.csv").write_text(EVENTS)
    (folder / "erp.csv").write_text(ERP)
    out = run(make_project(folder, PROJECT), "2026-12-15T12:00:00+01:00")
    return folder, out


def test_amounts_are_converted_and_unknown_currencies_quarantined(result: tuple[Path, RunResult]) -> None:
    _, out = result
    kv = out.kpi_values
    (total,) = rows(kv, "revenue", "month")
    assert total["value"] == pytest.approx(100 + 50 + 120)  # 100 GBP at 1.2; CHF has no rate
    (gb,) = rows(kv, "revenue", "month", region="EMEA", country="GB", phase="readiness")
    assert gb["value"] == pytest.approx(120)
    (de,) = rows(kv, "revenue_per_sales_user", "month", region="EMEA", country="DE", phase="readiness")
    assert (de["numerator"], de["denominator"], de["n_users"]) == (150, 2, 2)
    loads = out.loads
    assert sum(r.rows_quarantined for r in loads if r.table == "outcomes") == 1


def test_kinds_deals_and_phases(result: tuple[Path, RunResult]) -> None:
    _, out = result
    kv = out.kpi_values
    (xs,) = rows(kv, "cross_sell_deals", "month")
    (ups,) = rows(kv, "up_sell_deals", "month")
    assert (xs["value"], ups["value"]) == (1, 1)
    (deals,) = rows(kv, "deals_won_per_sales_user", "month")
    assert deals["value"] == pytest.approx(3 / 3)
    assert deals["period_start"] == d("2026-11-01")
    (gb,) = rows(kv, "revenue_per_sales_user_week", "total", region="EMEA", country="GB", phase="readiness")
    (de,) = rows(kv, "revenue_per_sales_user_week", "total", region="EMEA", country="DE", phase="go_live")
    assert (gb["phase"], gb["value"]) == ("readiness", pytest.approx(120))
    assert (de["phase"], de["value"], de["denominator"]) == ("go_live", pytest.approx(75), 2)


def test_impact_file_and_report_section(result: tuple[Path, RunResult]) -> None:
    folder, _ = result
    impact = pq.read_table(folder / "out" / "impact.parquet").to_pylist()
    assert impact[0]["estimate"] == "not_estimable"
    assert impact[0]["verdict"] == "not_estimable"
    html = (folder / "out" / "report.html").read_text(encoding="utf-8")
    assert "Business impact" in html and "Parallel trends" in html
