"""Training records as xAPI 1.0.3 statements, paged the way a Learning Record Store answers
``GET /xapi/statements`` (``{"statements": [...], "more": "<url of the next page>"}``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from uptake.demo import ids
from uptake.demo.catalog import COURSES, ROLES
from uptake.demo.simulate import epoch
from uptake.demo.world import World
from uptake.demo.writers.pages import PageWriter

LMS = "https://lms.contoso-demo.example"
VERBS = {
    "registered": "http://adlnet.gov/expapi/verbs/registered",
    "attempted": "http://adlnet.gov/expapi/verbs/attempted",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "attended": "http://adlnet.gov/expapi/verbs/attended",
}
TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "info_session": "http://adlnet.gov/expapi/activities/meeting",
}


def _iso(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_training(world: World, folder: Path) -> dict[str, int]:
    """Trained users complete the basics and their role's course before go-live; some untrained
    users register or attempt without completing. Returns counts per verb."""
    rng = np.random.default_rng([world.seed, 4])
    u = world.users
    counts: dict[str, int] = {}

    def envelope(rows: list[dict[str, Any]], link: str | None) -> dict[str, Any]:
        return {"statements": rows, "more": link or ""}

    pages = PageWriter(folder, "statements", 500, envelope, "/xapi/statements?more={token}")
    events: list[tuple[int, int, str, int, float | None]] = []
    for i in range(u.n):
        function = ROLES[int(u.role[i])][1]
        courses = [0] + ([1] if function == "Sales" else [2] if function == "Service" else [])
        go_live = world.countries[int(u.country[i])].go_live_day
        day = int(u.training_day[i]) if u.trained[i] else max(0, go_live - int(rng.integers(1, 22)))
        t = epoch(world.day(day)) + int(rng.integers(7 * 3600, 15 * 3600))
        for c in courses:
            events.append((t - 86400 * 3, i, "registered", c, None))
            events.append((t, i, "attempted", c, None))
            if u.trained[i]:
                events.append(
                    (t + int(rng.integers(1800, 5400)), i, "completed", c, float(rng.uniform(0.7, 1.0)))
                )
        if u.trained[i] or rng.random() < 0.3:
            events.append((epoch(world.day(max(0, go_live - 2))) + 9 * 3600, i, "attended", 3, None))
    for serial, (ts, i, verb, course, score) in enumerate(sorted(events), 1):
        counts[verb] = counts.get(verb, 0) + 1
        pages.add(_statement(world, serial, ts, i, verb, course, score))
    pages.close()
    return counts


def _statement(
    world: World, serial: int, ts: int, i: int, verb: str, course: int, score: float | None
) -> dict[str, Any]:
    course_id, title, kind = COURSES[course]
    st: dict[str, Any] = {
        "id": ids.guid(ids.STATEMENT, world.seed, serial),
        "actor": {"objectType": "Agent", "name": world.name(i), "mbox": f"mailto:{world.email(i)}"},
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": f"{LMS}/courses/{course_id}",
            "definition": {"name": {"en-US": title}, "type": TYPES[kind]},
        },
        "timestamp": _iso(ts),
        "stored": _iso(ts + 2),
        "version": "1.0.3",
    }
    if score is not None:
        st["result"] = {
            "completion": True,
            "success": score >= 0.8,
            "score": {"scaled": round(score, 2), "raw": round(score * 100), "min": 0, "max": 100},
            "duration": f"PT{20 + serial % 40}M",
        }
    return st
