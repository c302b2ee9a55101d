"""examples/volvo-it (BPIC 2013 incidents) end to end, checked against the raw XES read
independently here with gzip + xml.etree iterparse."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
import xml.etree.ElementTree as ET
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from conftest import DATA, one, run
from uptake import pipeline

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "volvo-it"
XES = DATA / "bpic2013-volvo-it-incidents-problems" / "BPIC13_incidents.xes.gz"
EXCLUDED = {"Siebel", "-"}
WEEK = dt.date(2012, 4, 16)  # a Monday

pytestmark = pytest.mark.slow


def _config() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load((EXAMPLE / "uptake.yaml").read_text(encoding="utf-8"))
    return data


def _raw_events() -> Iterator[dict[str, str]]:
    with gzip.open(XES) as fh:
        for _, el in ET.iterparse(fh):
            if el.tag.rpartition("}")[2] == "event":
                yield {child.get("key", ""): child.get("value", "") for child in el}
                el.clear()


@pytest.fixture(scope="module")
def expected() -> dict[str, object]:
    """Distinct agents per country, and agents active in Sweden in WEEK, from the raw log."""
    cfg = _config()
    lookup: dict[str, str] = {}
    zones: dict[str, str] = {}
    for c in cfg["countries"]:  # type: ignore[attr-defined]
        zones[c["code"]] = c["timezone"]
        for alias in (c["code"], c.get("name"), *c.get("match", [])):
            if alias:
                lookup[alias.casefold()] = c["code"]
    action_map = cfg["sources"][0]["action_map"]  # type: ignore[index]
    meaningful = set(cfg["activity"]["meaningful_actions"])  # type: ignore[index]
    stockholm = zoneinfo.ZoneInfo(zones["SE"])
    agents: dict[str, set[str]] = {}
    active_se: set[str] = set()
    unknown = 0
    for e in _raw_events():
        user = e["org:resource"]
        if user in EXCLUDED:
            continue
        code = lookup.get(e["resource country"].casefold())
        if code is None:
            unknown += 1
            continue
        agents.setdefault(code, set()).add(user)
        if code == "SE" and action_map.get(e["lifecycle:transition"], "other") in meaningful:
            day = dt.datetime.fromisoformat(e["time:timestamp"]).astimezone(stockholm).date()
            if WEEK <= day < WEEK + dt.timedelta(days=7):
                active_se.add(user)
    return {"agents": agents, "active_se": active_se, "unknown": unknown}


@pytest.fixture(scope="module")
def volvo(tmp_path_factory: pytest.TempPathFactory) -> pipeline.RunResult:
    # Same depth below a folder that has shared/ beside it, so the relative data path resolves.
    root = tmp_path_factory.mktemp("volvo")
    folder = root / "repo" / "examples" / "volvo-it"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("out", "*.duckdb*"))
    (root / "shared").symlink_to(DATA.parent)
    return run(folder, "2012-06-01T00:00:00+00:00")


def test_every_real_country_is_configured(expected: dict[str, object]) -> None:
    assert len(expected["agents"]) == 31  # type: ignore[arg-type]


def test_distinct_agents_per_country(volvo: pipeline.RunResult, expected: dict[str, object]) -> None:
    agents: dict[str, set[str]] = expected["agents"]  # type: ignore[assignment]
    kv = volvo.kpi_values
    listed = {
        code: one(kv, "present_users", "total", None, country=code, region=row_region)["value"]
        for code in agents
        for row_region in [volvo.project.country(code).region]
        if len(agents[code]) >= volvo.project.privacy.min_group_size
    }
    assert listed == {c: len(a) for c, a in agents.items() if len(a) >= 5}
    assert len(listed) == 18


def test_active_agents_of_sweden_in_one_week(volvo: pipeline.RunResult, expected: dict[str, object]) -> None:
    # weekly country rows carry the phase of the week (two years after go-live: stabilization)
    row = one(
        volvo.kpi_values,
        "active_users",
        "week",
        WEEK.isoformat(),
        country="SE",
        region="EMEA",
        phase="stabilization",
    )
    assert row["value"] == len(expected["active_se"])  # type: ignore[arg-type]
    assert not row["suppressed"]


def test_unknown_country_is_quarantined_with_a_reason(
    volvo: pipeline.RunResult, expected: dict[str, object]
) -> None:
    assert sum(r.rows_quarantined for r in volvo.loads) == 6380
    assert sum(r.rows_read for r in volvo.loads) == 65533
