"""Dataverse audit rows (any input format, already keyed by logical name) → canonical rows.

Every reader (Web API pages, CSV exports, Synapse Link, Delta, the live API) hands this module the
same logical columns, so one audit row gives the same ``activity`` row whichever way it came.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from uptake.sources.dataverse import values as v
from uptake.sources.dataverse.changedata import ChangeDataError, parse_changedata
from uptake.sources.dataverse.codes import CLIENTS, canonical_action, raw_action_code
from uptake.sources.dataverse.tables import Rows
from uptake.warehouse.schema import ACTIVITY, AUDIT_CHANGES

SOURCE = "dataverse"
"""``activity.source`` of every audit row: the natural key is (source, auditid), so the same audit
row read from the API and from a lake export is one event."""


def audit_rows(
    records: Iterable[tuple[int, Mapping[str, Any]]], file: str, zone: str = "UTC"
) -> tuple[Rows, Rows]:
    """Activity rows and changed-column rows of audit records given as (row number, columns)."""
    activity = Rows(ACTIVITY, file)
    changes = Rows(AUDIT_CHANGES, file)
    for number, record in records:
        activity.rows_read += 1
        row = _activity(number, record, activity, zone)
        if row is None:
            continue
        activity.add(number, row)
        changes.rows_read += _changes(number, record, row, changes, activity)
    return activity, changes


def _activity(number: int, rec: Mapping[str, Any], out: Rows, zone: str) -> dict[str, Any] | None:
    event_id = v.guid(rec.get("auditid"))
    user_id = v.guid(rec.get("userid"))
    try:
        ts = v.utc(rec.get("createdon"), zone)
    except ValueError as exc:
        out.reject(number, "createdon", str(exc), str(rec.get("createdon")))
        return None
    for column, value in (("auditid", event_id), ("userid", user_id), ("createdon", ts)):
        if value is None:
            out.reject(number, column, f"required column {column} is empty")
            return None
    operation = _code(number, rec, "operation", out)
    action = _code(number, rec, "action", out)
    entity = v.text(rec.get("objecttypecode"))
    caller = v.guid(rec.get("callinguserid"))
    raw = raw_action_code(operation, action)
    if action is None and v.text(rec.get("action")) is not None:
        raw = v.text(rec.get("action"))  # unreadable code: keep what was there
    client = CLIENTS.get(action) if action is not None else None
    if client is None and caller is not None and caller != user_id:
        client = "impersonated"
    return {
        "event_id": event_id,
        "user_id": user_id,
        "ts": ts,
        "source": SOURCE,
        "action": canonical_action(operation, action, entity),
        "entity": entity.lower() if entity else None,
        "record_id": v.guid(rec.get("objectid")),
        "client": client,
        "raw_action_code": raw,
    }


def _code(number: int, rec: Mapping[str, Any], column: str, out: Rows) -> int | None:
    try:
        return v.to_int(rec.get(column))
    except ValueError as exc:
        out.reject(number, column, str(exc), str(rec.get(column)), kept=True)
        return None


def _changes(number: int, rec: Mapping[str, Any], row: Mapping[str, Any], out: Rows, events: Rows) -> int:
    """Adds the row's changed columns. A bad cell is quarantined with the event (kept=True): the
    event stays."""
    cell = rec.get("changedata")
    try:
        changes = parse_changedata(None if cell is None else str(cell), v.text(rec.get("attributemask")))
    except ChangeDataError as exc:
        events.reject(number, "changedata", str(exc), str(cell)[:2000], kept=True)
        return 0
    for change in changes:
        out.add(
            number,
            {
                "event_id": row["event_id"],
                "entity": row["entity"],
                "record_id": row["record_id"],
                "column": change.column,
                "old_value": change.old_value,
                "new_value": change.new_value,
            },
        )
    return len(changes)
