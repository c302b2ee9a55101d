"""CRM tables (opportunity, lead, account, contact, incident) → the ``records`` table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from uptake.sources.dataverse import values as v
from uptake.sources.dataverse.tables import Rows
from uptake.vocab import RecordState

CRM_TABLES: Final = ("opportunity", "lead", "account", "contact", "incident")

STATES: Final[dict[str, dict[int, RecordState]]] = {
    "opportunity": {0: "open", 1: "won", 2: "lost"},
    "lead": {0: "open", 1: "qualified", 2: "disqualified"},
    "incident": {0: "open", 1: "resolved", 2: "canceled"},
    "account": {0: "open", 1: "inactive"},
    "contact": {0: "open", 1: "inactive"},
}
"""``statecode`` → canonical state, per table (source-formats.md §5)."""


def add_record(out: Rows, number: int, table: str, rec: Mapping[str, Any]) -> None:
    out.rows_read += 1
    record_id = v.guid(rec.get(f"{table}id") or rec.get("Id"))
    if record_id is None:
        out.reject(number, f"{table}id", f"required column {table}id is empty")
        return
    try:
        state_code = v.to_int(rec.get("statecode"))
        created = v.utc(rec.get("createdon"))
        modified = v.utc(rec.get("modifiedon"))
        closed = v.utc(rec.get("actualclosedate"))
        estimated = v.utc(rec.get("estimatedclosedate"))
        value = rec.get("actualvalue") if state_code == 1 else rec.get("estimatedvalue")
        amount = float(str(value)) if v.text(value) is not None else None
    except ValueError as exc:
        out.reject(number, None, str(exc))
        return
    state = STATES[table].get(state_code) if state_code is not None else None
    if closed is None and state not in (None, "open"):
        closed = modified  # no close date column: the last change is the closest proxy
    status = rec.get("statuscode@label") or v.text(rec.get("statuscode"))
    out.add(
        number,
        {
            "entity": table,
            "record_id": record_id,
            "owner_id": v.guid(rec.get("ownerid")),
            "created_on": created,
            "modified_on": modified,
            "closed_on": closed,
            "estimated_close": _date(estimated),
            "state": state,
            "status": status,
            "value": amount,
            "currency": v.text(rec.get("transactioncurrencyidname")),
            "account": v.text(rec.get("customeridname") or rec.get("parentaccountidname")),
        },
    )


def _date(stamp: dt.datetime | None) -> dt.date | None:
    return stamp.date() if stamp else None
