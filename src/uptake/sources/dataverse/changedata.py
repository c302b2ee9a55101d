"""The audit ``changedata`` column: which columns a change touched, with old and new values.

Two forms exist (source-formats.md §1.6):

* modern JSON ``{"changedAttributes": [{"logicalName", "oldValue", "newValue"}, …]}``; values stay
  strings (``"1"``, ``"1000.5"``, lookups as ``"<table>,<guid>"``) and are typed later from
  metadata. JSON null and a missing key both mean "no value"; ``""`` is kept.
* legacy (on-premises, migrated data): old values only, ``~``-separated, aligned with the column
  numbers of ``attributemask`` (``,35,71,``). Without column metadata it cannot name the columns,
  so it is reported as unparsed (the audit row itself is kept).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    column: str
    old_value: str | None
    new_value: str | None


class ChangeDataError(ValueError):
    """The cell cannot be read as changes; the message says why (it goes to the quarantine)."""


def parse_changedata(cell: str | None, attributemask: str | None = None) -> list[Change]:
    """Changes in one ``changedata`` cell; ``[]`` for an empty cell (access rows have none)."""
    if cell is None or not cell.strip():
        return []
    raw = cell.strip()
    if not raw.startswith(("{", "[")):
        if "~" in raw or attributemask:
            raise ChangeDataError(
                f'not JSON: legacy delimited old-values format, attributemask "{attributemask or ""}"'
            )
        raise ChangeDataError("not JSON")
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        reason = "truncated" if exc.pos >= len(raw) - 1 or _unbalanced(raw) else exc.msg
        raise ChangeDataError(f"invalid JSON: {reason}") from exc
    items = doc.get("changedAttributes") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise ChangeDataError("JSON without a 'changedAttributes' list")
    return [_change(item, i) for i, item in enumerate(items)]


def _change(item: Any, index: int) -> Change:
    if not isinstance(item, dict) or not isinstance(item.get("logicalName"), str):
        raise ChangeDataError(f"changedAttributes[{index}] has no logicalName")
    return Change(item["logicalName"], _value(item.get("oldValue")), _value(item.get("newValue")))


def _value(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _unbalanced(raw: str) -> bool:
    return raw.count("{") != raw.count("}") or raw.count("[") != raw.count("]")


def legacy_old_values(cell: str, attributemask: str) -> dict[int, str | None]:
    """The legacy form as column number → old value (empty = no value). Pair the numbers with
    ``EntityDefinitions(...)/Attributes?$select=LogicalName,ColumnNumber`` to name them."""
    numbers = [int(n) for n in attributemask.split(",") if n.strip()]
    values = cell.split("~")
    return {n: (values[i] or None) if i < len(values) else None for i, n in enumerate(numbers)}
