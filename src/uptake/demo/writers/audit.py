"""Dataverse ``audits`` as Web API JSON pages (``Prefer: odata.include-annotations="*"``, 5,000
rows a page, ``@odata.nextLink`` with a paging-cookie ``$skiptoken``), as in
``fixtures/formats/dataverse_audit_page1.json``."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

from uptake.demo import ids
from uptake.demo.actions import ACTION_LABEL, KINDS, OPERATION_LABEL
from uptake.demo.records import ENTITIES
from uptake.demo.simulate import INTEGRATIONS, DayBatch
from uptake.demo.world import World
from uptake.demo.writers.names import Namer
from uptake.demo.writers.pages import PageWriter, odata_envelope

FV = "@OData.Community.Display.V1.FormattedValue"
LN = "@Microsoft.Dynamics.CRM.lookuplogicalname"
SELECT = (
    "auditid,createdon,operation,action,objecttypecode,_objectid_value,_userid_value,_callinguserid_value,"
    "_regardingobjectid_value,transactionid,attributemask,useradditionalinfo"
)
ENTITY_LABEL = {
    "account": "Account",
    "contact": "Contact",
    "lead": "Lead",
    "opportunity": "Opportunity",
    "incident": "Case",
    "systemuser": "User",
}
_MASKS = {
    1: "1,3,11,14,25,96,201",
    2: "45,67",
    13: "27",
    14: None,
    16: "18,19",
    24: "18,19",
    44: "18,19",
    45: "18,19",
}


def local_label(ts: int, zone: zoneinfo.ZoneInfo) -> str:
    """``3/4/2024 9:15 AM``: how the Web API formats a date-time for an en-US caller in ``zone``."""
    t = dt.datetime.fromtimestamp(ts, zone)
    hour = t.hour % 12 or 12
    return f"{t.month}/{t.day}/{t.year} {hour}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def iso_utc(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AuditWriter:
    def __init__(self, world: World, namer: Namer, folder: Path, zone: str) -> None:
        self.world = world
        self.namer = namer
        self.zone = zoneinfo.ZoneInfo(zone)
        self.serial = 0
        context = f"{ids.ORG_URL}/api/data/v9.2/$metadata#audits({SELECT})"
        link = (
            f"{ids.ORG_URL}/api/data/v9.2/audits?$select={SELECT}&$orderby=createdon"
            "&$skiptoken=%3Ccookie%20pagenumber=%22{page}%22%20pagingcookie=%22{token}%22"
            "%20istracking=%22False%22%20/%3E"
        )
        self.pages = PageWriter(folder, "audits", world.scale.page_size, odata_envelope(context), link)

    def user_name(self, i: int) -> str:
        n = self.world.users.n
        return INTEGRATIONS[i - n] if i >= n else self.world.name(i)

    def write(self, batch: DayBatch) -> None:
        seed = self.world.seed
        for user, caller, ts, kind, record in zip(
            batch.user.tolist(),
            batch.caller.tolist(),
            batch.ts.tolist(),
            batch.kind.tolist(),
            batch.record.tolist(),
            strict=True,
        ):
            self.serial += 1
            k = KINDS[kind]
            entity = "systemuser" if k.entity < 0 else ENTITIES[k.entity]
            if record < 0:
                obj, obj_name = self.world.user_guid(user), self.user_name(user)
            else:
                obj, obj_name = self.namer.record_id(record), self.namer.record_name(record)
            uid = self.world.user_guid(user)
            row: dict[str, Any] = {
                "auditid": ids.guid(ids.AUDIT, seed, self.serial),
                "createdon" + FV: local_label(ts, self.zone),
                "createdon": iso_utc(ts),
                "operation" + FV: OPERATION_LABEL[k.operation],
                "operation": k.operation,
                "action" + FV: ACTION_LABEL[k.action],
                "action": k.action,
                "objecttypecode" + FV: ENTITY_LABEL[entity],
                "objecttypecode": entity,
                "_objectid_value" + FV: obj_name,
                "_objectid_value" + LN: entity,
                "_objectid_value": obj,
                "_userid_value" + FV: self.user_name(user),
                "_userid_value" + LN: "systemuser",
                "_userid_value": uid,
            }
            if caller >= 0:
                row["_callinguserid_value" + FV] = self.user_name(caller)
                row["_callinguserid_value" + LN] = "systemuser"
                row["_callinguserid_value"] = self.world.user_guid(caller)
            else:
                row["_callinguserid_value"] = None
            row["_regardingobjectid_value"] = None
            row["transactionid"] = (
                ids.NULL_GUID if k.operation == 4 else ids.guid(ids.TRANSACTION, seed, self.serial)
            )
            row["attributemask"] = None if k.operation == 4 else _MASKS.get(k.action, "45,67")
            row["useradditionalinfo"] = None
            self.pages.add(row)

    def close(self) -> int:
        return self.pages.close()
