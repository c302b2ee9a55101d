"""Independent readers of the generated files (stdlib json/csv + zoneinfo), so tests check the
injected truths in the raw data without going through the generator's own code."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zoneinfo
from collections import defaultdict
from pathlib import Path
from typing import Any

MEANINGFUL_OPERATIONS = {1, 2, 3}


def pages(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for page in sorted(folder.glob("*.json")):
        rows.extend(json.loads(page.read_text(encoding="utf-8"))["value"])
    return rows


def user_countries(demo: Path, truth: dict[str, Any]) -> dict[str, str]:
    """systemuserid → ISO country, from systemuser's free-text ``address1_country``."""
    by_name = {c["local_name"]: c["code"] for c in truth["countries"]}
    return {
        u["systemuserid"]: by_name[u["address1_country"]]
        for u in pages(demo / "dataverse" / "systemusers")
        if u["address1_country"] and not u["isintegrationuser"]
    }


def active_days(demo: Path, truth: dict[str, Any]) -> dict[str, set[tuple[str, dt.date]]]:
    """Country → {(user, local date)} with a meaningful, non-impersonated audit row."""
    country = user_countries(demo, truth)
    zones = {c["code"]: zoneinfo.ZoneInfo(c["timezone"]) for c in truth["countries"]}
    out: dict[str, set[tuple[str, dt.date]]] = defaultdict(set)
    for row in pages(demo / "dataverse" / "audits"):
        user = row["_userid_value"]
        if (
            row["operation"] not in MEANINGFUL_OPERATIONS
            or row["_callinguserid_value"]
            or user not in country
        ):
            continue
        ts = dt.datetime.fromisoformat(row["createdon"].replace("Z", "+00:00"))
        out[country[user]].add((user, ts.astimezone(zones[country[user]]).date()))
    return out


def weekly_active(days: set[tuple[str, dt.date]], monday: dt.date) -> int:
    return len({u for u, d in days if monday <= d < monday + dt.timedelta(days=7)})


def read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def nps(scores: list[int]) -> float:
    return 100.0 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def fact(truth: dict[str, Any], kind: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in truth["facts"] if f["kind"] == kind)
    return found
