"""Dataverse Web API JSON responses (live or saved as files) → rows keyed by logical name."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMATTED = "@OData.Community.Display.V1.FormattedValue"
LOOKUP_TABLE = "@Microsoft.Dynamics.CRM.lookuplogicalname"
_LOOKUP = re.compile(r"^_(.+)_value$")
_CONTEXT = re.compile(r"\$metadata#([A-Za-z_]+)")

ENTITY_SETS: dict[str, str] = {
    "audits": "audit",
    "systemusers": "systemuser",
    "businessunits": "businessunit",
    "teams": "team",
    "teammemberships": "teammembership",
    "roles": "role",
    "systemuserrolescollection": "systemuserroles",
    "opportunities": "opportunity",
    "leads": "lead",
    "accounts": "account",
    "contacts": "contact",
    "incidents": "incident",
}
"""Entity set (URL) → table logical name, for the tables uptake reads."""
TABLE_SETS = {table: entity_set for entity_set, table in ENTITY_SETS.items()}


@dataclass(frozen=True)
class Page:
    table: str | None
    """Logical name of the table the page holds (from ``@odata.context``), None if not known."""
    rows: list[dict[str, Any]]
    next_link: str | None


def flatten(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One Web API entity → logical-name columns, the way Synapse Link names them: a lookup
    ``_x_value`` becomes ``x``, its formatted value ``xname`` and its target table ``x_entitytype``;
    the formatted value of any other column is ``x@label``."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name, _, annotation = key.partition("@")
        match = _LOOKUP.match(name)
        column = match.group(1) if match else name
        if not annotation:
            if name:
                out[column] = value
        elif key.endswith(FORMATTED):
            out[f"{column}name" if match else f"{column}@label"] = value
        elif key.endswith(LOOKUP_TABLE) and match:
            out[f"{column}_entitytype"] = value
    return out


def parse_page(doc: Any) -> Page:
    if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
        raise ValueError("not a Web API collection response: expected an object with a 'value' list")
    found = _CONTEXT.search(str(doc.get("@odata.context", "")))
    entity_set = found.group(1) if found else None
    table = ENTITY_SETS.get(entity_set, entity_set) if entity_set else None
    rows = [flatten(item) for item in doc["value"] if isinstance(item, dict)]
    return Page(table, rows, doc.get("@odata.nextLink"))


def read_page(path: Path) -> Page:
    with path.open(encoding="utf-8-sig") as f:
        return parse_page(json.load(f))
