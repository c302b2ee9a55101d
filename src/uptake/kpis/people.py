"""Shared by the people-signal producers (surveys, training, tickets, DAP): match the person a row
names (user id or e-mail) to a user, and put the row in its segment, local day and phase.

People signals often lie outside the activity's time span (training before go-live, surveys with
no activity yet), so their rows are attributed with a time-zone offset table covering the people
tables too. Rows without a timestamp keep the segment they carry (the survey's own ``country``)
and have no local day or phase: they count only in totals.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Hashable

import ibis
from ibis.expr.types import Table

from uptake.calendar import offset_table
from uptake.kpis import execute
from uptake.kpis.context import KpiContext
from uptake.kpis.rollup import SEGMENTS, Attribution

PEOPLE_TABLES = {"surveys": "submitted_at", "tickets": "created_at", "training": "ts", "dap_events": "ts"}
"""People tables and their time column."""
KEEP = (*SEGMENTS, "local_date", "phase", "weeks_since_go_live")


def match_users(ctx: KpiContext, t: Table, column: str) -> Table:
    """``t`` with ``user_id``: the user whose id or e-mail (case-insensitive) ``column`` holds; the
    value itself when no user matches; null when it is null (anonymous)."""
    key = t[column].lower().strip()
    if not ctx.wh.has_rows("users"):
        return t.mutate(user_id=t[column])
    u = ctx.table("users")
    keys = (
        u.select(_pk=u["user_id"].lower(), _pu=u["user_id"])
        .union(u.filter(u["email"].notnull()).select(_pk=u["email"].lower().strip(), _pu=u["user_id"]))
        .distinct()
    )
    keys = keys.group_by("_pk").agg(_pu=keys["_pu"].min())
    k = t.mutate(_key=key)
    j = k.left_join(keys, k["_key"] == keys["_pk"])
    return j.mutate(user_id=j["_pu"].fill_null(j[column])).drop("_key", "_pk", "_pu")


def attribution(ctx: KpiContext) -> Attribution:
    """The run's attribution with offsets covering the people tables too (staged now: call it
    before building, outside any cached builder)."""
    return dataclasses.replace(ctx.attr, offsets=_offsets(ctx))


def shape(ctx: KpiContext) -> tuple[Hashable, ...]:
    """What shapes SQL over people tables besides the attribution."""
    return (*ctx.attr.shape, ctx.wh.has_rows("users"))


def attribute(attr: Attribution, t: Table) -> Table:
    """Segment, ``local_date``, ``phase`` and ``weeks_since_go_live`` of rows with ``user_id``,
    ``ts`` (UTC, may be null) and ``country`` (the row's own, may be null)."""
    base = list(t.columns)
    timed = attr(t.filter(t["ts"].notnull()))
    timed = timed.select(*base, *(c for c in KEEP if c not in base))
    untimed = t.filter(t["ts"].isnull())
    c = attr.countries
    untimed = untimed.left_join(c, untimed["country"] == c["c_code"])
    untimed = untimed.mutate(
        **{s: ibis.null("string") for s in SEGMENTS if s not in base and s != "region"},
        region=untimed["c_region"],
        local_date=ibis.null("date"),
        phase=ibis.null("string"),
        weeks_since_go_live=ibis.null("int64"),
    )
    return timed.union(untimed.select(*timed.columns))


def _bounds(t: Table, col: str) -> Callable[[], Table]:
    return lambda: t.agg(lo=t[col].min(), hi=t[col].max())


def _offsets(ctx: KpiContext) -> Table:
    lo, hi = ctx.span.first, max(ctx.span.last, ctx.today)
    for name, col in PEOPLE_TABLES.items():
        t = ctx.table(name)
        b = execute.to_pandas(t, ("people.bounds", name), _bounds(t, col)).to_dict("records")[0]
        if b["lo"] is not None and b["lo"] == b["lo"]:
            lo, hi = min(lo, b["lo"].date()), max(hi, b["hi"].date())
    zones = {c.timezone for c in ctx.project.countries} | {ctx.project.timezone}
    margin = dt.timedelta(days=2)
    return ctx.stage("people_offsets", offset_table(zones, lo - margin, hi + margin))
