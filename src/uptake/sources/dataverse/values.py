"""Parsing of the scalar values Dataverse, Synapse Link and Graph write (times, GUIDs, booleans)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

NULL_GUID = "00000000-0000-0000-0000-000000000000"
_FRACTION = re.compile(r"(\.\d{6})\d+")
_US_STYLE = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p")


def text(value: Any) -> str | None:
    """A trimmed string, or None for null / empty / the all-zero GUID (Dataverse's 'no value')."""
    if value is None:
        return None
    out = str(value).strip()
    if not out or out == NULL_GUID:
        return None
    return out


def guid(value: Any) -> str | None:
    """A GUID in lower case without braces (``{A1D0…}`` and ``a1d0…`` are the same row)."""
    out = text(value)
    return out.strip("{}").lower() if out is not None else None


def to_int(value: Any) -> int | None:
    """An integer; raises ValueError on text that is not one (``"64"`` and ``64.0`` are fine)."""
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    if isinstance(value, int):
        return value
    out = text(value)
    if out is None:
        return None
    number = float(out)
    if not number.is_integer():
        raise ValueError(f"expected a whole number, found {out!r}")
    return int(number)


def to_bool(value: Any) -> bool | None:
    """``True``/``False`` as JSON, as Synapse Link text (``True``) or as 0/1."""
    if value is None or isinstance(value, bool):
        return value
    out = text(value)
    if out is None:
        return None
    folded = out.casefold()
    if folded in ("true", "1", "yes"):
        return True
    if folded in ("false", "0", "no"):
        return False
    raise ValueError(f"expected true or false, found {out!r}")


def utc(value: Any, zone: str = "UTC") -> dt.datetime | None:
    """A timestamp as naive UTC. Accepts ISO 8601 with ``Z`` or an offset (up to 7 fractional
    digits, as Synapse Link writes), and Synapse's ``M/d/yyyy h:mm:ss AM``. Text without an offset
    is read in ``zone``. Raises ValueError on anything else."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        stamp = value
    else:
        raw = text(value)
        if raw is None:
            return None
        stamp = _parse(raw)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    return stamp.astimezone(dt.UTC).replace(tzinfo=None)


def _parse(raw: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(_FRACTION.sub(r"\1", raw))
    except ValueError:
        pass
    for fmt in _US_STYLE:
        try:
            return dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
    raise ValueError(f"expected an ISO 8601 timestamp like 2024-03-04T08:15:27Z, found {raw!r}")


def iso(stamp: dt.datetime) -> str:
    """Naive-UTC timestamp → ``2024-03-04T08:15:27Z`` (OData filter literal, cursor state)."""
    return stamp.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def iso_us(stamp: dt.datetime) -> str:
    """Naive-UTC timestamp → ISO text keeping microseconds (state files)."""
    return stamp.replace(tzinfo=None).isoformat() + "Z"
