"""Daily rollups every usage KPI reads: ``user_day``, ``user_feature_day`` and ``eligible_day``.

``user_day`` has one row per user, local day and segment (the segment the user had at the time of
the event); ``eligible_day`` one row per user and local day on which the user was eligible
(enabled, human, in a country that had gone live). Distinct counts over any period are taken
from these rows, never summed from shorter periods.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa
from ibis.expr.types import Table

from uptake.calendar import offset_table
from uptake.kpis import execute
from uptake.project.models import Project
from uptake.sources.users import ALWAYS
from uptake.warehouse.schema import USERS
from uptake.warehouse.store import Warehouse
from uptake.workdays import write_calendar

SEGMENTS = ("region", "country", "team", "role")
ATTRIBUTED = "activity_attributed"
"""Every event after exclusions, in its user's segment, local day and phase, with ``_m`` (1 if
meaningful) and ``_c`` (1 if a meaningful create): the one pass over raw events per run."""
IMPERSONATED = "impersonated"
"""``activity.client`` of rows an integration wrote while impersonating a user."""


@dataclass(frozen=True)
class Span:
    first: dt.date
    last: dt.date


def _stage(wh: Warehouse, name: str, data: pa.Table) -> Table:
    """Helper tables are written to the warehouse and read by name, so SQL over them caches."""
    wh.replace(f"stage_{name}", data)
    return wh.table(f"stage_{name}")


def countries_table(wh: Warehouse, project: Project) -> Table:
    p = project.phases
    return _stage(
        wh,
        "countries",
        pa.table(
            {
                "c_code": [c.code for c in project.countries],
                "c_region": [c.region for c in project.countries],
                "c_tz": [
                    project.timezone if project.day_mode == "project" else c.timezone
                    for c in project.countries
                ],
                "c_go_live": pa.array([c.go_live for c in project.countries], pa.date32()),
                "c_hypercare": [p.hypercare] * len(project.countries),
                "c_stabilization": [p.stabilization] * len(project.countries),
            }
        ),
    )


def excluded_users(wh: Warehouse, project: Project) -> list[str]:
    patterns = project.activity.exclude_users
    if not patterns:
        return []
    ids = wh.table("activity").select("user_id").distinct().to_pyarrow()["user_id"].to_pylist()
    users = wh.table("users").select("user_id", "display_name").distinct().to_pyarrow().to_pylist()
    out = {u for u in ids if any(fnmatch.fnmatchcase(u, p) for p in patterns)}
    out |= {
        r["user_id"]
        for r in users
        if any(
            fnmatch.fnmatchcase(r["user_id"] or "", p) or fnmatch.fnmatchcase(r["display_name"] or "", p)
            for p in patterns
        )
    }
    return sorted(out)


def user_versions(wh: Warehouse, activity: Table) -> Table:
    """User versions; without a user list, one version per user seen in the activity.

    Derived users are valid for the whole loaded period, with the country, region, team and role
    they carry most often on their events.
    """
    if wh.has_rows("users"):
        return wh.table("users").select(*USERS.schema.names)
    counted = activity.group_by("user_id", *SEGMENTS).agg(_n=activity.count())
    ranked = counted.mutate(
        _rk=ibis.row_number().over(
            ibis.window(
                group_by="user_id",
                order_by=[ibis.desc("_n"), *(counted[s].asc(nulls_first=False) for s in SEGMENTS)],
            )
        )
    )
    top = ranked.filter(ranked["_rk"] == 0)
    derived = {
        "is_enabled": ibis.literal(True),
        "is_human": ibis.literal(True),
        "valid_from": ibis.literal(ALWAYS).cast("timestamp"),
    }
    # the same columns as the users table, so every query over versions has one shape
    return top.select(
        **{
            f.name: top[f.name]
            if f.name in ("user_id", *SEGMENTS)
            else derived.get(f.name, ibis.null(ibis.dtype(f.type)))
            for f in USERS.schema
        }
    )


def _local(t: Table, ts: str, offsets: Table, default_tz: str) -> Table:
    """Add ``local_date`` from UTC ``ts`` and the row's ``c_tz`` (default for rows without one)."""
    t = t.mutate(_tz=t["c_tz"].fill_null(default_tz))
    j = t.join(
        offsets,
        [t["_tz"] == offsets["tz"], t[ts] >= offsets["utc_from"], t[ts] < offsets["utc_to"]],
    )
    return j.mutate(local_date=(j[ts] + j["offset_seconds"].as_interval("s")).date()).drop(
        "tz", "utc_from", "utc_to", "offset_seconds", "_tz"
    )


