"""The ground-truth file (``ground_truth.json``): the injected facts, what was designed and what
the written data realise, so tests (and later features) check uptake against the same truths."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from uptake.demo.adoption import TRAINED_CEILING_LIFT, TRAINED_SPEED
from uptake.demo.observe import Observer
from uptake.demo.records import REQUIRED
from uptake.demo.simulate import DQ_BASE, DQ_END, INTEGRATIONS
from uptake.demo.world import REVENUE_EFFECT, World

FORMAT = "uptake-demo-truth"
VERSION = 1


def _iso(d: dt.date) -> str:
    return d.isoformat()


def countries(world: World) -> list[dict[str, Any]]:
    u = world.users
    out = []
    for ci, c in enumerate(world.countries):
        mine = u.country == ci
        out.append(
            {
                "code": c.code,
                "name": c.spec.name,
                "local_name": c.spec.local_name,
                "subdivision": c.spec.subdivision,
                "holiday_categories": list(c.spec.holiday_categories),
                "region": c.spec.region,
                "timezone": c.spec.timezone,
                "language": c.spec.language,
                "wave": c.spec.wave,
                "go_live": _iso(c.go_live),
                "users": int(mine.sum()),
                "trained": int((mine & u.trained).sum()),
                "diffusion": {"p": c.diffusion.p, "q": c.diffusion.q, "ceiling": c.diffusion.ceiling},
                "working_days": int(c.calendar.working.sum()),
                "holidays": [{"date": _iso(d), "name": n} for d, n in sorted(c.calendar.holidays.items())],
            }
        )
    return out


def stall_fact(world: World, obs: Observer) -> dict[str, Any]:
    inj = world.injected
    c = world.countries[inj.stall_country]
    return {
        "id": f"adoption-stall-{c.code}",
        "kind": "adoption_stall",
        "country": c.code,
        "from_week_since_go_live": inj.stall_week,
        "from_date": _iso(c.go_live + dt.timedelta(weeks=inj.stall_week)),
        "design": "no user of this country starts using the CRM from week 5 after go-live on",
        "expect": "weekly active users flatten from week 5: no later week exceeds week 5 by more than 10%",
        "wau_by_week_since_go_live": _by_week(world, obs, inj.stall_country),
    }


def _by_week(world: World, obs: Observer, ci: int) -> dict[str, int]:
    g = world.countries[ci].go_live_day
    return {str(w - g // 7): int(obs.wau[ci, w]) for w in range(obs.wau.shape[1]) if w * 7 >= g}


def holiday_fact(world: World, obs: Observer) -> dict[str, Any]:
    inj = world.injected
    c = world.countries[inj.holiday_country]
    weeks = {}
    for label, monday in (
        ("before", inj.holiday_week_day - 7),
        ("holiday", inj.holiday_week_day),
        ("after", inj.holiday_week_day + 7),
    ):
        days = range(monday, monday + 7)
        working = [d for d in days if c.calendar.working[d]]
        user_days = int(sum(obs.dau[inj.holiday_country, d] for d in days))
        weeks[label] = {
            "week_start": _iso(world.day(monday)),
            "working_days": len(working),
            "active_user_days": user_days,
            "dau_per_working_day": float(np.mean([obs.dau[inj.holiday_country, d] for d in working])),
            "wau": int(obs.wau[inj.holiday_country, monday // 7]),
        }
    return {
        "id": f"holiday-dip-{c.code}-{weeks['holiday']['week_start']}",
        "kind": "holiday_dip",
        "country": c.code,
        "subdivision": c.spec.subdivision,
        "week_start": weeks["holiday"]["week_start"],
        "weeks_since_go_live": (inj.holiday_week_day - c.go_live_day) // 7,
        "holidays": [
            {"date": _iso(d), "name": c.calendar.holidays[d]}
            for d in c.calendar.holiday_weekdays(inj.holiday_week_day, inj.holiday_week_day + 7)
        ],
        "expect": "fewer active user-days than the weeks around it, "
        "but not fewer active users per working day",
        "weeks": weeks,
    }


def dq_fact(world: World, completeness: dict[tuple[str, str, str], list[int]]) -> dict[str, Any]:
    inj = world.injected
    team = world.teams[inj.dq_team]
    by_month: dict[str, dict[str, list[int]]] = {"team": {}, "others": {}}
    for (_, t, month), (ok, total) in sorted(completeness.items()):
        side = by_month["team" if t == team.name else "others"].setdefault(month, [0, 0])
        side[0] += ok
        side[1] += total
    return {
        "id": f"data-quality-decay-{team.name.replace(' ', '-')}",
        "kind": "data_quality_decay",
        "team": team.name,
        "country": world.countries[team.country].code,
        "from_date": _iso(world.day(inj.dq_start_day)),
        "required_fields": {k: list(v) for k, v in REQUIRED.items()},
        "design": {
            "defect_share_before": DQ_BASE,
            "defect_share_at_end": DQ_END,
            "shape": "linear from from_date",
        },
        "expect": "records the team creates lose required fields; completeness falls month by month",
        "complete_by_created_month": {
            side: {m: {"complete": ok, "records": n} for m, (ok, n) in v.items()}
            for side, v in by_month.items()
        },
    }


def nps_fact(world: World, nps: list[dict[str, Any]], release_name: str, note: str) -> dict[str, Any]:
    inj = world.injected
    code = world.countries[inj.nps_country].code
    mine = [e for e in nps if e["country"] == code]
    before = [e for e in mine if e["release"] == "before"]
    after = [e for e in mine if e["release"] == "after"]
    return {
        "id": f"nps-drop-{code}",
        "kind": "nps_drop",
        "country": code,
        "release": {"name": release_name, "date": _iso(world.day(inj.release_day)), "regression": note},
        "expect": "the country's NPS in the first pulse after the release is far below the one before",
        "last_before": before[-1] if before else None,
        "first_after": after[0] if after else None,
    }


def training_fact(world: World, obs: Observer) -> dict[str, Any]:
    u = world.users
    g = np.array([world.countries[c].go_live_day for c in u.country])
    start = np.maximum(g, u.created_day)
    seen = start + 28 < world.days
    used = (obs.first_active >= 0) & (obs.first_active < start + 28)
    share = {
        k: {"users": int((seen & m).sum()), "active_within_4_weeks": int((seen & m & used).sum())}
        for k, m in (("trained", u.trained), ("untrained", ~u.trained))
    }
    return {
        "id": "training-effect",
        "kind": "training_effect",
        "design": {"trained_speed": TRAINED_SPEED, "ceiling_lift": TRAINED_CEILING_LIFT},
        "expect": "users trained before go-live start using the CRM sooner and more often",
        "realised": share,
    }


def revenue_fact(erp: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "go-live-revenue-effect",
        "kind": "revenue_effect",
        "effect": REVENUE_EFFECT,
        "design": "expected revenue per sales user and week × (1 + effect) "
        "from the country's go-live week on; "
        "a seasonal trend shared by all countries",
        "expect": "a difference-in-differences over the staggered go-lives recovers log(1 + effect)",
        "rows": erp["rows"],
    }


def accounts(world: World, obs: Observer) -> dict[str, Any]:
    n = world.users.n
    return {
        "integration": [
            {"systemuserid": world.user_guid(n + k), "name": name} for k, name in enumerate(INTEGRATIONS)
        ],
        "integration_rows": obs.integration_rows,
        "impersonated_rows": obs.impersonated_rows,
        "rule": "rows with _callinguserid_value set are an integration acting for the user: "
        "not human activity",
        "leavers": int((world.users.leave_day < world.days).sum()),
    }
