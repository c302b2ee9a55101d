"""Independent KPI functions over :class:`kpi_oracle.World`; one per KPI family.

``ORACLES`` maps every verified KPI id to the family function that computes it. To verify a new
KPI, write its function here (plain Python over ``World.events`` / ``World.eligible`` /
``World.fx``) and add its id to ``ORACLES``.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable

from kpi_oracle import GKey, Key, Row, World, gkey, grains_of, group_sets, groups, key, meaningful, ratio

Rows = dict[Key, Row]
ALL_GRAINS = ("day", "week", "month", "quarter", "since_go_live_week", "total")


def _row(kpi: str, grain: str, g: GKey, row: Row) -> tuple[Key, Row]:
    return key(kpi, grain, dict(g)), row


def usage(w: World) -> Rows:
    """present, active, eligible, activation, login-only share, records created per active user."""
    out: Rows = {}
    for grain, by_phase in grains_of(ALL_GRAINS):
        present = group_sets(w.events, grain, by_phase)
        active = group_sets([f for f in w.events if meaningful(f)], grain, by_phase)
        eligible = group_sets(w.eligible, grain, by_phase)
        creates: dict[GKey, int] = defaultdict(int)
        for f in w.events:
            if meaningful(f) and f.event is not None and f.event.action == "create":
                for _, grp in groups(f, grain, by_phase):
                    creates[gkey(grp)] += 1
        for g in set(present) | set(eligible):
            p, a, e = present.get(g, set()), active.get(g, set()), eligible.get(g, set())
            n = len(e) or len(p)
            values = {
                "present_users": (len(p), len(p), None),
                "active_users": (len(a), len(a), None),
                "eligible_users": (len(e), len(e), None),
                "activation_rate": (ratio(len(a & e), len(e)), len(a & e), len(e)),
                "login_only_share": (ratio(len(p - a), len(p)), len(p - a), len(p)),
                "records_created_per_active_user": (ratio(creates[g], len(a)), creates[g], len(a)),
            }
            for kpi, (v, num, den) in values.items():
                out.update([_row(kpi, grain, g, (v, num, den, n))])
    return out


def lifecycle(w: World) -> Rows:
    """New, returning, resurrecting and dormant users per week (first-seen from all history)."""
    act = [f for f in w.events if meaningful(f)]
    first: dict[str, dt.date] = {}
    for f in act:
        first[f.user] = min(first.get(f.user, f.day), f.day)
    first_week = {u: d - dt.timedelta(days=d.weekday()) for u, d in first.items()}
    week = dt.timedelta(days=7)
    cur: dict[GKey, set[str]] = defaultdict(set)
    for f in act:
        for _, grp in groups(f, "week"):
            cur[gkey(grp)].add(f.user)
    prev: dict[GKey, set[str]] = defaultdict(set)
    for g, users in cur.items():
        d = dict(g)
        start = d["period_start"]
        assert isinstance(start, dt.date)
        if start + week <= w.last_week:
            prev[gkey({**d, "period_start": start + week})] |= users
    out: Rows = {}
    for g in set(cur) | set(prev):
        c, p = cur.get(g, set()), prev.get(g, set())
        start = dict(g)["period_start"]
        assert isinstance(start, dt.date)
        counts = {
            "lifecycle_new": sum(1 for u in c if first_week[u] == start),
            "lifecycle_returning": len(c & p),
            "lifecycle_resurrecting": sum(1 for u in c - p if first_week[u] < start),
            "lifecycle_dormant": len(p - c),
        }
        for kpi, n in counts.items():
            if n:
                out.update([_row(kpi, "week", g, (n, None, None, None))])
    return out


def feature_usage(w: World) -> Rows:
    """Distinct users of each entity.action over active users (week, month, total; to country)."""
    out: Rows = {}
    for grain in ("week", "month", "total"):
        active: dict[GKey, set[str]] = defaultdict(set)
        users: dict[tuple[GKey, str], set[str]] = defaultdict(set)
        for f in w.events:
            if not meaningful(f) or f.event is None:
                continue
            feature = f"{f.event.entity or '(none)'}.{f.event.action}"
            for level, grp in groups(f, grain):
                if level in ("all", "region", "country"):
                    active[gkey(grp)].add(f.user)
                    users[(gkey(grp), feature)].add(f.user)
        for (g, feature), us in users.items():
            row = (len(us) / len(active[g]), len(us), len(active[g]), None)
            out[key("feature_usage", grain, {**dict(g), "feature": feature})] = row
    return out


def km_median(durations: list[tuple[int, bool]]) -> float | None:
    """Kaplan–Meier median: the first time at which the survival estimate is at most ½."""
    survival = 1.0
    for t in sorted({t for t, _ in durations}):
        at_risk = sum(1 for x, _ in durations if x >= t)
        events = sum(1 for x, e in durations if x == t and e)
        survival *= 1 - events / at_risk
        if survival <= 0.5:
            return float(t)
    return None


def first_activity(w: World) -> Rows:
    """Days from the first eligible day to the first meaningful action; censored at the span end."""
    first_act: dict[str, dt.date] = {}
    for f in w.events:
        if meaningful(f):
            first_act[f.user] = min(first_act.get(f.user, f.day), f.day)
    last = w.span[1]
    out: Rows = {}
    for level in ("all", "region", "country", "team", "role"):
        start: dict[str, tuple[dt.date, GKey]] = {}
        for f in sorted(w.eligible, key=lambda x: x.day):
            for lv, grp in groups(f, "total"):
                if lv == level and f.user not in start:
                    start[f.user] = (f.day, gkey(grp))
        by_group: dict[GKey, list[tuple[int, bool]]] = defaultdict(list)
        for u, (s, g) in start.items():
            done = first_act.get(u)
            by_group[g].append((max(((done or last) - s).days, 0), done is not None))
        for g, durations in by_group.items():
            n, started = len(durations), sum(1 for _, e in durations if e)
            out.update([_row("time_to_first_activity", "total", g, (km_median(durations), started, n, n))])
            out.update([_row("not_started_share", "total", g, ((n - started) / n, n - started, n, n))])
    return out


def deals(w: World) -> Rows:
    """Win rate by count and value, and the sales cycle of won deals, by the owner at closing."""
    out: Rows = {}
    closed = []
    for d in w.fx.deals:
        if d.closed is None or d.state not in ("won", "lost"):
            continue
        v = w.version_at(d.owner, d.closed)
        country = v.country if v else None
        f = w.fact(
            d.owner, country, v.team if v else None, v.role if v else None, w.local_day(country, d.closed)
        )
        closed.append((f, d))
    for grain, by_phase in grains_of(("month", "quarter", "total")):
        agg: dict[GKey, list[tuple[str, float, float | None, str]]] = defaultdict(list)
        for f, d in closed:
            cycle = (d.closed - d.created).total_seconds() / 86_400 if d.closed and d.state == "won" else None
            for _, grp in groups(f, grain, by_phase, levels=("all", "region", "country", "team")):
                agg[gkey(grp)].append((d.state, d.value, cycle, d.owner))
        for g, items in agg.items():
            won = sum(1 for s, *_ in items if s == "won")
            vwon = sum(v for s, v, *_ in items if s == "won")
            vall = sum(v for _, v, *_ in items)
            cycles = [c for _, _, c, _ in items if c is not None]
            owners = len({o for *_, o in items})
            out.update([_row("win_rate", grain, g, (won / len(items), won, len(items), owners))])
            out.update([_row("win_rate_by_value", grain, g, (ratio(vwon, vall), vwon, vall, owners))])
            if cycles:
                row = (statistics.median(cycles), sum(cycles), len(cycles), owners)
                out.update([_row("sales_cycle_days", grain, g, row)])
    return out


def declarative(w: World) -> Rows:
    """The built-in declarative KPIs: opportunity_updaters and active_days_per_active_user."""
    out: Rows = {}
    for grain, by_phase in grains_of(("week", "month", "total")):
        active = group_sets([f for f in w.events if meaningful(f)], grain, by_phase)
        eligible = group_sets(w.eligible, grain, by_phase)
        updaters = group_sets(
            [
                f
                for f in w.events
                if f.event and (f.event.entity, f.event.action) == ("opportunity", "update")
            ],
            grain,
            by_phase,
        )
        days: dict[GKey, set[tuple[str, dt.date]]] = defaultdict(set)
        for f in w.events:
            if meaningful(f):
                for _, grp in groups(f, grain, by_phase):
                    days[gkey(grp)].add((f.user, f.day))
        for g in set(active) | set(eligible):
            a, e = active.get(g, set()), len(eligible.get(g, set()))
            u = updaters.get(g, set()) & a
            row = (ratio(len(u), len(a)), len(u), len(a), e or len(a))
            out.update([_row("opportunity_updaters", grain, g, row)])
            d = len(days.get(g, set()))
            out.update(
                [_row("active_days_per_active_user", grain, g, (ratio(d, len(a)), d, len(a), e or len(a)))]
            )
    return out


Oracle = Callable[[World], Rows]
ORACLES: dict[str, Oracle] = {
    **dict.fromkeys(
        (
            "present_users",
            "active_users",
            "eligible_users",
            "activation_rate",
            "login_only_share",
            "records_created_per_active_user",
        ),
        usage,
    ),
    **dict.fromkeys(
        ("lifecycle_new", "lifecycle_returning", "lifecycle_resurrecting", "lifecycle_dormant"), lifecycle
    ),
    "feature_usage": feature_usage,
    "time_to_first_activity": first_activity,
    "not_started_share": first_activity,
    **dict.fromkeys(("win_rate", "win_rate_by_value", "sales_cycle_days"), deals),
    **dict.fromkeys(("opportunity_updaters", "active_days_per_active_user"), declarative),
}