def _with_phase(t: Table) -> Table:
    days = t["local_date"].epoch_days() - t["c_go_live"].epoch_days()
    phase = ibis.cases(
        (days < 0, "readiness"),
        (days < t["c_hypercare"], "go_live"),
        (days < t["c_stabilization"], "hypercare"),
        else_="stabilization",
    )
    return t.mutate(
        phase=t["c_go_live"].isnull().ifelse(ibis.null("string"), phase),
        weeks_since_go_live=(days / 7).floor().cast("int64"),
    )


def identity_map(wh: Warehouse) -> Table | None:
    """Alias → canonical id with chains resolved (a→b, b→c gives a→c); None without links."""
    if not wh.has_rows("identity_links"):
        return None
    rows = wh.table("identity_links").select("alias_id", "canonical_id").to_pyarrow().to_pylist()
    links = {r["alias_id"]: r["canonical_id"] for r in rows if r["alias_id"] != r["canonical_id"]}
    resolved: dict[str, str] = {}
    for alias in links:
        seen = {alias}
        target = links[alias]
        while target in links and target not in seen:  # a cycle keeps the last id reached
            seen.add(target)
            target = links[target]
        resolved[alias] = target
    return _stage(
        wh,
        "identity_map",
        pa.table(
            {"_alias": list(resolved), "_canonical": list(resolved.values())},
            schema=pa.schema([("_alias", pa.string()), ("_canonical", pa.string())]),
        ),
    )


def resolve_ids(t: Table, ids: Table | None, column: str = "user_id") -> Table:
    """Replace aliases in ``column`` by their canonical id, for all history."""
    if ids is None:
        return t
    j = t.left_join(ids, t[column] == ids["_alias"])
    return j.mutate(**{column: j["_canonical"].fill_null(j[column])}).drop("_alias", "_canonical")


def is_placeholder(t: Table, project: Project) -> Any:
    return t["user_id"].lower().isin([p.casefold() for p in project.activity.placeholder_user_ids])


@dataclass(frozen=True)
class Attribution:
    """What it takes to put any (user, UTC time) row in its segment, local day and phase."""

    project: Project
    versions: Table
    countries: Table
    offsets: Table
    ids: Table | None = None
    """Identity links (alias → canonical), applied to every table attributed."""
    shape: tuple[Hashable, ...] = ()
    """What, besides table contents, shapes the SQL of ``self(t)`` (for the SQL cache)."""

    def __call__(self, t: Table) -> Table:
        """Add segments (event-carried first, then the user's version at ``ts``), ``local_date``,
        ``c_go_live``, ``phase`` and ``weeks_since_go_live`` to a table with ``user_id`` and ``ts``."""
        t = resolve_ids(t, self.ids)
        for s in SEGMENTS:
            if s not in t.columns:
                t = t.mutate(**{s: ibis.null("string")})
        v = self.versions
        u = v.select(
            u_user=v["user_id"],
            u_from=v["valid_from"],
            u_to=v["valid_to"],
            **{f"u_{s}": v[s] for s in SEGMENTS},
        )
        a = t.left_join(
            u,
            [t["user_id"] == u["u_user"], t["ts"] >= u["u_from"], u["u_to"].isnull() | (t["ts"] < u["u_to"])],
        )
        a = a.mutate(
            country=a["country"].fill_null(a["u_country"]),
            team=a["team"].fill_null(a["u_team"]),
            role=a["role"].fill_null(a["u_role"]),
            _region=a["region"].fill_null(a["u_region"]),
        ).drop("u_user", "u_from", "u_to", *(f"u_{s}" for s in SEGMENTS))
        a = a.left_join(self.countries, a["country"] == self.countries["c_code"])
        a = a.mutate(region=a["_region"].fill_null(a["c_region"])).drop("_region")
        return _with_phase(_local(a, "ts", self.offsets, self.project.timezone))


