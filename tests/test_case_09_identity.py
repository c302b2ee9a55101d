"""Case 09-identity-merge-double-count: identity links apply to all history; placeholders excluded."""

from __future__ import annotations

from pathlib import Path

from conftest import case_file, d, make_project, rows, run

CASE = "09-identity-merge-double-count"

PROJECT = """
name: case 09
timezone: Europe/Berlin
day_mode: project
countries: [{code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-11-01}]
privacy: {min_group_size: 1}
sources:
  - type: events
    path: events.csv
    mapping: {user: distinct_id, timestamp: ts, event_id: event_id, action: event}
    action_map: {page_view: view, record_opened: view, record_updated: update}
  - type: identity-links
    path: identity_links.csv
    mapping: {alias: alias_id, canonical: canonical_user_id, linked_at: linked_at}
"""


def test_links_apply_retroactively_and_placeholders_are_no_person(tmp_path: Path) -> None:
    files = [case_file(CASE, "events.csv"), case_file(CASE, "identity_links.csv")]
    kv = run(make_project(tmp_path, PROJECT, files), "2026-11-30T12:00:00+01:00").kpi_values
    daily = {r["period_start"]: r["value"] for r in rows(kv, "present_users", "day")}
    assert daily == {d("2026-11-10"): 1, d("2026-11-11"): 2, d("2026-11-12"): 1}
    (month,) = rows(kv, "present_users", "month")
    assert month["value"] == 2  # u-42 (with its alias anon-7f3a) and u-77; not 3, not 4
    (unresolved,) = rows(kv, "unresolved_placeholder_events", "total")
    assert (unresolved["value"], unresolved["denominator"]) == (2, 7)


def test_chained_links_resolve_to_the_last_id(tmp_path: Path) -> None:
    (tmp_path / "events.csv").write_text(
        "id,user,ts\n1,a,2026-11-10T10:00:00Z\n2,b,2026-11-10T11:00:00Z\n3,c,2026-11-10T12:00:00Z\n"
    )
    (tmp_path / "links.csv").write_text("alias,canonical\na,b\nb,c\n")
    project = """
    name: chains
    countries: [{code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-11-01}]
    privacy: {min_group_size: 1}
    sources:
      - {type: events, path: events.csv, mapping: {user: user, timestamp: ts, event_id: id}}
      - {type: identity-links, path: links.csv, mapping: {alias: alias, canonical: canonical}}
    """
    kv = run(make_project(tmp_path, project), "2026-12-01T00:00:00+00:00").kpi_values
    assert [r["value"] for r in rows(kv, "present_users", "day")] == [1]
