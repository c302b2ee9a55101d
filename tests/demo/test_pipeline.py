"""The demo through the real pipeline: ``uptake run`` on the generated folder, the truths in
``kpi_values``."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from .demo_raw import fact


@pytest.fixture(scope="module")
def kpis(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    project = tmp_path_factory.mktemp("demo-run") / "p"
    shutil.copytree(demo_dir, project)
    cmd = [sys.executable, "-c", "from uptake.cli.main import app; app()", "run", str(project)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return pd.read_parquet(project / "out" / "kpi_values.parquet")


def _weekly_active(kpis: pd.DataFrame, country: str) -> list[int]:
    rows = kpis[
        (kpis["kpi"] == "active_users")
        & (kpis["grain"] == "since_go_live_week")
        & (kpis["country"] == country)
        & kpis["team"].isna()
        & kpis["role"].isna()
        & (kpis["weeks_since_go_live"] >= 0)
    ].sort_values("weeks_since_go_live")
    return [int(v) for v in rows["value"]]


def test_scorecard_covers_every_country(kpis: pd.DataFrame, truth: dict[str, Any]) -> None:
    got = set(kpis.loc[kpis["kpi"] == "active_users", "country"].dropna())
    assert got == {c["code"] for c in truth["countries"]}


def test_stall_is_visible_in_kpi_values(kpis: pd.DataFrame, truth: dict[str, Any]) -> None:
    stall = fact(truth, "adoption_stall")
    fr = _weekly_active(kpis, stall["country"])
    assert len(fr) == len(stall["wau_by_week_since_go_live"])
    assert max(fr[5:]) <= math.ceil(1.1 * fr[5])
    de = _weekly_active(kpis, "DE")
    assert de[-1] >= 1.2 * de[5]


def test_weekly_active_users_equal_the_truth(kpis: pd.DataFrame, truth: dict[str, Any]) -> None:
    for country in ("FR", "DE", "GB"):
        want = truth["realised"]["wau"][country]
        got = _weekly_active(kpis, country)
        go_live_week = next(
            w
            for w, c in enumerate(truth["realised"]["weeks"])
            if c == next(x["go_live"] for x in truth["countries"] if x["code"] == country)
        )
        assert got == want[go_live_week:]
