"""Early-warning signals on a KPI series.

Only complete periods are scored: the still-running day or week is shown as provisional but never
alerted on (a half-filled period always looks like a collapse).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Point:
    period_start: dt.date
    value: float
    is_complete: bool


@dataclass(frozen=True)
class ZScoreRule:
    baseline: int = 7
    """Number of complete periods before the evaluated one that form the baseline."""
    threshold: float = 3.0
    std: Literal["sample", "population"] = "sample"


@dataclass(frozen=True)
class Signal:
    period_start: dt.date
    value: float
    baseline_mean: float
    baseline_sd: float
    z: float
    alert: bool
    direction: Literal["drop", "rise", "none"]


def zscore(series: Sequence[Point], rule: ZScoreRule = ZScoreRule()) -> Signal | None:
    """Score the latest *complete* point against the ``baseline`` complete points before it.

    Returns None when there are not enough complete points. A flat baseline (sd 0) alerts on
    any change.
    """
    complete = sorted((p for p in series if p.is_complete), key=lambda p: p.period_start)
    if len(complete) < rule.baseline + 1:
        return None
    point = complete[-1]
    base = [p.value for p in complete[-rule.baseline - 1 : -1]]
    mean = statistics.fmean(base)
    sd = statistics.stdev(base) if rule.std == "sample" else statistics.pstdev(base)
    if sd == 0:
        z = 0.0 if point.value == mean else float("inf") if point.value > mean else float("-inf")
    else:
        z = (point.value - mean) / sd
    alert = abs(z) > rule.threshold
    direction: Literal["drop", "rise", "none"] = "none" if not alert else ("drop" if z < 0 else "rise")
    return Signal(point.period_start, point.value, mean, sd, z, alert, direction)
