"""Training (uptake.sources.training, uptake.kpis.training) from xAPI statements, hand-computed.

DE go-live Mon 2026-03-02; four eligible users. u1 completes a course on 02-20 (before go-live, first
active 03-02: 10 days), u2 on 03-05 (after go-live; first active 03-09: 4 days), u3 attends an info
session, u4 does nothing; registrations are skipped.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from conftest import make_project, one, run

USERS = "user_id,email,country\nu1,u1@x.de,DE\nu2,u2@x.de,DE\nu3,u3@x.de,DE\nu4,u4@x.de,DE\n"
EVENTS = "user,ts,action\nu1,2026-03-02T10:00:00Z,update\nu2,2026-03-09T10:00:00Z,update\n"
V = "http://adlnet.gov/expapi/verbs/"


def _st(
    n: int, who: str, verb: str, ts: str, obj: str = "crm-basics", kind: str = "course"
) -> dict[str, object]:
    return {
        "id": f"s{n}",
        "actor": {"objectType": "Agent", "mbox": f"mailto:{who}"},
        "verb": {"id": V + verb},
        "object": {
            "id": f"https://lms/{obj}",
            "definition": {"type": f"http://adlnet.gov/expapi/activities/{kind}"},
        },
        "timestamp": ts,
    }


STATEMENTS = [
    _st(1, "u1@x.de", "registered", "2026-02-18T09:00:00Z"),
    _st(2, "U1@x.de", "completed", "2026-02-20T09:00:00Z"),
    _st(3, "u2@x.de", "passed", "2026-03-05T09:00:00Z"),
    _st(4, "u3@x.de", "attended", "2026-02-27T09:00:00Z", "kickoff", "meeting"),
]
PROJECT = """
name: training
countries:
  - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-03-02}
privacy: {min_group_size: 1}
sources:
  - {type: users, path: users.csv, mapping: {user_id: user_id, email: email, country: country}}
  - {type: events, name: ev, path: events.csv, mapping: {user: user, timestamp: ts}, default_action: update}
  - {type: training, name: lrs, format: xapi, path: statements.json}
"""


@pytest.fixture(scope="module")
def kv(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    folder = tmp_path_factory.mktemp("training")
    (folder / "users.csv").write_text(USERS, encoding="utf-8")
    (folder / "events.csv").write_text(EVENTS, encoding="utf-8")
    (folder / "statements.json").write_text(
        json.dumps({"statements": STATEMENTS, "more": ""}), encoding="utf-8"
    )
    return run(make_project(folder, PROJECT), "2026-03-20T00:00:00+00:00").kpi_values


def test_training_completion_rate_before_go_live(kv: pa.Table) -> None:
    r = one(kv, "training_completion_rate", "total", None)
    assert (r["numerator"], r["denominator"], r["value"]) == (1, 4, 0.25)
    de = one(kv, "training_completion_rate", "total", None, country="DE", region="EMEA")
    assert (de["numerator"], de["denominator"]) == (1, 4)


def test_info_session_attendance(kv: pa.Table) -> None:
    r = one(kv, "info_session_attendance", "total", None)
    assert (r["numerator"], r["denominator"]) == (1, 4)


def test_training_to_first_activity_days(kv: pa.Table) -> None:
    r = one(kv, "training_to_activity_days", "total", None)
    assert (r["value"], r["numerator"], r["denominator"]) == (7.0, 14.0, 2)
