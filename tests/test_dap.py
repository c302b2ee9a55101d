"""DAP events (uptake.sources.dap, uptake.kpis.dap) from a hand-built WalkMe-style export,
hand-computed.

DE go-live Mon 2026-03-02 (weeks W1 = 03-02, W2 = 03-09); competence at 2 completions without help.
u1 (by e-mail) starts "lead" three times in W1 and completes each: the 03-03 completion follows a
help-opened since its start, so it is not clean (the count restarts): clean completions 03-02 and
03-05 → 3 days from the first event. u2 fails "lead" on 03-03, completes it on 03-10 and 03-12
(a help-opened on 03-11 lies before the 03-12 start, so it does not count) → 9 days. u3 completes
"case" once after help: not competent, not counted. One row has an unknown status (quarantined).

Attempts: W1 lead u1 ×3 done, u2 ×1 failed, case u3 ×1 done → 4 of 5; W2 lead u2 ×2 done → 2 of 2.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from conftest import make_project, one, rows, run
from uptake.pipeline import RunResult

USERS = "user_id,email,country\nu1,u1@x.de,DE\nu2,u2@x.de,DE\nu3,u3@x.de,DE\n"
EVENTS = "user,ts,action\nu1,2026-03-02T10:00:00Z,update\n"
EXPORT = """User,Timestamp,Flow,Step,Status
U1@x.de,2026-03-02T09:00:00Z,lead,,Flow Played
U1@x.de,2026-03-02T09:05:00Z,lead,2,step
u1@x.de,2026-03-02T09:10:00Z,lead,3,Flow Completed
u1@x.de,2026-03-03T09:00:00Z,lead,,Flow Played
u1@x.de,2026-03-03T09:02:00Z,lead,2,Help-Opened
u1@x.de,2026-03-03T09:05:00Z,lead,3,Flow Completed
u1@x.de,2026-03-05T09:00:00Z,lead,,started
u1@x.de,2026-03-05T09:05:00Z,lead,3,COMPLETED
u2,2026-03-03T10:00:00Z,lead,,started
u2,2026-03-03T10:05:00Z,lead,2,failed
u2,2026-03-10T10:00:00Z,lead,,started
u2,2026-03-10T10:05:00Z,lead,3,completed
u2,2026-03-11T10:00:00Z,lead,,help opened
u2,2026-03-12T10:00:00Z,lead,,started
u2,2026-03-12T10:01:00Z,lead,3,completed
u3,2026-03-04T10:00:00Z,case,,started
u3,2026-03-04T10:01:00Z,case,1,help_opened
u3,2026-03-04T10:05:00Z,case,2,completed
u3,2026-03-04T10:06:00Z,case,2,Flow Skipped
"""
PROJECT = """
name: dap
countries:
  - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-03-02}
privacy: {min_group_size: 1}
dap: {competence_completions: 2}
sources:
  - {type: users, path: users.csv, mapping: {user_id: user_id, email: email, country: country}}
  - {type: events, name: ev, path: events.csv, mapping: {user: user, timestamp: ts}, default_action: update}
  - type: dap
    name: walkme
    path: flows.csv
    mapping: {user: User, timestamp: Timestamp, flow: Flow, step: Step, status: Status}
    status_map: {flow played: started, Flow Completed: completed}
"""
W1, W2 = "2026-03-02", "2026-03-09"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    folder = tmp_path_factory.mktemp("dap")
    for name, text in (("users.csv", USERS), ("events.csv", EVENTS), ("flows.csv", EXPORT)):
        (folder / name).write_text(text, encoding="utf-8")
    return run(make_project(folder, PROJECT), "2026-03-20T00:00:00+00:00")


@pytest.fixture(scope="module")
def kv(result: RunResult) -> pa.Table:
    return result.kpi_values


def test_load_quarantines_unknown_status(result: RunResult) -> None:
    (load,) = [x for x in result.loads if x.source == "walkme"]
    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (19, 18, 1)


def test_flow_completion_rate_per_week_month_total(kv: pa.Table) -> None:
    w1 = one(kv, "dap_flow_completion_rate", "week", W1)
    assert (w1["numerator"], w1["denominator"], w1["value"], w1["n_users"]) == (4, 5, 0.8, 3)
    w2 = one(kv, "dap_flow_completion_rate", "week", W2, country="DE", region="EMEA", phase="go_live")
    assert (w2["numerator"], w2["denominator"], w2["value"]) == (2, 2, 1.0)
    month = one(kv, "dap_flow_completion_rate", "month", "2026-03-01", region="EMEA")
    assert (month["numerator"], month["denominator"]) == (6, 7)
    lead = one(kv, "dap_flow_completion_rate", "total", None, feature="lead")
    assert (lead["numerator"], lead["denominator"], lead["n_users"]) == (5, 6, 2)
    case = one(kv, "dap_flow_completion_rate", "total", None, feature="case")
    assert (case["numerator"], case["denominator"]) == (1, 1)


def test_time_to_competence_days(kv: pa.Table) -> None:
    r = one(kv, "time_to_competence_days", "total", None)
    assert (r["value"], r["numerator"], r["denominator"], r["n_users"]) == (6.0, 12.0, 2, 2)
    de = one(kv, "time_to_competence_days", "total", None, country="DE", region="EMEA", feature="lead")
    assert (de["value"], de["numerator"], de["denominator"]) == (6.0, 12.0, 2)
    assert rows(kv, "time_to_competence_days", "total", feature="case") == []
