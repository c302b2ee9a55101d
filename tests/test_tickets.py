"""Support tickets (uptake.sources.tickets, uptake.kpis.tickets): a hand-built ticket list with
hand-computed business hours, and two real logs counted independently from the raw files: the
helpdesk event log of an Italian software company (XES, one trace per ticket) and the BPIC 2016
UWV complaints (latin-1, ``;``).

DE = Europe/Berlin (CET, UTC+1 in early March), go-live Mon 2026-03-02, working hours 09:00-17:00
local Mon-Fri. Four eligible DE users in both weeks.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import xml.etree.ElementTree as ET
import zoneinfo
from collections import Counter

import pyarrow as pa
import pytest

from conftest import DATA, make_project, one, rows, run
from uptake.calendar import period_start

USERS = """user_id,email,country
u1,u1@x.de,DE
u2,u2@x.de,DE
u3,u3@x.de,DE
u4,u4@x.de,DE
"""
EVENTS = """user,ts,action
u1,2026-03-02T10:00:00Z,update
u2,2026-03-13T10:00:00Z,update
"""
# T1 Mon 09:00 CET -> response 11:00 (2 h) -> resolved Tue 10:00 (8 h + 1 h = 9 h).
# T2 Wed 16:00 -> response Thu 09:30 (1 h + 0.5 h) -> resolved Fri 17:00 (1 + 8 + 8 = 17 h).
# T3 (week 2) resolved before it was created: no resolution time; no response.
TICKETS = """Number,Opened,Caller,Category,First response,Resolved
T1,2026-03-02T08:00:00Z,U1@x.de,login,2026-03-02T10:00:00Z,2026-03-03T09:00:00Z
T2,2026-03-04T15:00:00Z,u2,data,2026-03-05T08:30:00Z,2026-03-06T16:00:00Z
T3,2026-03-10T12:00:00Z,u3@x.de,login,,2026-03-10T11:00:00Z
"""
PROJECT = """
name: tickets
countries:
  - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-03-02}
privacy: {min_group_size: 1}
sources:
  - {type: users, path: users.csv, mapping: {user_id: user_id, email: email, country: country}}
  - {type: events, name: ev, path: events.csv, mapping: {user: user, timestamp: ts}, default_action: update}
  - type: tickets
    name: desk
    path: tickets.csv
    mapping: {ticket_id: Number, created: Opened, requester: Caller, category: Category,
              first_response: First response, resolved: Resolved}
"""
W1, W2 = "2026-03-02", "2026-03-09"


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    folder = tmp_path_factory.mktemp("tickets")
    for name, text in (("users.csv", USERS), ("events.csv", EVENTS), ("tickets.csv", TICKETS)):
        (folder / name).write_text(text, encoding="utf-8")
    return run(make_project(folder, PROJECT), "2026-03-20T00:00:00+00:00").kpi_values


def test_tickets_per_100_eligible_users_per_week(hand: pa.Table) -> None:
    w1 = one(hand, "tickets_per_100_users", "week", W1)
    assert (w1["numerator"], w1["denominator"], w1["value"]) == (2, 4, 50.0)
    w2 = one(hand, "tickets_per_100_users", "week", W2, country="DE", region="EMEA", phase="go_live")
    assert (w2["numerator"], w2["denominator"], w2["value"]) == (1, 4, 25.0)
    login = one(hand, "tickets_per_100_users", "week", W1, feature="login")
    assert (login["numerator"], login["denominator"]) == (1, 4)
    by_week = rows(
        hand, "tickets_per_100_users", "since_go_live_week", country="DE", region="EMEA", phase="go_live"
    )
    assert {r["weeks_since_go_live"]: r["numerator"] for r in by_week} == {0: 2, 1: 1}


def test_tickets_created_by_category_and_phase(hand: pa.Table) -> None:
    total = one(hand, "tickets_created", "total", None)
    assert (total["value"], total["n_users"]) == (3, 3)  # U1@x.de matched by e-mail, u2 by id
    assert one(hand, "tickets_created", "total", None, feature="login")["value"] == 2
    assert one(hand, "tickets_created", "total", None, feature="data")["value"] == 1
    assert one(hand, "tickets_created", "total", None, phase="go_live")["value"] == 3


def test_ticket_times_in_business_hours(hand: pa.Table) -> None:
    fr = one(hand, "ticket_first_response_business_hours", "week", W1)
    assert (fr["value"], fr["numerator"], fr["denominator"]) == (1.75, 3.5, 2)
    res = one(hand, "ticket_resolution_business_hours", "total", None)
    assert (res["value"], res["numerator"], res["denominator"]) == (13.0, 26.0, 2)  # T3 left out
    assert rows(hand, "ticket_resolution_business_hours", "week", feature="login")[0]["value"] == 9.0


HELPDESK = DATA / "helpdesk-italian-software-company" / "helpdesk.xes.gz"
COMPLAINTS = DATA / "bpic2016-uwv-complaints" / "BPI2016_Complaints.csv"
REAL = """
name: real tickets
countries:
  - {code: IT, region: EMEA, timezone: Europe/Rome, go_live: 2012-01-02}
  - {code: NL, region: EMEA, timezone: Europe/Amsterdam, go_live: 2015-09-01}
