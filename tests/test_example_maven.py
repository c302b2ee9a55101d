"""The bundled Maven sales example end to end, checked against the raw CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import one, run
from uptake import pipeline
from uptake.warehouse.store import Warehouse

BUNDLED = Path(__file__).resolve().parents[1] / "src" / "uptake" / "bundled" / "maven-sales"
NOW = "2018-01-15T00:00:00-06:00"
TABLES = ("activity", "users", "records", "quarantine")


def _csv(name: str) -> list[dict[str, str]]:
    with (BUNDLED / "data" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def maven(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, pipeline.RunResult]]:
    folder = tmp_path_factory.mktemp("maven") / "maven-sales"
    shutil.copytree(BUNDLED, folder)
    yield folder, run(folder, NOW)


def test_win_rate_whole_period_from_raw_csv(maven: tuple[Path, pipeline.RunResult]) -> None:
    stages = [r["deal_stage"] for r in _csv("sales_pipeline.csv")]
    won, lost = stages.count("Won"), stages.count("Lost")
    assert (won, lost) == (4238, 2473)
    rate = one(maven[1].kpi_values, "win_rate", "total", None)
    assert (rate["numerator"], rate["denominator"], rate["value"]) == (won, won + lost, won / (won + lost))


def test_active_agents_per_regional_office(maven: tuple[Path, pipeline.RunResult]) -> None:
    office = {r["sales_agent"]: r["regional_office"] for r in _csv("sales_teams.csv")}
    expected: dict[str, set[str]] = {}
    for r in _csv("sales_pipeline.csv"):
        # an agent is active when a deal of theirs was engaged, won or lost (a dated meaningful event)
        if r["engage_date"] or (r["close_date"] and r["deal_stage"] in ("Won", "Lost")):
            expected.setdefault(office[r["sales_agent"]], set()).add(r["sales_agent"])
    kv = maven[1].kpi_values
    got = {
        region: one(kv, "active_users", "total", None, region=region)["value"] for region in sorted(expected)
    }
    assert got == {region: len(agents) for region, agents in sorted(expected.items())}
    assert sum(got.values()) == one(kv, "active_users", "total", None)["value"] == 30


def test_every_row_is_accounted_for(maven: tuple[Path, pipeline.RunResult]) -> None:
    loads = maven[1].loads
    assert loads
    for r in loads:
        assert r.rows_read == r.rows_loaded + r.rows_quarantined + r.rows_duplicate, r
    per_file = {}
    for r in loads:
        per_file[r.file] = per_file.get(r.file, 0) + r.rows_read
    pipeline_rows = len(_csv("sales_pipeline.csv"))
    assert per_file[str(maven[0] / "data" / "sales_pipeline.csv")] == pipeline_rows == 8800
    assert per_file[str(maven[0] / "data" / "sales_teams.csv")] == len(_csv("sales_teams.csv")) == 35


def test_running_twice_changes_no_table(maven: tuple[Path, pipeline.RunResult]) -> None:
    folder, first = maven

    def snapshot() -> dict[str, list[dict[str, object]]]:
        with Warehouse(folder / first.project.warehouse.path) as wh:
            return {
                t: sorted(wh.table(t).drop("load_id").to_pyarrow().to_pylist(), key=repr)
                if "load_id" in wh.table(t).columns
                else sorted(wh.table(t).to_pyarrow().to_pylist(), key=repr)
                for t in TABLES
            }

    before = snapshot()
    second = run(folder, NOW)
    assert snapshot() == before
    assert sum(r.rows_loaded for r in second.loads) == 0
    assert sum(r.rows_duplicate for r in second.loads) == sum(r.rows_loaded for r in first.loads)
    assert second.kpi_values.equals(first.kpi_values)


# -- data quality (issue 7) ------------------------------------------------------------------------

AS_OF = dt.date(2018, 1, 1)  # data_through in the example's uptake.yaml, America/Chicago


def _quality(kv: Any, kpi: str, region: str | None = None, feature: str | None = None) -> dict[str, Any]:
    found = [
        r
        for r in kv.to_pylist()
        if r["kpi"] == kpi
        and r["grain"] == "total"
        and r["region"] == region
        and r["country"] is None
        and r["team"] is None
        and r["feature"] == feature
        and r["phase"] is None
    ]
    assert len(found) == 1, (kpi, region, feature, len(found))
    return found[0]


def test_completeness_per_office_from_raw_csv(maven: tuple[Path, pipeline.RunResult]) -> None:
    office = {r["sales_agent"]: r["regional_office"] for r in _csv("sales_teams.csv")}
    complete: dict[str, list[bool]] = {}
    for r in _csv("sales_pipeline.csv"):  # required: account, created_on (engage_date), product
        ok = bool(r["account"] and r["engage_date"] and r["product"])
        complete.setdefault(office[r["sales_agent"]], []).append(ok)
    accounts = [bool(r["account"] and r["office_location"]) for r in _csv("accounts.csv")]
    kv = maven[1].kpi_values
    for region, oks in complete.items():
        got = _quality(kv, "record_completeness", region)
        assert (got["numerator"], got["denominator"]) == (sum(oks), len(oks))
    every = [ok for oks in complete.values() for ok in oks] + accounts
    got = _quality(kv, "record_completeness")
    assert (got["numerator"], got["denominator"], got["n_users"]) == (sum(every), len(every), 30)
    assert (got["numerator"], got["denominator"]) == (7297, 8885)
    acc = _quality(kv, "record_completeness", feature="account")
    assert (acc["numerator"], acc["denominator"], acc["n_users"], acc["suppressed"]) == (85, 85, None, False)
    snap = [r for r in kv.to_pylist() if r["kpi"] == "record_completeness_snapshot" and r["region"] is None]
    assert [(r["period_start"], r["numerator"], r["is_complete"]) for r in snap] == [(AS_OF, 7297, True)]


def test_most_often_missing_fields_from_raw_csv(maven: tuple[Path, pipeline.RunResult]) -> None:
    deals = _csv("sales_pipeline.csv")
    kv = maven[1].kpi_values
    for field, column in (("account", "account"), ("created_on", "engage_date")):
        got = _quality(kv, "missing_field_share", feature=f"opportunity.{field}")
        assert (got["numerator"], got["denominator"]) == (sum(not r[column] for r in deals), len(deals))
    shares = [r for r in kv.to_pylist() if r["kpi"] == "missing_field_share" and r["region"] is None]
    assert {r["feature"] for r in shares} == {"opportunity.account", "opportunity.created_on"}


def test_stale_open_deals_per_office_from_raw_csv(maven: tuple[Path, pipeline.RunResult]) -> None:
    office = {r["sales_agent"]: r["regional_office"] for r in _csv("sales_teams.csv")}
    cutoff = AS_OF - dt.timedelta(days=30)
    stale: dict[str, list[bool]] = {}
    for r in _csv("sales_pipeline.csv"):
        if r["deal_stage"] in ("Engaging", "Prospecting"):
            # the only human activity on an open deal is its engagement; none at all is stale too
            untouched = not r["engage_date"] or dt.date.fromisoformat(r["engage_date"]) < cutoff
            stale.setdefault(office[r["sales_agent"]], []).append(untouched)
    kv = maven[1].kpi_values
    for region, flags in stale.items():
        got = _quality(kv, "stale_record_share", region)
        assert (got["numerator"], got["denominator"]) == (sum(flags), len(flags))
    every = [f for flags in stale.values() for f in flags]
    got = _quality(kv, "stale_record_share")
    assert (got["numerator"], got["denominator"]) == (sum(every), len(every)) == (2072, 2089)


def test_duplicates_and_quality_score(maven: tuple[Path, pipeline.RunResult]) -> None:
    kv = maven[1].kpi_values
    dup = _quality(kv, "duplicate_record_rate")
    assert (dup["numerator"], dup["denominator"], dup["suppressed"]) == (0, 85, False)
    c, s = _quality(kv, "record_completeness"), _quality(kv, "stale_record_share")
    score = _quality(kv, "data_quality_score")
    expected = 100 * (0.4 * c["value"] + 0.3 * 1.0 + 0.3 * (1 - s["value"]))
    assert score["value"] == pytest.approx(expected, rel=1e-12)
    assert score["denominator"] == pytest.approx(1.0)
    card = json.loads((maven[0] / "out" / "scorecard.json").read_text(encoding="utf-8"))
    assert card["overall"]["data_quality_score"]["value"] == pytest.approx(expected, rel=1e-12)
