"""Tests for the streaming XES reader (uptake.sources.xes)."""

from __future__ import annotations

import datetime as dt
import gzip
import html
import re
from pathlib import Path

import pytest

from uptake.sources.base import SourceError
from uptake.sources.xes import iter_events

DATA = Path("/work/shared/data")
BPIC13 = DATA / "bpic2013-volvo-it-incidents-problems/BPIC13_incidents.xes.gz"
HELPDESK = DATA / "helpdesk-italian-software-company/helpdesk.xes.gz"

SMALL_XES = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="trace"><string key="concept:name" value="UNKNOWN"/></global>
  <global scope="event">
    <date key="time:timestamp" value="1970-01-01T00:00:00+01:00"/>
    <string key="org:resource" value="UNKNOWN"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <float key="meta:stddev" value="7.6"><float key="Ann" value="0.1"/></float>
  <trace>
    <string key="concept:name" value="case-1"/>
    <int key="amount" value="5000"/>
    <event>
      <string key="concept:name" value="Create &amp; assign"/>
      <string key="org:resource" value="ann"/>
      <date key="time:timestamp" value="2024-03-01T09:30:00.123+01:00"/>
      <int key="priority" value="2"/>
      <float key="cost" value="12.5"/>
      <boolean key="automated" value="false"/>
      <id key="identity:id" value="A-1"/>
      <string key="channel" value="web">
        <string key="org:resource" value="nested-must-not-win"/>
        <int key="depth" value="2"/>
      </string>
      <list key="tags"><values><string key="t" value="x"/></values></list>
    </event>
    <event>
      <string key="concept:name" value="Close"/>
      <date key="time:timestamp" value="2024-03-02T10:00:00Z"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="case-2"/>
    <boolean key="vip" value="true"/>
    <event>
      <string key="concept:name" value="Create"/>
      <date key="time:timestamp" value="yesterday noon"/>
      <date key="due" value="2024-03-05T00:00:00"/>
      <int key="priority" value="n/a"/>
    </event>
  </trace>
</log>
"""

EXPECTED = [
    {
        "case:concept:name": "case-1",
        "case:amount": 5000,
        "concept:name": "Create & assign",
        "org:resource": "ann",
        "time:timestamp": dt.datetime(
            2024, 3, 1, 9, 30, 0, 123000, tzinfo=dt.timezone(dt.timedelta(hours=1))
        ),
        "priority": 2,
        "cost": 12.5,
        "automated": False,
        "identity:id": "A-1",
        "channel": "web",
        "_trace": 1,
        "_event": 1,
    },
    {
        "case:concept:name": "case-1",
        "case:amount": 5000,
        "concept:name": "Close",
        "time:timestamp": dt.datetime(2024, 3, 2, 10, 0, tzinfo=dt.UTC),
        "_trace": 1,
        "_event": 2,
    },
    {
        "case:concept:name": "case-2",
        "case:vip": True,
        "concept:name": "Create",
        "time:timestamp": "yesterday noon",
        "due": dt.datetime(2024, 3, 5, tzinfo=dt.UTC),  # no offset: read as UTC
        "priority": "n/a",
        "_trace": 2,
        "_event": 3,
        "_problems": [
            ("time:timestamp", "not a valid XES date: 'yesterday noon'"),
            ("priority", "not a valid XES int: 'n/a'"),
        ],
    },
]


def _short(problems: object) -> list[tuple[str, str]]:
    """Drop the Python parser's own message (it varies between versions) from each reason."""
    assert isinstance(problems, list)
    return [(key, reason.split(" (")[0]) for key, reason in problems]


@pytest.mark.parametrize("compressed", [False, True], ids=["xes", "xes.gz"])
def test_small_log_exact_events(tmp_path: Path, compressed: bool) -> None:
    path = tmp_path / ("log.xes.gz" if compressed else "log.xes")
    data = SMALL_XES.encode()
    path.write_bytes(gzip.compress(data) if compressed else data)
    events = list(iter_events(path))
    events[2]["_problems"] = _short(events[2]["_problems"])
    assert events == EXPECTED
    # globals are declarations, not values: the second event has no resource
    assert "org:resource" not in events[1]


def test_log_without_namespace_and_event_outside_trace(tmp_path: Path) -> None:
    path = tmp_path / "plain.xes"
    path.write_text(
        '<log><event><string key="a" value="1"/></event>'
        '<trace><event><int key="n" value="3"/></event></trace></log>'
    )
    assert list(iter_events(path)) == [
        {"a": "1", "_trace": None, "_event": 1},
        {"n": 3, "_trace": 1, "_event": 2},
    ]


def test_truncated_file_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(gzip.compress(SMALL_XES.encode()[:900]))
    with pytest.raises(SourceError, match=r"cut\.xes\.gz: not well-formed XES"):
        list(iter_events(path))


def _events_in(text: str) -> int:
    return len(re.findall(r"<event[\s>]", text))


def test_bpic13_incidents_counts() -> None:
    text = gzip.decompress(BPIC13.read_bytes()).decode("utf-8")
    body = text[text.index("<trace>") :]  # independent of our parser: skip globals and log meta
    resources = {html.unescape(v) for v in re.findall(r'<string key="org:resource" value="([^"]*)"', body)}

    count, traces, seen = 0, set(), set()
    for count, event in enumerate(iter_events(BPIC13), start=1):
        assert event["_event"] == count and "_problems" not in event
        traces.add(event["_trace"])
        seen.add(event.get("org:resource"))
        stamp = event["time:timestamp"]
        assert isinstance(stamp, dt.datetime) and stamp.tzinfo is not None and stamp.year >= 2010
    assert count == 65_533 == _events_in(text)
    assert len(traces) == 7_554 == len(re.findall(r"<trace[\s>]", text))
    assert seen == resources  # every event has one, and no global "UNKNOWN" was injected
    assert len(resources) == 1_440


def test_helpdesk_event_count() -> None:
    text = gzip.decompress(HELPDESK.read_bytes()).decode("utf-8")
    count = 0
    for count, event in enumerate(iter_events(HELPDESK), start=1):  # noqa: B007
        assert event["case:concept:name"]
    assert count == _events_in(text) == 21_348
