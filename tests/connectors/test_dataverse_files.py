"""Dataverse audit from files: Web API pages, CSV exports, Synapse Link folders, Delta tables."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from connectors.helpers import FORMATS, context, rows, webapi_audit_rows, write_synapse_folder
from uptake.project.source_configs import DataverseAuditSource, SynapseLinkSource
from uptake.sources.dataverse.file_sources import DataverseAuditFileSource, SynapseLinkFileSource

ALEX = "3f2a6c1e-5b7d-4e8a-9c0f-1a2b3c4d5e01"
SYNC = "3f2a6c1e-5b7d-4e8a-9c0f-1a2b3c4d5e09"


def read(path: str | Path, **options: object) -> list:
    config = DataverseAuditSource.model_validate({"type": "dataverse-audit", "path": str(path), **options})
    return list(DataverseAuditFileSource(config, "dv").chunks(context()))


def test_webapi_pages_give_the_readme_figures() -> None:
    chunks = read(FORMATS)
    activity = rows(chunks, "activity")
    assert len(activity) == 9
    assert sum(c.rows_read for c in chunks if c.table == "activity") == 9
    access = [r for r in activity if r["action"] == "access"]
    assert sorted((r["raw_action_code"], r["client"]) for r in access) == [
        ("64", "web"),
        ("64", "web"),
        ("65", "web-services"),
    ]
    assert len({r["user_id"] for r in activity}) == 3
    assert sorted(r["action"] for r in activity) == sorted(
        ["access", "access", "create", "update", "update", "assign", "update", "delete", "access"]
    )
    first = next(r for r in activity if r["event_id"] == "a1d00000-0000-4000-8000-000000000001")
    assert first["ts"] == dt.datetime(2024, 3, 4, 8, 15, 27)
    assert first["source"] == "dataverse" and first["entity"] == "systemuser" and first["record_id"] == ALEX
    impersonated = next(r for r in activity if r["event_id"].endswith("05"))
    assert (impersonated["user_id"], impersonated["client"]) == (ALEX, "impersonated")
    assert not any(c.rejected for c in chunks)


def test_synapse_link_fixture_matches_the_webapi_rows_and_accounts_for_the_delete_marker() -> None:
    chunks = read(FORMATS / "synapse_link")
    activity = rows(chunks, "activity")
    by_id = {r["event_id"]: r for r in rows(read(FORMATS), "activity")}
    assert activity == [by_id[r["event_id"]] for r in activity]
    assert sorted(r["event_id"][-1] for r in activity) == ["1", "4", "5", "6"]
    chunk = next(c for c in chunks if c.table == "activity")
    assert chunk.rows_read == 5 and chunk.rows.num_rows == 4
    assert [(r.row, r.column, r.reason, r.kept) for r in chunk.rejected] == [
        (5, "IsDelete", "deleted at source (versionnumber 950117)", False)
    ]
    changes = rows(chunks, "audit_changes")
    assert [
        (c["event_id"][-1], c["column"], c["old_value"], c["new_value"])
        for c in changes
        if c["column"] == "ownerid"
    ] == [("6", "ownerid", f"systemuser,{ALEX}", "systemuser,3f2a6c1e-5b7d-4e8a-9c0f-1a2b3c4d5e03")]
    assert len(changes) == 4


def test_synapse_folder_json_pages_and_csv_export_give_identical_rows(tmp_path: Path) -> None:
    audit = webapi_audit_rows()
    lake = write_synapse_folder(tmp_path / "lake", audit, versions=2)
    export = tmp_path / "audit_export.csv"
    with export.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "auditid",
                "CreatedOn",
                "_userid_value",
                "operation",
                "action",
                "objecttypecode",
                "_objectid_value",
                "_callinguserid_value",
            ]
        )
        for r in audit:
            w.writerow(
                [
                    r["auditid"],
                    r["createdon"],
                    r["userid"],
                    r["operation"],
                    r["action"],
                    r["objecttypecode"],
                    r["objectid"],
                    r["callinguserid"] or "",
                ]
            )
    from_pages = rows(read(FORMATS), "activity")
    from_lake = read(lake)
    assert rows(from_lake, "activity") == from_pages
    assert rows(read(export), "activity") == from_pages
    lake_chunk = next(c for c in from_lake if c.table == "activity")
    # append-only retries: each row written twice, the older version is superseded, never doubled
    assert (lake_chunk.rows_read, lake_chunk.rows.num_rows, len(lake_chunk.rejected)) == (18, 9, 9)
    assert {r.reason.split(" ")[0] for r in lake_chunk.rejected} == {"superseded"}


def test_delta_tables_give_identical_rows(tmp_path: Path) -> None:
    deltalake = pytest.importorskip("deltalake")
    import pyarrow as pa

    audit = [
        {k: (None if x is None else str(x)) for k, x in r.items() if "@" not in k}
        for r in webapi_audit_rows()
    ]
    for r in audit:
        r["Id"] = r["auditid"]
    audit.append({"Id": audit[0]["auditid"], "auditid": None, "IsDelete": "True", "versionnumber": "99"})
    for r in audit[:-1]:
        r["versionnumber"] = "1"
    table = pa.Table.from_pylist(audit)
    deltalake.write_deltalake(str(tmp_path / "deltalake" / "audit"), table)
    chunks = read(tmp_path)
    from_pages = rows(read(FORMATS), "activity")
    assert rows(chunks, "activity") == [r for r in from_pages if not r["event_id"].endswith("01")]
    assert sum(c.rows_read for c in chunks if c.table == "activity") == 10


def test_synapse_link_source_reads_users_with_versions(tmp_path: Path) -> None:
    config = SynapseLinkSource(
        type="synapse-link", path=str(FORMATS / "synapse_link"), business_unit_countries={}
    )
    source = SynapseLinkFileSource(config, "lake")
    chunks = list(source.chunks(context()))
    users = rows(chunks, "users")
    assert len(users) == 4
    sync = next(u for u in users if u["user_id"] == SYNC)
    assert (sync["is_human"], sync["country"]) == (False, None)
    jonas = next(u for u in users if u["display_name"] == "Jonas Becker")
    assert (jonas["is_enabled"], jonas["license"], jonas["country"], jonas["region"]) == (
        False,
        None,
        "DE",
        "EMEA",
    )
    assert set(source.next_state()["users"]) == {u["user_id"] for u in users}
