"""Microsoft Forms response exports (UTF-8 with BOM; ``ID, Start time, Completion time, Email,
Name, Last modified time``, then one column per question; local times as ``3/5/25 9:01:12``), as
in ``fixtures/formats/ms_forms_nps_export.csv``: a readiness survey before each go-live wave and a
pulse survey (NPS, confidence, free text) every four weeks."""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import numpy as np

from uptake.demo.simulate import epoch
from uptake.demo.world import World

NPS_Q = "How likely are you to recommend the new CRM to a colleague?"
CONFIDENCE_Q = "How confident do you feel using the new CRM? (1 = not at all, 5 = very)"
IMPROVE_Q = "What should we improve first?"
READINESS_Q = "How ready do you feel for the go-live of the new CRM? (1 = not at all, 5 = fully)"
WORRY_Q = "What worries you most about the go-live?"
RESPONSE_RATE = 0.5
NPS_DROP = 3.5
"""Points the NPS country's latent 0–10 score loses after the release."""
_IMPROVE = (
    "Faster search",
    "Fewer clicks to save an opportunity",
    "Better mobile app",
    "Outlook integration",
    "Clearer dashboards",
    "",
    "",
    "",
)
_WORRY = ("Losing my customer history", "No time to learn it", "Double data entry", "", "")
HEADER = ("ID", "Start time", "Completion time", "Email", "Name", "Last modified time")


def forms_time(t: dt.datetime) -> str:
    return f"{t.month}/{t.day}/{t.year % 100:02d} {t.hour}:{t.minute:02d}:{t.second:02d}"


def _write(path: Path, questions: tuple[str, ...], rows: list[list[Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow((*HEADER, *questions))
        for k, row in enumerate(rows, 1):
            out.writerow([k, *row])


def write_surveys(world: World, folder: Path, zone: str, offsets: np.ndarray) -> list[dict[str, Any]]:
    """Writes every survey file; returns one entry per (survey, wave, country) with the realised
    counts (for the ground truth)."""
    rng = np.random.default_rng([world.seed, 3])
    tz = zoneinfo.ZoneInfo(zone)
    u, inj = world.users, world.injected
    stats: list[dict[str, Any]] = []
    go_live = np.array([world.countries[c].go_live_day for c in u.country])

    def answer_time(i: int, day: int) -> tuple[str, str, int]:
        d = min(world.days - 1, day + int(rng.geometric(0.45)) - 1)
        t = epoch(world.day(d)) - int(offsets[u.country[i], d]) + int(rng.integers(8 * 3600, 17 * 3600))
        took = int(rng.integers(40, 400))
        start = dt.datetime.fromtimestamp(t, tz)
        return forms_time(start), forms_time(start + dt.timedelta(seconds=took)), d

    for wave in (1, 2, 3):
        day = world.scale.wave_days[wave - 1] - 5
        who = [
            i
            for i in range(u.n)
            if world.countries[int(u.country[i])].spec.wave == wave and u.created_day[i] <= day
        ]
        rows: list[list[Any]] = []
        for i in who:
            if rng.random() >= RESPONSE_RATE:
                continue
            score = int(np.clip(np.rint(rng.normal(4.0 if u.trained[i] else 2.9, 0.9)), 1, 5))
            start, end, _ = answer_time(i, day)
            rows.append(
                [
                    start,
                    end,
                    world.email(i),
                    world.name(i),
                    "",
                    score,
                    _WORRY[int(rng.integers(0, len(_WORRY)))],
                ]
            )
        _write(folder / f"readiness-wave{wave}.csv", (READINESS_Q, WORRY_Q), rows)

    base = {c.code: float(rng.normal(8.4, 0.3)) for c in world.countries}
    for day in inj.survey_days:
        rows = []
        tally: dict[tuple[str, str], list[int]] = {}
        for i in range(u.n):
            c = world.countries[int(u.country[i])]
            if (
                not (go_live[i] + 7 <= day < u.leave_day[i] and u.created_day[i] <= day)
                or rng.random() >= RESPONSE_RATE
            ):
                continue
            start, end, answered = answer_time(i, day)
            latent = (
                base[c.code] + (0.5 if u.adoption_day[i] <= day else -0.5) + (0.3 if u.trained[i] else 0.0)
            )
            after = int(u.country[i]) == inj.nps_country and answered >= inj.release_day
            latent -= NPS_DROP if after else 0.0
            blank = rng.random() < 0.03
            nps = "" if blank else int(np.clip(np.rint(rng.normal(latent, 1.3)), 0, 10))
            conf = int(
                np.clip(np.rint(rng.normal(3.2 + (0.8 if u.adoption_day[i] <= day else 0), 0.8)), 1, 5)
            )
            rows.append(
                [
                    start,
                    end,
                    world.email(i),
                    world.name(i),
                    "",
                    nps,
                    conf,
                    _IMPROVE[int(rng.integers(0, len(_IMPROVE)))],
                ]
            )
            if nps != "":
                tally.setdefault((c.code, "after" if after else "before"), []).append(int(nps))
        name = f"crm-pulse-{world.day(day).isoformat()}.csv"
        _write(folder / name, (NPS_Q, CONFIDENCE_Q, IMPROVE_Q), rows)
        for (code, side), scores in sorted(tally.items()):
            stats.append(_nps_entry(name, world.day(day), code, side, scores))
    return stats


def _nps_entry(file: str, sent: dt.date, country: str, side: str, scores: list[int]) -> dict[str, Any]:
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    return {
        "file": file,
        "sent": sent.isoformat(),
        "country": country,
        "release": side,
        "n": len(scores),
        "promoters": promoters,
        "detractors": detractors,
        "nps": 100.0 * (promoters - detractors) / len(scores),
    }
