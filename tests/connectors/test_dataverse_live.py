"""The live dataverse-api source against a fake Dataverse on 127.0.0.1 (real HTTP, injected faults)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_plus

import httpx
import pytest

from connectors.fake_data import ENV, FakeMsalApp, audit, tables
from connectors.fake_server import FakeCloud
from connectors.helpers import FORMATS, context, rows
from uptake.project.source_configs import DataverseApiSource, DataverseAuditSource
from uptake.sources.base import Chunk, SourceError
from uptake.sources.dataverse.api_source import DataverseWebApiSource
from uptake.sources.dataverse.auth import MsalTokenProvider
from uptake.sources.dataverse.file_sources import DataverseAuditFileSource


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    with FakeCloud(tables=tables()) as fake:
        yield fake


def source(cloud: FakeCloud, waits: list[float], **options: Any) -> DataverseWebApiSource:
    config = DataverseApiSource.model_validate(
        {"type": "dataverse-api", "url": cloud.url, "page_size": 2, **options}
    )
    tokens = MsalTokenProvider(config, f"{cloud.url}/.default", ENV, lambda **kw: FakeMsalApp(cloud, **kw))
    return DataverseWebApiSource(config, "live", tokens, sleep=waits.append)


def pull(src: DataverseWebApiSource, state: dict[str, Any] | None = None) -> list[Chunk]:
    return list(src.chunks(context(state, http=lambda: httpx.Client(timeout=0.3))))


def file_activity() -> list[dict[str, Any]]:
    config = DataverseAuditSource(type="dataverse-audit", path=str(FORMATS))
    return rows(DataverseAuditFileSource(config, "files").chunks(context()), "activity")


def test_live_rows_equal_file_rows_despite_throttling_expiry_drops_and_timeouts(cloud: FakeCloud) -> None:
    cloud.faults = {2: "429", 4: "drop", 5: "expire", 7: "503", 9: "slow"}
    waits: list[float] = []
    chunks = pull(source(cloud, waits, tables=["audit"]))
    activity = rows(chunks, "activity")
    assert activity == file_activity()
    assert len({r["event_id"] for r in activity}) == 9
    assert sum(c.rows_read for c in chunks if c.table == "activity") == 9
    assert waits == [7.0, 1.0, 3.0, 1.0]  # Retry-After honoured; backoff after the drop and the time-out
    assert cloud.tokens_issued == 2  # the expired token was replaced once
    outcomes = [line.split(" ")[0] for line in cloud.log]
    assert outcomes == [
        "ok",
        "429",
        "ok",
        "drop",
        "expire",
        "ok",
        "503",
        "ok",
        "slow",
        "ok",
    ]  # 5 pages, once each


def test_incremental_cursor_rereads_the_overlap_and_drops_rows_already_loaded(cloud: FakeCloud) -> None:
    everything = audit()
    cloud.tables["audits"] = everything[:6]  # up to 2024-03-04T10:05:19Z
    first_source = source(cloud, [], tables=["audit"], overlap_minutes=60)
    first = pull(first_source)
    state = json.loads(json.dumps(first_source.next_state()))
    assert state["audit"]["last"] == "2024-03-04T10:05:19Z" and state["audit"]["resume"] is None
    assert sorted(state["audit"]["seen"]) == [f"a1d00000-0000-4000-8000-00000000000{i}" for i in (4, 5, 6)]
    late = {
        **everything[6],
        "auditid": "a1d00000-0000-4000-8000-000000000010",
        "createdon": "2024-03-04T09:50:00Z",
    }
    cloud.tables["audits"] = [*everything, late]
    second_source = source(cloud, [], tables=["audit"], overlap_minutes=60)
    asked = len(cloud.log)
    second = pull(second_source, state)
    assert "createdon ge 2024-03-04T09:05:19Z" in unquote_plus(cloud.log[asked])  # cursor − 60 min
    new = rows(second, "activity")
    assert sorted(r["event_id"][-2:] for r in new) == ["07", "08", "09", "10"]  # the late row is not lost
    assert second_source.next_state()["audit"]["skipped_last_run"] == 3  # 4, 5, 6 re-read, dropped
    assert len(rows(first, "activity")) + len(new) == 10


def test_an_interrupted_pull_resumes_where_it_stopped(cloud: FakeCloud) -> None:
    cloud.faults = {3: "503", 4: "503"}
    src = source(cloud, [], tables=["audit"], max_retries=1)
    got: list[Chunk] = []
    with pytest.raises(SourceError, match="gave up after 1 retries; last failure: HTTP 503"):
        for chunk in src.chunks(context(http=lambda: httpx.Client(timeout=1))):
            got.append(chunk)  # the loader loads each chunk and saves next_state()
            saved = json.loads(json.dumps(src.next_state()))
    assert len(rows(got, "activity")) == 4 and "offset=4" in unquote_plus(saved["audit"]["resume"])
    resumed = pull(source(cloud, []), saved | {})
    both = rows(got, "activity") + rows(resumed, "activity")
    assert sorted(r["event_id"] for r in both) == sorted(r["event_id"] for r in file_activity())


def test_missing_audit_privilege_is_a_clear_error(cloud: FakeCloud) -> None:
    cloud.forbidden = {"audits"}
    with pytest.raises(SourceError) as info:
        pull(source(cloud, [], tables=["audit"]))
    assert "HTTP 403" in str(info.value) and "missing prvReadAuditSummary privilege" in str(info.value)
    assert "View Audit Summary" in str(info.value)


def test_a_wrong_secret_and_a_rejected_token_are_clear_errors(cloud: FakeCloud) -> None:
    config = DataverseApiSource(type="dataverse-api", url=cloud.url)
    bad = {**ENV, "UPTAKE_CLIENT_SECRET": "wrong"}
    tokens = MsalTokenProvider(config, "scope", bad, lambda **kw: FakeMsalApp(cloud, **kw))
    with pytest.raises(SourceError, match="invalid_client: AADSTS7000215"):
        tokens.token()

    class Stale:
        def token(self, refresh: bool = False) -> str:
            return "tok-never-issued"

    src = DataverseWebApiSource(config, "live", Stale(), sleep=lambda s: None)
    with pytest.raises(SourceError, match="HTTP 401: the token was rejected"):
        pull(src)


def test_missing_environment_variable_names_it() -> None:
    config = DataverseApiSource(type="dataverse-api", url="https://org.crm4.dynamics.com")
    with pytest.raises(SourceError, match="UPTAKE_TENANT_ID is not set"):
        MsalTokenProvider(config, "scope", {"UPTAKE_CLIENT_ID": "x", "UPTAKE_CLIENT_SECRET": "y"})


def test_users_teams_roles_and_records_come_from_the_api(cloud: FakeCloud) -> None:
    src = source(cloud, [], business_unit_countries={"Contoso Fake Ltd": "DE"})
    chunks = pull(src)
    users = {u["display_name"]: u for u in rows(chunks, "users")}
    assert (users["Alex Rivera"]["team"], users["Alex Rivera"]["role"]) == (
        "Key Accounts DACH",
        "Salesperson",
    )
    assert users["Priya Natarajan"]["role"] == "Customer Service Representative"
    assert users["# SyncConnector (fake)"]["country"] == "DE"  # from the root unit
    assert users["# SyncConnector (fake)"]["is_human"] is False
    assert sorted(r["team_name"] for r in rows(chunks, "team_membership")) == [
        "Key Accounts DACH",
        "Sales EMEA",
    ]
    assert len(rows(chunks, "user_roles")) == 2 and len(rows(chunks, "business_units")) == 3
    records = {r["entity"]: r for r in rows(chunks, "records")}
    assert (
        records["opportunity"]["state"],
        records["opportunity"]["value"],
        records["opportunity"]["currency"],
    ) == ("won", 135500.0, "Euro")
    assert (records["lead"]["state"], records["incident"]["state"]) == ("open", "resolved")
    assert str(records["opportunity"]["closed_on"]) == "2024-03-04 00:00:00"
    assert len(rows(chunks, "activity")) == 9
