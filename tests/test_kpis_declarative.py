"""Declarative KPIs: hand-computed golden values, project KPIs in uptake.yaml, errors, explain."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import make_project, one, run
from uptake.cli.main import app
from uptake.kpis.explain import explain
from uptake.kpis.spec import KpiDefinition
from uptake.project import ProjectError, load_project

# Berlin, go-live Monday 2026-03-02. Week 1 (03-02): u1 updates opportunities on two days, u2
# creates an account, u3 only logs in; u2's 23:30Z event on 03-04 is 00:30 on 03-05 in Berlin.
# Week 2 (03-09): u1 creates an account.
EVENTS = """\
event_id,user_id,ts,action,entity,c
1,u1,2026-03-02T09:00:00Z,update,opportunity,DE
2,u1,2026-03-03T09:00:00Z,update,opportunity,DE
3,u2,2026-03-02T10:00:00Z,create,account,DE
4,u2,2026-03-04T23:30:00Z,login,,DE
5,u3,2026-03-03T08:00:00Z,login,,DE
6,u1,2026-03-10T09:00:00Z,create,account,DE
"""
PROJECT = """
name: golden
timezone: Europe/Berlin
data_through: 2026-03-31T23:59:59Z
countries:
  - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-03-02}
privacy: {min_group_size: 1}
sources:
  - type: events
    path: events.csv
    mapping: {user: user_id, timestamp: ts, action: action, entity: entity, event_id: event_id, country: c}
kpis:
  - id: account_creators
    family: usage
    unit: share
    measure: {count: distinct_users, from: features, where: {entities: [account], actions: [create]}}
    per: eligible_users
    grains: [week, month]
    formula: users who created an account ÷ eligible users
    description: {en: Users creating accounts., de: "Nutzer, die Firmen anlegen."}
  - id: meaningful_events
    family: usage
    unit: count
    measure: {count: events, where: {active: true}}
    grains: [week, month]
    formula: meaningful events
    description: {en: Meaningful events., de: Sinnvolle Ereignisse.}
"""


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("golden")
    (folder / "events.csv").write_text(EVENTS, encoding="utf-8")
    return make_project(folder, PROJECT)


def test_builtin_and_project_declarative_kpis_golden_values(golden: Path) -> None:
    kv = run(golden, "2026-04-15T00:00:00+00:00").kpi_values
    values = {
        # active users: week 1 u1, u2 (u3 only logs in); week 2 u1; March u1, u2
        ("opportunity_updaters", "week", "2026-03-02"): (0.5, 1, 2),
        ("opportunity_updaters", "week", "2026-03-09"): (0.0, 0, 1),
        ("opportunity_updaters", "month", "2026-03-01"): (0.5, 1, 2),
        # active days: week 1 u1 2 + u2 1; March u1 3 + u2 1
        ("active_days_per_active_user", "week", "2026-03-02"): (1.5, 3, 2),
        ("active_days_per_active_user", "month", "2026-03-01"): (2.0, 4, 2),
        # eligible (users seen, no user list): u1, u2, u3 in both weeks
        ("account_creators", "week", "2026-03-02"): (1 / 3, 1, 3),
        ("account_creators", "week", "2026-03-09"): (1 / 3, 1, 3),
        ("account_creators", "month", "2026-03-01"): (2 / 3, 2, 3),
        ("meaningful_events", "week", "2026-03-02"): (3.0, 3, None),
        ("meaningful_events", "week", "2026-03-09"): (1.0, 1, None),
    }
    for (kpi, grain, start), (value, num, den) in values.items():
        r = one(kv, kpi, grain, start)
        assert (r["value"], r["numerator"], r["denominator"]) == pytest.approx((value, num, den)), kpi
        assert r["definition"] == f"{kpi}@1" and r["family"] == "usage"
    assert (
        one(kv, "account_creators", "week", "2026-03-02", region="EMEA", country="DE", phase="go_live")[
            "value"
        ]
        == 1 / 3
    )
    assert not [r for r in kv.to_pylist() if r["kpi"] == "account_creators" and r["grain"] == "total"]


def test_project_kpi_id_clash_names_file_and_line(tmp_path: Path) -> None:
    text = PROJECT.replace("id: meaningful_events", "id: active_users")
    folder = make_project(tmp_path, text)
    with pytest.raises(ProjectError) as exc:
        load_project(folder)
    [p] = exc.value.problems
    assert (p.key, p.line, p.found) == ("kpis.1.id", 20, "'active_users'")
    assert "built-in catalog" in p.message and str(p).startswith(f"{folder / 'uptake.yaml'}:20:")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"count": "distinct_users", "where": {"features": ["opportunity.update"]}},
            "needs 'from: features'",
        ),
        ({"count": "users"}, "Input should be 'distinct_users', 'events' or 'user_days'"),
        (
            {"count": "events", "from": "features", "where": {"features": ["opportunity.fly"]}},
            "unknown action",
        ),
        ({"count": "events", "from": "features", "where": {"active": True}}, "applies to 'from: user_day'"),
    ],
)
def test_invalid_measures_are_rejected(spec: dict[str, object], message: str) -> None:
    base = {
        "id": "x",
        "family": "usage",
        "unit": "count",
        "formula": "f",
        "description": {"en": "a", "de": "b"},
    }
    with pytest.raises(ValueError, match=message):
        KpiDefinition.model_validate({**base, "measure": spec})


def test_share_needs_a_denominator() -> None:
    base = {
        "id": "x",
        "family": "usage",
        "unit": "share",
        "formula": "f",
        "description": {"en": "a", "de": "b"},
    }
    with pytest.raises(ValueError, match="needs a denominator"):
        KpiDefinition.model_validate({**base, "measure": {"count": "distinct_users"}})


def test_kpis_lists_project_kpis_and_explain_shows_compiled_sql(golden: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["kpis", str(golden)], terminal_width=250)
    assert listed.exit_code == 0, listed.output
    assert "account_creators@1" in listed.output and "active_users@1" in listed.output
    shown = runner.invoke(app, ["explain", "account_creators", "--project", str(golden)])
    assert shown.exit_code == 0, shown.output
    assert (
        "count distinct_users from features where actions in [create] and entities in [account]"
        in shown.output
    )
    assert 'FROM "user_feature_day"' in shown.output and "eligible_day" in shown.output
    text = explain("opportunity_updaters", "month", "all")
    assert "per active_users" in text and "SELECT" in text
