"""The shared cases about Dataverse audit data, read through the dataverse-audit source.

Cases: ``12-dataverse-user-access-not-logins`` and ``13-dataverse-changedata-parsing``.
"""

from __future__ import annotations

import json
import zoneinfo
from collections import defaultdict

from connectors.helpers import CASES, context, rows
from uptake.project.source_configs import DataverseAuditSource
from uptake.sources.dataverse.file_sources import DataverseAuditFileSource
from uptake.vocab import MEANINGFUL_ACTIONS_DEFAULT

CASE_12 = CASES / "12-dataverse-user-access-not-logins"
CASE_13 = CASES / "13-dataverse-changedata-parsing"


def read(path: object) -> list:
    config = DataverseAuditSource(type="dataverse-audit", path=str(path))
    return list(DataverseAuditFileSource(config, "dv").chunks(context()))


def test_case_12_access_rows_are_check_points_not_logins() -> None:
    activity = rows(read(CASE_12 / "audit.csv"), "activity")
    assert len(activity) == 10
    assert not [r for r in activity if r["action"] == "login"]
    check_points = defaultdict(int)
    for r in activity:
        if r["raw_action_code"] == "64":
            check_points[r["user_id"]] += 1
    assert dict(check_points) == {"anna": 3, "clara": 1}
    admin = next(r for r in activity if r["user_id"] == "admin1")
    assert (admin["action"], admin["raw_action_code"]) == ("other", "112")
    # the case's active days, by an independent route over the canonical rows (local day, Berlin)
    zone = zoneinfo.ZoneInfo(json.loads((CASE_12 / "config.json").read_text())["timezone"])
    counted = {*MEANINGFUL_ACTIONS_DEFAULT, "access"}
    humans = {"anna", "ben", "clara", "admin1"}  # svc-sync is an application user (users table)
    days: dict[str, set[str]] = defaultdict(set)
    for r in activity:
        if r["user_id"] in humans and r["action"] in counted:
            local = r["ts"].replace(tzinfo=zoneinfo.ZoneInfo("UTC")).astimezone(zone).date()
            days[r["user_id"]].add(local.isoformat())
    assert dict(days) == {"anna": {"2026-11-16"}, "ben": {"2026-11-17"}, "clara": {"2026-11-17"}}
    changes = {
        u: sum(1 for r in activity if r["user_id"] == u and r["action"] in ("create", "update", "delete"))
        for u in ("anna", "ben", "clara")
    }
    assert changes == {"anna": 1, "ben": 2, "clara": 0}


def test_case_13_changedata_rows_and_diagnostics() -> None:
    chunks = read(CASE_13 / "audit_export.csv")
    changes = rows(chunks, "audit_changes")
    got = sorted((c["event_id"], c["entity"], c["column"], c["old_value"], c["new_value"]) for c in changes)
    assert got == sorted(
        [
            ("b01", "account", "name", "Müller Bau GmbH", "Müller Bau GmbH & Co. KG"),
            ("b01", "account", "telephone1", None, "+49 30 1234567"),
            (
                "b02",
                "contact",
                "description",
                "alt",
                'Kunde sagt: "bitte nur per E-Mail", danke\nZweite Zeile',
            ),
            ("b03", "contact", "firstname", None, "Jürgen"),
            ("b03", "contact", "lastname", None, "Weiß"),
            ("b04", "opportunity", "statuscode", "1", "2"),
            ("b04", "opportunity", "estimatedvalue", "1000.5", "1200"),
        ]
    )
    activity_chunk = next(c for c in chunks if c.table == "activity")
    assert activity_chunk.rows.num_rows == 7 and activity_chunk.rows_read == 7  # no event lost
    unparsed = [(r.row, r.column, r.reason, r.kept) for r in activity_chunk.rejected]
    assert unparsed == [
        (5, "changedata", 'not JSON: legacy delimited old-values format, attributemask ",35,71,"', True),
        (7, "changedata", "invalid JSON: truncated", True),
    ]
