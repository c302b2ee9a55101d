"""Done-when of the Dynamics 365 connectors: the example project runs, and the same audit data
loaded live (fake server, with faults), from a Synapse Link folder and from the JSON pages gives
identical canonical rows and kpi_values, with exact row accounting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pyarrow as pa
import pytest

from connectors.fake_data import ENV, FakeMsalApp, tables
from connectors.fake_server import FakeCloud
from connectors.helpers import FORMATS, PROJECT, SHARED, context, webapi_audit_rows, write_synapse_folder
from uptake import pipeline
from uptake.kpis import engine
from uptake.project.source_configs import DataverseApiSource, DataverseAuditSource
from uptake.sources.base import Source
from uptake.sources.dataverse.api_source import DataverseWebApiSource
from uptake.sources.dataverse.auth import MsalTokenProvider
from uptake.sources.dataverse.file_sources import DataverseAuditFileSource
from uptake.warehouse.schema import CANONICAL
from uptake.warehouse.store import Warehouse

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "dataverse-fixtures"
NOW = dt.datetime(2024, 3, 5, tzinfo=dt.UTC)


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.slow  # uptake run computes every KPI (~13 s)
def test_example_project_runs_with_the_readme_figures(tmp_path: Path) -> None:
    text = (EXAMPLE / "uptake.yaml").read_text().replace("../../../shared", str(SHARED))
    (tmp_path / "uptake.yaml").write_text(text)
    result = pipeline.run(tmp_path, clock=lambda: NOW)
    assert result.kpi_values.num_rows > 0 and (tmp_path / "out" / "report.html").exists()
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    assert scalar(con, "select count(*) from activity") == 9
    assert scalar(con, "select count(*) from activity where action = 'access'") == 3
    assert scalar(con, "select count(*) from activity where action = 'login'") == 0
    assert scalar(con, "select count(distinct user_id) from activity") == 3
    assert scalar(con, "select count(*) from signins where is_dataverse") == 5
    assert scalar(con, "select count(*) from signins where is_dataverse and success") == 4
    assert scalar(con, "select count(*) from users where is_human") == 3
    read, loaded, quarantined, duplicate = (
        con.execute(
            "select sum(rows_read), sum(rows_loaded), sum(rows_quarantined), sum(rows_duplicate) "
            "from load_log"
        ).fetchone()
        or ()
    )
    assert (read, loaded, quarantined, duplicate) == (28, 23, 1, 4)  # Synapse repeats 4 rows, deletes 1
    assert con.execute("select reason from quarantine").fetchall() == [
        ("deleted at source (versionnumber 950117)",)
    ]


def load(
    folder: Path, sources: Iterable[Source], ctx_kw: dict[str, Any] | None = None, kpis: bool = False
) -> tuple[dict[str, pa.Table], pa.Table | None, list[int]]:
    """Loads sources into a fresh warehouse; returns its canonical tables (sorted), kpi_values (when
    asked: the KPI engine takes seconds) and rows read / loaded / quarantined / duplicate."""
    with Warehouse(folder / "wh.duckdb") as wh:
        load_id = wh.new_load_id()
        totals = [0, 0, 0, 0]
        for source in sources:
            for chunk in source.chunks(context(**(ctx_kw or {}))):
                r = wh.load(chunk, source.name, load_id)
                for i, n in enumerate((r.rows_read, r.rows_loaded, r.rows_quarantined, r.rows_duplicate)):
                    totals[i] += n
        canonical = {
            name: wh.table(name).order_by(list(spec.key)).to_pyarrow()
            for name, spec in CANONICAL.items()
            if name not in ("load_log", "quarantine")
        }
        values = engine.compute(wh, PROJECT, NOW) if kpis else None
    if values is not None:
        values = values.sort_by(
            [(c, "ascending") for c in values.column_names if c not in ("value", "numerator", "denominator")]
        )
    return canonical, values, totals


def files(path: Path | str) -> DataverseAuditFileSource:
    return DataverseAuditFileSource(DataverseAuditSource(type="dataverse-audit", path=str(path)), "dataverse")


def three_routes(tmp_path: Path, kpis: bool) -> list[tuple[dict[str, pa.Table], pa.Table | None, list[int]]]:
    """The fixture's 9 audit rows and 4 users: from the JSON pages; from a Synapse Link folder (every
    row written twice, append-only) plus the users page; live from the fake server with faults."""
    users_page = FORMATS / "dataverse_systemusers_page.json"
    from_json = load(tmp_path / "json", [files(FORMATS)], kpis=kpis)
    lake = write_synapse_folder(tmp_path / "lake", webapi_audit_rows(), versions=2)
    from_lake = load(tmp_path / "lake-wh", [files(lake), files(users_page)], kpis=kpis)
    with FakeCloud(tables=tables()) as cloud:
        cloud.faults = {2: "429", 3: "drop", 4: "expire", 6: "503"}
        config = DataverseApiSource(
            type="dataverse-api", url=cloud.url, page_size=2, tables=["audit", "systemuser"]
        )
        tokens = MsalTokenProvider(config, "scope", ENV, lambda **kw: FakeMsalApp(cloud, **kw))
        live = DataverseWebApiSource(config, "dataverse", tokens, sleep=lambda s: None)
        from_live = load(tmp_path / "live", [live], {"http": lambda: httpx.Client(timeout=2)}, kpis=kpis)
    return [from_json, from_lake, from_live]


def test_live_synapse_and_json_give_identical_canonical_rows(tmp_path: Path) -> None:
    (json_tables, _, json_totals), (lake_tables, _, lake_totals), (live_tables, _, live_totals) = (
        three_routes(tmp_path, kpis=False)
    )
    assert json_tables["activity"].num_rows == 9 and json_tables["users"].num_rows == 4
    for name, table in json_tables.items():
        assert lake_tables[name].equals(table), name
        assert live_tables[name].equals(table), name
    assert json_totals == [13, 13, 0, 0]  # 9 audit rows + 4 users
    assert live_totals == [13, 13, 0, 0]  # the faults lost and doubled nothing
    assert lake_totals == [9 * 2 + 4, 13, 9, 0]  # append-only: each row twice, 9 superseded versions


@pytest.mark.slow  # the KPI engine takes ~12 s per warehouse, even on 13 rows
def test_live_synapse_and_json_give_identical_kpi_values(tmp_path: Path) -> None:
    (_, json_kpis, _), (_, lake_kpis, _), (_, live_kpis, _) = three_routes(tmp_path, kpis=True)
    assert json_kpis is not None and json_kpis.num_rows > 0
    assert json_kpis.equals(lake_kpis) and json_kpis.equals(live_kpis)


@pytest.mark.parametrize("table", ["activity", "users"])
def test_loading_twice_is_idempotent(tmp_path: Path, table: str) -> None:
    with Warehouse(tmp_path / "wh.duckdb") as wh:
        for _ in range(2):
            for chunk in files(FORMATS).chunks(context()):
                wh.load(chunk, "dataverse", wh.new_load_id())
        assert int(wh.table(table).count().execute()) == {"activity": 9, "users": 4}[table]
