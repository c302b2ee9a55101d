"""Depth, breadth, feature adoption against the roles' expected features, and the adoption score
(hand-computed values on a small project; the score recomputed from the other kpi_values rows)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from conftest import make_project, one, run
from uptake.kpis import engine
from uptake.project.kpi_settings import AdoptionScore, RoleFeatures

USERS = """user_id,role,team
a,Sales,T1
b,Sales,T1
c,Sales,T2
d,Service,T2
e,Service,T1
"""

EVENTS = [
    # week of Mon 2026-03-02 (go-live)
    ("a", "2026-03-02T09:00:00", "opportunity", "create"),
    ("a", "2026-03-03T09:00:00", "opportunity", "win"),
    ("a", "2026-03-03T10:00:00", "lead", "qualify"),
    ("a", "2026-03-04T10:00:00", "opportunity", "view"),  # not meaningful: no feature
    ("b", "2026-03-02T11:00:00", "opportunity", "create"),
    ("b", "2026-03-05T11:00:00", "opportunity", "create"),
    ("c", "2026-03-04T12:00:00", "account", "update"),  # a feature outside every role's list
    ("d", "2026-03-02T13:00:00", "incident", "resolve"),
    ("d", "2026-03-06T13:00:00", "opportunity", "create"),  # not expected of Service
    # week of Mon 2026-03-09
    ("a", "2026-03-09T09:00:00", "opportunity", "create"),
    ("d", "2026-03-10T09:00:00", "incident", "create"),
]

YAML = """
name: depth and score
timezone: Europe/Berlin
data_through: 2026-03-15T00:00:00+01:00
countries:
  - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-03-02}
privacy:
  min_group_size: 2
roles:
  Sales: {features: [opportunity.create, opportunity.win, lead.qualify]}
  Service: {features: [incident.resolve, incident.create]}
sources:
  - type: users
    path: users.csv
    mapping: {user_id: user_id, role: role, team: team}
    defaults: {country: DE}
  - type: events
    path: events.csv
    timezone: Europe/Berlin
    mapping: {user: user_id, timestamp: ts, entity: entity, action: action, event_id: event_id}
