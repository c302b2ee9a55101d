"""The CRM tables as they stand at the end of the window, as Dataverse Web API pages
(``accounts``, ``contacts``, ``leads``, ``opportunities``, ``incidents``). Required fields a
record lacks are null (the data-quality defects)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from uptake.demo import ids
from uptake.demo.records import CLOSED_BAD, CLOSED_GOOD, ENTITIES, REQUIRED, RecordStore
from uptake.demo.world import World
from uptake.demo.writers.audit import FV, LN, iso_utc
from uptake.demo.writers.names import Namer
from uptake.demo.writers.pages import PageWriter, odata_envelope

ENTITY_SETS = {
    "account": "accounts",
    "contact": "contacts",
    "lead": "leads",
    "opportunity": "opportunities",
    "incident": "incidents",
}
_STATE = {  # entity → state → (statecode, statuscode, state label, status label)
    "opportunity": {0: (0, 1, "Open", "In Progress"), 1: (1, 3, "Won", "Won"), 2: (2, 4, "Lost", "Canceled")},
    "lead": {
        0: (0, 1, "Open", "New"),
        1: (1, 3, "Qualified", "Qualified"),
        2: (2, 4, "Disqualified", "Lost"),
    },
    "incident": {
        0: (0, 1, "Active", "In Progress"),
        1: (1, 5, "Resolved", "Problem Solved"),
        2: (2, 6, "Canceled", "Canceled"),
    },
}


def write_crm(
    world: World, store: RecordStore, namer: Namer, folder: Path
) -> tuple[dict[str, int], dict[tuple[str, str, str], list[int]]]:
    """Returns rows per entity set, and (entity, owner's team, created month) → [complete, all]."""
    writers: dict[str, PageWriter] = {}
    for entity, entity_set in ENTITY_SETS.items():
        ctx = f"{ids.ORG_URL}/api/data/v9.2/$metadata#{entity_set}"
        link = f"{ids.ORG_URL}/api/data/v9.2/{entity_set}?$skiptoken={ids.SKIPTOKEN}"
        writers[entity] = PageWriter(
            folder / entity_set, entity_set, world.scale.page_size, odata_envelope(ctx), link
        )
    cols = {
        k: store.col(k).tolist()
        for k in (
            "entity",
            "owner",
            "created_ts",
            "modified_ts",
            "closed_ts",
            "state",
            "value",
            "est_close_day",
            "missing",
            "parent",
        )
    }
    complete: dict[tuple[str, str, str], list[int]] = {}
    for idx in range(store.n):
        entity = ENTITIES[cols["entity"][idx]]
        row = _row(world, namer, cols, idx, entity)
        writers[entity].add(row)
        team = world.teams[int(world.users.team[cols["owner"][idx]])].name
        key = (entity, team, row["createdon"][:7])
        tally = complete.setdefault(key, [0, 0])
        tally[0] += all(row[f] is not None for f in REQUIRED[entity])
        tally[1] += 1
    pages = {ENTITY_SETS[e]: w.close() for e, w in writers.items()}
    return pages, complete


def _row(world: World, namer: Namer, cols: dict[str, list[Any]], idx: int, entity: str) -> dict[str, Any]:
    owner = cols["owner"][idx]
    parent = cols["parent"][idx]
    state = cols["state"][idx]
    c = world.countries[int(world.users.country[owner])].spec
    name = namer.record_name(idx)
    row: dict[str, Any] = {f"{entity}id": namer.record_id(idx)}
    values: dict[str, Any] = {}
    parent_id = namer.record_id(parent) if parent >= 0 else None
    if entity == "account":
        row["name"] = name
        values = {
            "telephone1": f"+{idx % 90 + 10} {idx:09d}",
            "address1_city": c.city,
            "websiteurl": f"https://www.{ids.token(idx)[:8]}.example",
        }
        row["address1_country"] = c.local_name
    elif entity == "contact":
        first, last = namer.person(idx)
        row.update({"fullname": f"{first} {last}", "firstname": first, "lastname": last})
        values = {
            "emailaddress1": f"contact{idx}@customer.example",
            "telephone1": f"+{idx % 90 + 10} {idx:09d}",
            "_parentcustomerid_value": parent_id,
        }
    elif entity == "lead":
        row["subject"] = name
        values = {
            "companyname": name.split(" - ")[0],
            "emailaddress1": f"lead{idx}@prospect.example",
            "telephone1": f"+{idx % 90 + 10} {idx:09d}",
        }
    elif entity == "opportunity":
        row["name"] = name
        est = world.day(0) + dt.timedelta(days=cols["est_close_day"][idx])
        values = {
            "estimatedvalue": cols["value"][idx],
            "estimatedclosedate": est.isoformat(),
            "_parentaccountid_value": parent_id,
        }
        row["actualvalue"] = cols["value"][idx] if state == CLOSED_GOOD else None
        row["actualclosedate"] = (
            iso_utc(cols["closed_ts"][idx])[:10] if state in (CLOSED_GOOD, CLOSED_BAD) else None
        )
        row["transactioncurrencyid@" + "OData.Community.Display.V1.FormattedValue"] = c.currency
    else:
        row["title"] = name
        row["ticketnumber"] = namer.ticket(idx)
        values = {"_customerid_value": parent_id, "casetypecode": 2, "prioritycode": 2}
    for k, field in enumerate(REQUIRED[entity]):
        value = None if cols["missing"][idx] >> k & 1 else values.get(field)
        row[field] = value
        if field.startswith("_") and value is not None:
            row[field + LN] = "account"
    if entity in _STATE:
        code, status, label, status_label = _STATE[entity][state]
        row.update(
            {
                "statecode" + FV: label,
                "statecode": code,
                "statuscode" + FV: status_label,
                "statuscode": status,
            }
        )
    row.update(
        {
            "createdon": iso_utc(cols["created_ts"][idx]),
            "modifiedon": iso_utc(cols["modified_ts"][idx]),
            "_ownerid_value" + FV: world.name(owner),
            "_ownerid_value" + LN: "systemuser",
            "_ownerid_value": world.user_guid(owner),
        }
    )
    return row