def signin_presence(wh: Warehouse) -> Table | None:
    """Successful sign-ins to Dataverse as ``login`` events: they make a user present, not active.

    Sign-ins carry the Entra object id; the user is found through ``users.aad_object_id``.
    """
    if not wh.has_rows("signins"):
        return None
    s = wh.table("signins")
    s = s.filter(s["is_dataverse"].fill_null(False) & s["success"].fill_null(False))
    u = wh.table("users")
    u = (
        u.filter(u["aad_object_id"].notnull())
        .select(_aad=u["aad_object_id"].lower(), _uid=u["user_id"])
        .distinct()
    )
    j = s.left_join(u, s["aad_object_id"].lower() == u["_aad"])
    j = j.mutate(user_id=j["user_id"].fill_null(j["_uid"])).filter(lambda t: t["user_id"].notnull())
    activity = wh.table("activity")
    return j.select(
        *(
            (j[c] if c in ("user_id", "ts") else ibis.null(activity.schema()[c]).name(c))
            for c in activity.columns
            if c not in ("event_id", "source", "action", "client")
        ),
        event_id=j["signin_id"],
        source=ibis.literal("entra-signins"),
        action=ibis.literal("login"),
        client=j["client_app"],
    ).select(*activity.columns)


def attribution(wh: Warehouse, project: Project) -> tuple[Attribution, Table] | None:
    """The attribution context and the activity left after exclusions (None without activity)."""
    ids = identity_map(wh)
    activity = wh.table("activity")
    if not project.activity.count_impersonated:
        activity = activity.filter(activity["client"].isnull() | (activity["client"] != IMPERSONATED))
    logins = signin_presence(wh)
    if logins is not None:
        activity = activity.union(logins)
    activity = resolve_ids(activity.filter(~is_placeholder(activity, project)), ids)
    excluded = excluded_users(wh, project)
    if excluded:
        activity = activity.filter(~activity["user_id"].isin(excluded))
    shape: tuple[Hashable, ...] = (
        project.activity.model_dump_json(),
        project.timezone,
        tuple(excluded),
        ids is not None,
        logins is not None,
        wh.has_rows("users"),
    )
    span = activity.agg(lo=activity["ts"].min(), hi=activity["ts"].max())
    bounds = execute.to_pandas(activity, ("rollup.bounds", *shape), lambda: span).to_dict("records")[0]
    if pd.isna(bounds["lo"]):
        return None
    rec = wh.table("records")
    rspan = rec.agg(lo=rec["created_on"].min(), hi=rec["closed_on"].max())
    rb = {
        k: (None if pd.isna(v) else v)
        for k, v in execute.to_pandas(rec, ("rollup.rbounds",), lambda: rspan).to_dict("records")[0].items()
    }
    lo = min(x for x in (bounds["lo"], rb["lo"]) if x is not None)
    hi = max(x for x in (bounds["hi"], rb["hi"]) if x is not None)
    zones = {c.timezone for c in project.countries} | {project.timezone}
    offsets = _stage(wh, "tz_offsets", offset_table(zones, lo.date(), max(hi.date(), dt.date.today())))
    versions = resolve_ids(user_versions(wh, activity), ids)
    if excluded:
        versions = versions.filter(~versions["user_id"].isin(excluded))
    human = versions["is_human"].fill_null(True)
    # accounts that are never human (integration, application) are no users: drop their activity too
    machines = versions.group_by("user_id").agg(_h=human.any())
    activity = activity.anti_join(machines.filter(~machines["_h"]), "user_id")
    versions = execute.materialize(
        wh, "user_versions", ("rollup.versions", *shape), lambda: versions.filter(human)
    )
    attr = Attribution(project, versions, countries_table(wh, project), offsets, ids, shape)
    return attr, activity