privacy: {min_group_size: 1}
sources:
  - {type: events, name: ev, path: events.csv, mapping: {user: user, timestamp: ts}, default_action: update}
  - type: tickets
    name: helpdesk
    path: helpdesk.xes.gz
    country: IT
    mapping: {ticket_id: "case:concept:name", timestamp: "time:timestamp", activity: "concept:name",
              category: product}
    first_response_activities: [Take in charge ticket]
    resolved_activities: [Resolve ticket]
  - type: tickets
    name: complaints
    path: BPI2016_Complaints.csv
    encoding: latin-1
    delimiter: ";"
    timezone: Europe/Amsterdam
    country: NL
    mapping: {ticket_id: ComplaintID, created: ContactDate, requester: CustomerID,
              category: ComplaintTheme_EN}
"""


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    folder = make_project(tmp_path_factory.mktemp("real_tickets"), REAL, [HELPDESK, COMPLAINTS])
    (folder / "events.csv").write_text("user,ts,action\np1,2015-09-01T10:00:00Z,update\n", encoding="utf-8")
    return run(folder, "2016-06-01T00:00:00+00:00").kpi_values


def _helpdesk_traces() -> dict[str, list[tuple[str, dt.datetime]]]:
    """Plain XML over the raw log: trace name → (activity, time) of its events."""
    ns = "{http://www.xes-standard.org/}"
    out: dict[str, list[tuple[str, dt.datetime]]] = {}
    with gzip.open(HELPDESK) as fh:
        for trace in ET.parse(fh).getroot().iter(f"{ns}trace"):
            name = next(
                a.get("value") for a in trace.findall(f"{ns}string") if a.get("key") == "concept:name"
            )
            events = []
            for ev in trace.iter(f"{ns}event"):
                attrs = {a.get("key"): a.get("value") for a in ev}
                events.append(
                    (str(attrs["concept:name"]), dt.datetime.fromisoformat(str(attrs["time:timestamp"])))
                )
            out[str(name)] = events
    return out


def _weekly(table: pa.Table, country: str) -> dict[dt.date, int]:
    found = [r for r in table.to_pylist() if r["kpi"] == "tickets_created" and r["grain"] == "week"]
    return {r["period_start"]: r["value"] for r in found if r["country"] == country and r["feature"] is None}


def test_helpdesk_xes_one_ticket_per_trace(real: pa.Table) -> None:
    traces = _helpdesk_traces()
    it = one(real, "tickets_created", "total", None, country="IT", region="EMEA")
    assert it["value"] == len(traces) == 4580
    zone = zoneinfo.ZoneInfo("Europe/Rome")
    weeks = Counter(
        period_start(min(t for _, t in evs).astimezone(zone).date(), "week") for evs in traces.values()
    )
    assert _weekly(real, "IT") == dict(weeks)
    responded = sum(any(a == "Take in charge ticket" for a, _ in evs) for evs in traces.values())
    resolved = sum(any(a == "Resolve ticket" for a, _ in evs) for evs in traces.values())
    fr = one(real, "ticket_first_response_business_hours", "total", None, country="IT", region="EMEA")
    res = one(real, "ticket_resolution_business_hours", "total", None, country="IT", region="EMEA")
    assert (fr["denominator"], res["denominator"]) == (responded, resolved)


def test_uwv_complaints_latin1_semicolon(real: pa.Table) -> None:
    with COMPLAINTS.open(encoding="latin-1", newline="") as fh:
        raw = list(csv.DictReader(fh, delimiter=";"))
    nl = one(real, "tickets_created", "total", None, country="NL", region="EMEA")
    assert (nl["value"], nl["n_users"]) == (len(raw), len({r["CustomerID"] for r in raw}))
    themes = Counter(r["ComplaintTheme_EN"] for r in raw)
    for theme, n in themes.items():
        assert (
            one(real, "tickets_created", "total", None, country="NL", region="EMEA", feature=theme)["value"]
            == n
        )
    weeks = Counter(period_start(dt.date.fromisoformat(r["ContactDate"]), "week") for r in raw)
    assert _weekly(real, "NL") == dict(weeks)
