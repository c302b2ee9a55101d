"""The bundled Maven sales example end to end, checked against the raw CSV files."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

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