"""


@pytest.fixture(scope="module")
def kv(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    folder = tmp_path_factory.mktemp("depth")
    (folder / "users.csv").write_text(USERS, encoding="utf-8")
    lines = ["event_id,user_id,ts,entity,action"] + [f"e{i},{','.join(e)}" for i, e in enumerate(EVENTS)]
    (folder / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    make_project(folder, YAML)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "PRODUCERS", ("uptake.kpis.usage", "uptake.kpis.depth"))
        return run(folder, "2026-03-20T00:00:00+00:00").kpi_values


def _vnd(r: dict[str, Any]) -> tuple[Any, Any, Any]:
    return r["value"], r["numerator"], r["denominator"]


def test_depth_is_distinct_features_per_active_user(kv: pa.Table) -> None:
    # week 1: a 3 features, b 1, c 1, d 2 (a's view is no feature) → 7 / 4
    assert _vnd(one(kv, "depth", "week", "2026-03-02")) == (1.75, 7, 4)
    # month: d adds incident.create → 8 / 4; week 2: a 1, d 1
    assert _vnd(one(kv, "depth", "month", "2026-03-01")) == (2.0, 8, 4)
    assert _vnd(one(kv, "depth", "week", "2026-03-09")) == (1.0, 2, 2)
    assert _vnd(
        one(kv, "depth", "week", "2026-03-02", region="EMEA", country="DE", role="Sales", phase="go_live")
    ) == (
        5 / 3,
        5,
        3,
    )


def test_breadth_against_the_roles_catalogue(kv: pa.Table) -> None:
    # catalogue = 5 expected features; week 1 uses 4 of them (account.update is not in it)
    assert _vnd(one(kv, "breadth", "week", "2026-03-02")) == (0.8, 4, 5)
    assert _vnd(one(kv, "breadth", "month", "2026-03-01")) == (1.0, 5, 5)


def test_feature_adoption_per_feature_and_pooled(kv: pa.Table) -> None:
    week = {
        f: _vnd(one(kv, "feature_adoption", "week", "2026-03-02", feature=f))
        for f in (
            "opportunity.create",
            "opportunity.win",
            "lead.qualify",
            "incident.resolve",
            "incident.create",
        )
    }
    # Sales targets a, b, c; Service targets d, e. d's opportunity.create does not count.
    assert week == {
        "opportunity.create": (2 / 3, 2, 3),
        "opportunity.win": (1 / 3, 1, 3),
        "lead.qualify": (1 / 3, 1, 3),
        "incident.resolve": (0.5, 1, 2),
        "incident.create": (0.0, 0, 2),
    }
    assert _vnd(one(kv, "feature_adoption", "week", "2026-03-02")) == (5 / 13, 5, 13)
    assert _vnd(one(kv, "feature_adoption", "month", "2026-03-01")) == (6 / 13, 6, 13)
    sales = one(
        kv,
        "feature_adoption",
        "week",
        "2026-03-02",
        region="EMEA",
        country="DE",
        role="Sales",
        phase="go_live",
    )
    assert _vnd(sales) == (4 / 9, 4, 9)
    assert not [
        r for r in kv.to_pylist() if r["kpi"] == "feature_adoption" and r["feature"] == "account.update"
    ]


def test_adoption_score_by_hand(kv: pa.Table) -> None:
    # activation 4/5 = 0.8 → 1.0 (target 0.8); feature adoption 5/13 ÷ 0.8; depth (1.75 − 1) ÷ 3
    row = one(kv, "adoption_score", "week", "2026-03-02")
    want = 100 * (0.4 * 1.0 + 0.35 * (5 / 13) / 0.8 + 0.25 * 0.25) / 1.0
    assert row["value"] == pytest.approx(want, rel=1e-12)
    assert row["value"] == pytest.approx(63.0769230769, abs=1e-9)
    assert row["denominator"] == pytest.approx(1.0)
    assert AdoptionScore().band(row["value"]) == "good"


_KEYS = ("grain", "period_start", "weeks_since_go_live", "phase", "region", "country", "team", "role")


def test_adoption_score_reproducible_from_published_rows(kv: pa.Table) -> None:
    settings = AdoptionScore()
    specs = {i.kpi: i for i in settings.inputs}
    by_key: dict[tuple[Any, ...], dict[str, float]] = {}
    for r in kv.to_pylist():
        if r["kpi"] in specs and r["feature"] is None and r["value"] is not None:
            by_key.setdefault(tuple(r[k] for k in _KEYS), {})[r["kpi"]] = r["value"]
    scores = [r for r in kv.to_pylist() if r["kpi"] == "adoption_score"]
    assert len(scores) > 10
    partial = 0
    for s in scores:
        inputs = by_key[tuple(s[k] for k in _KEYS)]
        weight = sum(specs[k].weight for k in inputs)
        points = sum(
            specs[k].weight * min(max((v - specs[k].floor) / (specs[k].target - specs[k].floor), 0), 1)
            for k, v in inputs.items()
        )
        assert s["value"] == pytest.approx(100 * points / weight, rel=1e-12), s
        partial += len(inputs) < len(specs)
    # the Service role's depth (one active user) is suppressed: its score uses the other two inputs
    service = one(
        kv,
        "adoption_score",
        "week",
        "2026-03-02",
        region="EMEA",
        country="DE",
        role="Service",
        phase="go_live",
    )
    assert service["denominator"] == pytest.approx(0.75)
    assert partial > 0


def test_score_settings_validate() -> None:
    with pytest.raises(ValueError, match="target must be above floor"):
        AdoptionScore.model_validate({"inputs": [{"kpi": "depth", "weight": 1, "floor": 2, "target": 1}]})
    with pytest.raises(ValueError, match="unique"):
        AdoptionScore.model_validate(
            {"inputs": [{"kpi": "depth", "weight": 1}, {"kpi": "depth", "weight": 2}]}
        )
    assert AdoptionScore().band(39.9) == "low" and AdoptionScore().band(80) == "leading"
    with pytest.raises(ValueError, match=r"entity\.action"):
        RoleFeatures.model_validate({"features": ["opportunity.close"]})
