"""Stream the events of an IEEE 1849 XES event log (``.xes`` or gzip-compressed ``.xes.gz``).

Process-mining logs (BPI Challenges, ticket systems, pm4py exports) are the closest public stand-in
for CRM activity logs, and they are large: BPIC 2012 is 262,200 events. So we never build the tree:
the parser hands us each ``<event>`` as it is read, we take its *direct* children, yield one flat
dict and clear the element, keeping memory flat however long the file is.

Reading only direct children is also what keeps the parser honest about XES's traps:

* ``<global>`` blocks declare *defaults* ("every event has a timestamp, 1970 if unknown"); they are not
  values, so an attribute missing from an event stays missing instead of becoming 1970-01-01.
* Attributes may nest (``xes.features="nested-attributes"``, lists, containers), and OpenXES puts big
  nested meta attributes at log level (BPIC 2013 has one child per resource). Nested values are not
  the event's own attributes and are skipped; list/container attributes have no scalar value and are
  skipped too.

A value that does not parse as its declared type (a bad date, ``int`` "n/a") does not stop the file:
the event keeps the raw string and gets ``_problems = [(key, reason)]`` so the caller can quarantine it.
Trace attributes precede the trace's events in the XES schema; one written after an event (invalid)
reaches only the events after it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, cast

from uptake.sources.base import SourceError

_GZIP_MAGIC = b"\x1f\x8b"


def iter_events(path: Path) -> Iterator[dict[str, object]]:
    """Yield one dict per event, in file order.

    Keys: the event's attributes (typed: ``date`` → aware ``datetime``, ``int``, ``float``,
    ``boolean`` → ``bool``, ``string``/``id`` → ``str``), the enclosing trace's attributes prefixed
    ``case:``, ``_trace`` (1-based trace number; None for an event directly under ``<log>``),
    ``_event`` (1-based event number in the file) and, only when a value failed to parse,
    ``_problems``: a list of ``(key, reason)``.
    """
    path = Path(path)
    try:
        with _open(path) as fh:
            yield from _events(fh)
    except ET.ParseError as exc:
        raise SourceError(f"{path}: not well-formed XES/XML ({exc}); check the file is complete") from exc
    except (OSError, EOFError) as exc:
        raise SourceError(f"{path}: cannot read the XES file ({exc})") from exc


def _open(path: Path) -> IO[bytes]:
    """Open plain or gzip'd XES, judged by the magic bytes (names like ``.xes.gz`` are not reliable)."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == _GZIP_MAGIC:
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


_READ_BYTES = 256 * 1024


def _events(fh: IO[bytes]) -> Iterator[dict[str, object]]:
    """Feed the file in chunks and hand out the events completed by each chunk."""
    target = _XesTarget()
    parser = ET.XMLParser(target=target)
    while chunk := fh.read(_READ_BYTES):
        parser.feed(chunk)
        yield from target.drain()
    parser.close()
    yield from target.drain()


class _XesTarget:
    """Parser callbacks that build the flat event dicts directly, without any element tree.

    ``iterparse`` builds an Element for each of BPIC 2013's 817,003 elements only for us to read
    and clear it; taking ``start(tag, attrib)`` directly is faster (see ``benchmarks/xes_read.py``).
    An attribute counts only when its parent is an ``<event>`` or ``<trace>``: that single rule
    keeps globals, nested attributes and log-level meta data out.
    """

    def __init__(self) -> None:
        self.stack: list[str] = []  # kinds of the open elements ("log", "trace", "event", "string", ...)
        self.kinds: dict[str, str] = {}  # tag (possibly namespaced) → local name, cached
        self.case: dict[str, object] = {}
        self.event: dict[str, object] = {}
        self.problems: list[tuple[str, str]] = []
        self.case_problems: list[tuple[str, str]] = []
        self.trace_no = self.event_no = 0
        self.in_trace = False
        self.ready: list[dict[str, object]] = []

    def drain(self) -> Iterator[dict[str, object]]:
        ready, self.ready = self.ready, []
        return iter(ready)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        kind = self.kinds.get(tag)
        if kind is None:
            kind = self.kinds[tag] = tag.rpartition("}")[2]  # with or without the XES namespace
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(kind)
        if kind == "event":
            self.event, self.problems = {}, []
        elif kind == "trace":
            self.case, self.case_problems, self.in_trace = {}, [], True
            self.trace_no += 1
        elif parent == "event":
            self._value(kind, attrib, "", self.event, self.problems)
        elif parent == "trace":
            self._value(kind, attrib, "case:", self.case, self.case_problems)

    def end(self, tag: str) -> None:
        kind = self.stack.pop()
        if kind == "event":
            self.event_no += 1
            record: dict[str, object] = {**self.case, **self.event} if self.in_trace else self.event
            record["_trace"] = self.trace_no if self.in_trace else None
            record["_event"] = self.event_no
            problems = self.case_problems + self.problems if self.in_trace else self.problems
            if problems:
                record["_problems"] = problems
            self.ready.append(record)
        elif kind == "trace":
            self.in_trace = False

    def close(self) -> None:
        """Nothing to return: events leave through :meth:`drain`."""

    @staticmethod
    def _value(
        kind: str,
        attrib: dict[str, str],
        prefix: str,
        into: dict[str, object],
        problems: list[tuple[str, str]],
    ) -> None:
        """Store one typed scalar attribute; list/container (no scalar value) are skipped."""
        key = attrib.get("key")
        if kind not in _CONVERTERS or key is None:
            return
        key = prefix + key
        raw = attrib.get("value")
        if raw is None:
            problems.append((key, f"<{kind}> attribute has no value"))
            return
        try:
            into[key] = _CONVERTERS[kind](raw)
        except ValueError as exc:
            into[key] = raw
            problems.append((key, f"not a valid XES {kind}: {raw!r} ({exc})"))


def _date(raw: str) -> dt.datetime:
    """xs:dateTime → aware datetime. A value without offset is read as UTC rather than local time,
    so that all timestamps stay comparable; XES writers (OpenXES, pm4py) always write an offset."""
    value = dt.datetime.fromisoformat(raw.strip())
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _boolean(raw: str) -> bool:
    """xs:boolean allows true/false/1/0; anything else is a problem, not a silent False."""
    text = raw.strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError("expected true/false")


_CONVERTERS: dict[str, Callable[[str], object]] = {
    "string": str,
    "id": str,
    "date": _date,
    "int": int,
    "float": float,
    "boolean": _boolean,
}
