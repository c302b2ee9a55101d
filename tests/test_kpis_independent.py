"""Every KPI of a generated multi-country project, recomputed by an independent route.

The pipeline's ``kpi_values`` are compared with plain Python over the raw fixture records
(``kpi_oracle``): same rows (no missing, no extra), same numerator, denominator and n_users, and the
same value (exact for counts and shares; floats within 1e-12 relative for medians and sums of
durations). A KPI in ``kpi_values`` must have an oracle or be listed in ``PENDING``.
"""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

import kpi_fixture
from conftest import run
from kpi_oracle import Key, Row, World, key
from kpi_oracle_kpis import ORACLES

_BEING_WRITTEN = "its family is being written by another engineer (issue 3); add its oracle when it lands"
PENDING: dict[str, str] = {
    # KPI id → why it has no independent check yet. Remove an entry when its oracle lands.
    **dict.fromkeys(
        ("sessions", "session_minutes_median", "session_minutes_p90", "active_minutes_per_active_user"),
        _BEING_WRITTEN,
    ),
    **dict.fromkeys(("active_users_rolling_7d", "active_users_rolling_28d"), _BEING_WRITTEN),
    **dict.fromkeys(("stickiness", "stickiness_calendar"), _BEING_WRITTEN),
    **dict.fromkeys(("retention", "retention_mature"), _BEING_WRITTEN),
    **dict.fromkeys(("depth", "breadth", "feature_adoption", "adoption_score"), _BEING_WRITTEN),
    "unresolved_placeholder_events": _BEING_WRITTEN,
    "overdue_open_deals": "the fixture has no estimated close dates",
    **dict.fromkeys(
        (
            "record_completeness",
            "record_completeness_snapshot",
            "missing_field_share",
            "stale_record_share",
            "data_quality_score",
        ),
        "checked against the raw Maven and Olist CSVs in tests/test_example_maven.py and tests/quality/",
    ),
    # leads and cases (lead_conversion_rate, case_* …) are absent: the fixture has no leads or cases
}


@pytest.fixture(scope="module")
def world() -> World:
    return World(kpi_fixture.build())


@pytest.fixture(scope="module")
def kpi_values(world: World, tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    folder = kpi_fixture.write(world.fx, tmp_path_factory.mktemp("independent"))
    return run(folder, "2026-05-01T00:00:00+00:00").kpi_values


def _actual(kv: pa.Table, kpi: str) -> dict[Key, Row]:
    out: dict[Key, Row] = {}
    for r in kv.to_pylist():
        if r["kpi"] == kpi:
            k = key(kpi, r["grain"], r)
            assert k not in out, f"duplicate row {k}"
            out[k] = (r["value"], r["numerator"], r["denominator"], r["n_users"])
    return out


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b or math.isclose(a, b, rel_tol=1e-12)


def test_every_kpi_has_an_independent_check_or_is_pending(kpi_values: pa.Table) -> None:
    present = set(kpi_values["kpi"].to_pylist())
    unchecked = sorted(present - set(ORACLES) - set(PENDING))
    assert not unchecked, f"KPIs without an independent check: {unchecked}; add an oracle or a PENDING entry"
    assert not set(ORACLES) & set(PENDING)


def test_fixture_covers_the_edges(world: World) -> None:
    users = {v.user for v in world.fx.versions}
    assert len({c.tz for c in world.fx.countries}) == 3 and len({c.go_live for c in world.fx.countries}) == 3
    assert any(not v.enabled for v in world.fx.versions) and any(not v.human for v in world.fx.versions)
    assert any(sum(1 for v in world.fx.versions if v.user == u and v.enabled) > 1 for u in users)
    assert any(e.ts.hour in (22, 23) or e.ts.hour == 0 for e in world.fx.events)


@pytest.mark.parametrize("kpi", sorted(ORACLES))
def test_kpi_matches_independent_route(kpi: str, world: World, kpi_values: pa.Table) -> None:
    expected = {k: v for k, v in ORACLES[kpi](world).items() if k[0] == kpi}
    actual = _actual(kpi_values, kpi)
    assert expected, f"the fixture yields no {kpi} rows; extend it"
    missing, extra = (
        sorted(set(expected) - set(actual), key=str),
        sorted(set(actual) - set(expected), key=str),
    )
    assert not missing and not extra, (
        f"missing {missing[:5]} (of {len(missing)}); extra {extra[:5]} (of {len(extra)})"
    )
    wrong = [
        (k, actual[k], expected[k])
        for k in sorted(expected, key=str)
        if not all(_same(a, b) for a, b in zip(actual[k], expected[k], strict=True))
    ]
    assert not wrong, (
        f"{len(wrong)} of {len(expected)} rows differ, e.g. (key, pipeline, independent): {wrong[:3]}"
    )