def build(wh: Warehouse, project: Project) -> tuple[Span, Attribution] | None:
    """(Re)build the rollups; returns the local-date span of the activity (None if no activity)."""
    found = attribution(wh, project)
    if found is None:
        return None
    attr, activity = found
    rules = project.activity
    shape = ("rollup.attributed", *attr.shape)

    def attributed() -> Table:
        a = attr(activity)
        meaningful = a["action"].isin(list(rules.meaningful_actions))
        if rules.meaningful_entities is not None:
            meaningful &= a["entity"].isin(rules.meaningful_entities)
        return a.mutate(
            _m=meaningful.cast("int64"), _c=(meaningful & (a["action"] == "create")).cast("int64")
        )

    a = execute.materialize(wh, ATTRIBUTED, shape, attributed)
    keys = ["user_id", "local_date", *SEGMENTS, "phase", "weeks_since_go_live"]

    def user_day() -> Table:
        return a.group_by(keys).agg(
            n_events=a.count(),
            n_meaningful=a["_m"].sum(),
            n_create=a["_c"].sum(),
            first_ts=a["ts"].min(),
            last_ts=a["ts"].max(),
        )

    def user_feature_day() -> Table:
        f = a.filter(a["_m"] == 1)
        f = f.mutate(feature=f["entity"].fill_null("(none)").concat(".", f["action"]))
        return f.group_by([*keys, "feature"]).agg(n_events=f.count())

    execute.materialize(wh, "user_day", ("rollup.user_day",), user_day)
    execute.materialize(wh, "user_feature_day", ("rollup.user_feature_day",), user_feature_day)

    ud = wh.table("user_day")
    span_row = ud.agg(lo=ud["local_date"].min(), hi=ud["local_date"].max())
    span = execute.to_pandas(ud, ("rollup.span",), lambda: span_row).to_dict("records")[0]
    first, last = _as_date(span["lo"]), _as_date(span["hi"])
    if project.data_from is not None:
        first = min(first, project.data_from)
    if project.data_through is not None:
        last = max(last, project.data_through.date())
    _eligible_days(wh, attr.versions, attr.countries, first, last)
    write_calendar(wh, project, first, last)
    return Span(first, last), attr


def _as_date(v: Any) -> dt.date:
    if isinstance(v, pd.Timestamp | dt.datetime):
        return v.date()
    assert isinstance(v, dt.date)
    return v


def _eligible_days(wh: Warehouse, versions: Table, countries: Table, first: dt.date, last: dt.date) -> None:
    days = _stage(
        wh,
        "span_days",
        pa.table(
            {
                "local_date": pa.array(
                    [first + dt.timedelta(days=i) for i in range((last - first).days + 1)], pa.date32()
                )
            }
        ),
    )
    v = versions.filter(versions["is_enabled"].fill_null(True))
    v = v.left_join(countries, v["country"] == countries["c_code"])
    v = v.mutate(region=v["region"].fill_null(v["c_region"]))
    j = v.cross_join(days)
    # valid_to is exclusive: a version that ends at midnight does not cover the day that starts then
    valid = (j["valid_from"].date() <= j["local_date"]) & (
        j["valid_to"].isnull() | (j["valid_to"] > j["local_date"].cast("timestamp"))
    )
    live = j["c_go_live"].isnull() | (j["c_go_live"] <= j["local_date"])
    keys: list[Any] = ["user_id", "local_date", *SEGMENTS, "phase", "weeks_since_go_live"]
    execute.materialize(
        wh,
        "eligible_day",
        ("rollup.eligible_day",),
        lambda: _with_phase(j.filter(valid & live)).select(keys).distinct(),
    )
