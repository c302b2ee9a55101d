"""entra-signins: Graph pages and portal downloads from files, and Graph live on the fake server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa

from connectors.fake_data import ENV, FakeMsalApp, signins
from connectors.fake_server import FakeCloud
from connectors.helpers import DATAVERSE, FORMATS, context, rows
from uptake.project.source_configs import DataverseAuditSource, EntraSigninsSource
from uptake.sources.dataverse.auth import MsalTokenProvider
from uptake.sources.dataverse.file_sources import DataverseAuditFileSource
from uptake.sources.entra import EntraSigninsReader, attach_user_ids
from uptake.warehouse.schema import SIGNINS


def read(path: str | Path) -> list:
    config = EntraSigninsSource(type="entra-signins", path=str(path))
    return list(EntraSigninsReader(config, "signins").chunks(context()))


def test_graph_pages_give_the_readme_figures() -> None:
    got = rows(read(FORMATS / "graph_signins_page*.json"), "signins")
    assert len(got) == 6
    dataverse = [r for r in got if r["is_dataverse"]]
    assert len(dataverse) == 5
    assert len([r for r in dataverse if r["success"]]) == 4
    failed = next(r for r in got if r["error_code"] == 50126)
    assert (failed["success"], failed["is_dataverse"], failed["country"]) == (False, True, "DE")
    assert failed["ts"] == dt.datetime(2024, 3, 4, 8, 14, 30)
    assert {r["resource_id"] for r in got} == {DATAVERSE, "00000003-0000-0000-c000-000000000000"}


def test_portal_csv_with_its_header_quirks() -> None:
    chunk = read(FORMATS / "entra_signins_portal_export.csv")[0]
    assert chunk.rows_read == 3 and not chunk.rejected
    got = chunk.rows.to_pylist()
    assert [
        (r["signin_id"][-1], r["is_dataverse"], r["success"], r["error_code"], r["country"]) for r in got
    ] == [
        ("1", True, True, 0, "DE"),
        ("2", True, False, 50126, "DE"),
        ("3", False, True, 0, "US"),
    ]
    assert got[0]["app_id"] == DATAVERSE  # read from "Application ID " (trailing space)
    assert got[0]["aad_object_id"] == "9d1e2f3a-4b5c-4d6e-8f70-8192a3b4c501"


def test_portal_json_download_is_a_plain_list(tmp_path: Path) -> None:
    (tmp_path / "InteractiveSignIns_2024-03-04.json").write_text(json.dumps(signins()))
    assert rows(read(tmp_path), "signins") == rows(read(FORMATS / "graph_signins_page*.json"), "signins")


def test_signins_join_users_through_the_entra_object_id() -> None:
    users_config = DataverseAuditSource(
        type="dataverse-audit", path=str(FORMATS / "dataverse_systemusers_page.json")
    )
    users = next(
        c for c in DataverseAuditFileSource(users_config, "u").chunks(context()) if c.table == "users"
    )
    chunk = read(FORMATS / "graph_signins_page1.json")[0]
    joined = attach_user_ids(chunk.rows, users.rows)
    by_upn = dict(zip(joined["user_principal_name"].to_pylist(), joined["user_id"].to_pylist(), strict=True))
    assert by_upn["alex.rivera@contoso-fake.example"] == "3f2a6c1e-5b7d-4e8a-9c0f-1a2b3c4d5e01"
    assert by_upn["jonas.becker@contoso-fake.example"] == "3f2a6c1e-5b7d-4e8a-9c0f-1a2b3c4d5e03"
    assert joined.schema.equals(SIGNINS.schema.append(pa.field("_row", pa.int64())))


def test_graph_live_pages_with_throttling_and_an_expired_token() -> None:
    with FakeCloud(signins=signins()) as cloud:
        cloud.faults = {2: "429", 3: "expire", 5: "drop"}
        config = EntraSigninsSource(type="entra-signins", url=f"{cloud.url}/v1.0", page_size=2)
        waits: list[float] = []
        tokens = MsalTokenProvider(
            config, "https://graph.microsoft.com/.default", ENV, lambda **kw: FakeMsalApp(cloud, **kw)
        )
        source = EntraSigninsReader(config, "graph", tokens, sleep=waits.append)
        chunks = list(source.chunks(context(http=lambda: httpx.Client(timeout=2))))
        first_url = cloud.log[0]
    assert rows(chunks, "signins") == rows(read(FORMATS / "graph_signins_page*.json"), "signins")
    assert waits == [7.0, 1.0] and cloud.tokens_issued == 2
    assert f"resourceId eq '{DATAVERSE}'" in httpx.URL(first_url.split(" ", 1)[1]).params["$filter"]
    state: dict[str, Any] = source.next_state()["signins"]
    assert state["last"] == "2024-03-04T16:19:58Z" and state["resume"] is None
