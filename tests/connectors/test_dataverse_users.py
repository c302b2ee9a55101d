"""systemuser → users: non-human accounts, country from the record or the business unit, versions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from connectors.helpers import FORMATS, context, rows
from uptake.project.source_configs import DataverseAuditSource
from uptake.sources.dataverse.file_sources import DataverseAuditFileSource

PAGE = json.loads((FORMATS / "dataverse_systemusers_page.json").read_text())
UNITS = {
    "@odata.context": "https://x/api/data/v9.2/$metadata#businessunits(businessunitid,name,_parentbusinessunitid_value)",
    "value": [
        {
            "businessunitid": "b0000000-1111-4222-8333-000000000001",
            "name": "Contoso Fake Ltd",
            "_parentbusinessunitid_value": None,
        },
        {
            "businessunitid": "b0000000-1111-4222-8333-000000000002",
            "name": "Sales EMEA",
            "_parentbusinessunitid_value": "b0000000-1111-4222-8333-000000000001",
        },
        {
            "businessunitid": "b0000000-1111-4222-8333-000000000003",
            "name": "Service NA",
            "_parentbusinessunitid_value": "b0000000-1111-4222-8333-000000000001",
        },
    ],
}


def pull(
    folder: Path, page: dict[str, Any], state: dict[str, Any] | None = None, **options: Any
) -> tuple[list, DataverseAuditFileSource]:
    folder.mkdir(exist_ok=True)
    (folder / "systemusers.json").write_text(json.dumps(page))
    (folder / "businessunits.json").write_text(json.dumps(UNITS))
    config = DataverseAuditSource.model_validate({"type": "dataverse-audit", "path": str(folder), **options})
    source = DataverseAuditFileSource(config, "dv")
    return list(source.chunks(context(state))), source


def test_users_from_the_fixture_page() -> None:
    config = DataverseAuditSource(
        type="dataverse-audit", path=str(FORMATS / "dataverse_systemusers_page.json")
    )
    users = rows(DataverseAuditFileSource(config, "dv").chunks(context()), "users")
    assert [
        (u["display_name"], u["country"], u["is_human"], u["is_enabled"], u["license"]) for u in users
    ] == [
        ("Alex Rivera", "DE", True, True, "licensed"),
        ("Priya Natarajan", "US", True, True, "licensed"),
        ("Jonas Becker", "DE", True, False, None),
        ("# SyncConnector (fake)", None, False, True, None),
    ]
    alex = users[0]
    assert alex["aad_object_id"] == "9d1e2f3a-4b5c-4d6e-8f70-8192a3b4c501"
    assert (alex["business_unit"], alex["valid_from"], alex["valid_to"]) == (
        "Sales EMEA",
        dt.datetime(2023, 11, 2, 10),
        None,
    )


def test_country_from_business_unit_mapping_walks_up_the_hierarchy(tmp_path: Path) -> None:
    page = json.loads(json.dumps(PAGE))
    for user in page["value"]:
        user["address1_country"] = None
    chunks, _ = pull(
        tmp_path, page, business_unit_countries={"Contoso Fake Ltd": "Germany", "Service NA": "US"}
    )
    users = {u["display_name"]: u["country"] for u in rows(chunks, "users")}
    assert users == {
        "Alex Rivera": "DE",
        "Priya Natarajan": "US",
        "Jonas Becker": "DE",
        "# SyncConnector (fake)": "DE",
    }
    units = rows(chunks, "business_units")
    assert [(u["name"], u["parent_id"] is None) for u in units] == [
        ("Contoso Fake Ltd", True),
        ("Sales EMEA", False),
        ("Service NA", False),
    ]


def test_unknown_country_is_reported_and_the_user_kept(tmp_path: Path) -> None:
    page = json.loads(json.dumps(PAGE))
    page["value"][0]["address1_country"] = "Atlantis"
    chunks, _ = pull(tmp_path, page)
    chunk = next(c for c in chunks if c.table == "users")
    assert chunk.rows.num_rows == 4
    assert [(r.row, r.column, r.kept) for r in chunk.rejected] == [(1, "address1_country", True)]
    assert "'Atlantis' is not one of the project's countries (DE, US)" in chunk.rejected[0].reason


def test_a_changed_user_gets_a_new_version_and_an_unchanged_one_does_not(tmp_path: Path) -> None:
    first, source = pull(tmp_path / "a", PAGE)
    state = json.loads(json.dumps(source.next_state()))  # state must survive JSON
    page = json.loads(json.dumps(PAGE))
    page["value"][0]["title"] = "changed but not a users column"
    page["value"][1]["address1_country"] = "Germany"
    page["value"][1]["modifiedon"] = "2024-03-05T12:00:00Z"
    second, _ = pull(tmp_path / "b", page, state)
    users = rows(second, "users")
    priya = sorted(
        (u for u in users if u["display_name"] == "Priya Natarajan"), key=lambda u: u["valid_from"]
    )
    assert [(u["country"], u["valid_from"], u["valid_to"]) for u in priya] == [
        ("US", dt.datetime(2023, 11, 2, 10, 5), dt.datetime(2024, 3, 5, 12)),
        ("DE", dt.datetime(2024, 3, 5, 12), None),
    ]
    others = [u for u in users if u["display_name"] != "Priya Natarajan"]
    assert others == [u for u in rows(first, "users") if u["display_name"] != "Priya Natarajan"]


def test_role_names_carried_by_the_association_and_baseline_roles_come_last(tmp_path: Path) -> None:
    alex = PAGE["value"][0]["systemuserid"]
    roles = {
        "@odata.context": "https://x/api/data/v9.2/$metadata#systemuserrolescollection(systemuserroleid,systemuserid,roleid)",
        "value": [
            {
                "systemuserroleid": "1",
                "systemuserid": alex,
                "roleid": "901e0000-0000-4000-8000-000000000001",
                "name": "Basic User",
            },
            {
                "systemuserroleid": "2",
                "systemuserid": alex,
                "roleid": "901e0000-0000-4000-8000-000000000002",
                "name": "Salesperson",
            },
        ],
    }
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "roles.json").write_text(json.dumps(roles))
    chunks, _ = pull(tmp_path, PAGE)
    assert sorted(r["role_name"] for r in rows(chunks, "user_roles")) == ["Basic User", "Salesperson"]
    assert next(u for u in rows(chunks, "users") if u["user_id"] == alex)["role"] == "Salesperson"
