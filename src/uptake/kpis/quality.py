"""Data-quality KPIs over CRM records: completeness, duplicates, stale records and their score.

Every record is attributed to its owner's segment (the owner's user version at the as-of date;
records by creation month use the owner's segment at creation). Records without an owner, or
owned by no eligible human, count in the all-segment rows only. ``feature`` = entity gives the
same KPI per entity; ``missing_field_share`` has ``feature`` = ``entity.field``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Hashable, Iterator
from functools import partial
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

from uptake.kpis import execute
from uptake.kpis.context import KpiContext
from uptake.kpis.periods import LEVEL_KEYS, in_level, with_period
from uptake.kpis.quality_score import score_rows
from uptake.kpis.rollup import ATTRIBUTED
from uptake.quality import tables
from uptake.vocab import SegmentLevel, WeekStart

LEVELS: tuple[SegmentLevel, ...] = ("all", "region", "country", "team")
RATES = (
    ("record_completeness", "_complete", None),
    ("duplicate_record_rate", "_dup", "_dedupe"),
    ("stale_record_share", "_stale", "_open"),
)
"""KPI, its flag column and the column selecting its denominator (None: every record)."""


def produce(ctx: KpiContext) -> Iterator[pd.DataFrame]:
    records = ctx.table("records")
    if not int(records.count().execute()):
        return
    q = ctx.project.quality
    tables.take_snapshot(ctx.wh, ctx.today)
    tables.write_clusters(ctx.wh, list(q.dedupe_entities))
    shape: tuple[Hashable, ...] = (ctx.today, q.stale_after_days, tuple(q.dedupe_entities), *ctx.attr.shape)
    now = execute.materialize(
        ctx.wh, "quality_records", ("quality.records", *shape), partial(current_records, ctx, shape)
    )
    total: list[pd.DataFrame] = []
    for kpi, flag, among in RATES:
        for level in LEVELS:
            for by_entity in (False, True):
                rows = rates(now, kpi, flag, among, level, by_entity, "total", ctx.project.week_start)
                total.append(rows)
                yield rows
    created = execute.materialize(
        ctx.wh, "quality_created", ("quality.created", *ctx.attr.shape), partial(created_records, ctx)
    )
    for level in LEVELS:
        for by_entity in (False, True):
            yield rates(
                created,
                "record_completeness",
                "_complete",
                None,
                level,
                by_entity,
                "month",
                ctx.project.week_start,
            )
        yield missing_fields(now, level)
        yield trend(ctx, level)
    w = q.weights
    weights = {
        "record_completeness": w.completeness,
        "duplicate_record_rate": w.duplicates,
        "stale_record_share": w.stale,
    }
    yield pd.DataFrame(
        score_rows(pd.concat(total, ignore_index=True), weights, ctx.project.privacy.min_group_size)
    )


def current_records(ctx: KpiContext, shape: tuple[Hashable, ...]) -> Table:
    """Every record in its owner's current segment, with the flags the rates count."""
    q = ctx.project.quality
    as_of = ctx.today
    r = ctx.table("records")
    a = ctx.table(ATTRIBUTED)
    touched = (
        a.filter((a["_m"] == 1) & a["record_id"].notnull())
        .group_by(t_entity=a["entity"], t_record=a["record_id"])
        .agg(t_last=a["ts"].max())
    )
    c = ctx.table(tables.CLUSTERS)
    dup = c.filter(c["kind"] == "duplicate").select(d_entity=c["entity"], d_record=c["record_id"])
    r = r.left_join(touched, [r["entity"] == touched["t_entity"], r["record_id"] == touched["t_record"]])
    r = r.left_join(dup, [r["entity"] == dup["d_entity"], r["record_id"] == dup["d_record"]])
    r = r.select(*ctx.table("records").columns, "t_last", "d_record")
    last = ibis.greatest(r["t_last"], r["last_human_activity"], r["created_on"])
    # local midnight N days before the as-of date, in UTC (stored timestamps are naive UTC)
    day = as_of - dt.timedelta(days=q.stale_after_days)
    local = dt.datetime.combine(day, dt.time(), zoneinfo.ZoneInfo(ctx.project.timezone))
    cutoff = local.astimezone(dt.UTC).replace(tzinfo=None)
    is_open = r["state"] == "open"
    r = r.mutate(
        user_id=r["owner_id"],
        ts=ibis.literal(dt.datetime.combine(as_of, dt.time())),
        _complete=(r["missing_fields"].length().fill_null(0) == 0).cast("int64"),
        _dedupe=r["entity"].isin(list(q.dedupe_entities)),
        _dup=r["d_record"].notnull().cast("int64"),
        _open=is_open.fill_null(False),
        _stale=(is_open & (last.isnull() | (last < cutoff))).fill_null(False).cast("int64"),
    )
    cols = [
        "entity",
        "record_id",
        "user_id",
        "ts",
        "missing_fields",
        "_complete",
        "_dedupe",
        "_dup",
        "_open",
        "_stale",
    ]
    return ctx.attr(r.select(*cols))


def created_records(ctx: KpiContext) -> Table:
    """Records with a creation time, in the owner's segment and local day at creation."""
    r = ctx.table("records")
    r = r.filter(r["created_on"].notnull())
    r = r.select(
        "entity",
        "record_id",
        user_id=r["owner_id"],
        ts=r["created_on"],
        _complete=(r["missing_fields"].length().fill_null(0) == 0).cast("int64"),
    )
    return ctx.attr(r)


def _rate_expr(
    t: Table, flag: str, among: str | None, level: SegmentLevel, by_entity: bool, grain: Any, ws: WeekStart
) -> Table:
    t = in_level(t, level)
    if among is not None:
        t = t.filter(t[among])
    t, keys = with_period(t, grain, ws)
    keys = [*keys, *LEVEL_KEYS[level], *(["entity"] if by_entity else [])]
    t = t.mutate(_k=ibis.literal(1))
    return t.group_by([*keys, "_k"]).agg(num=t[flag].sum(), den=t.count(), owners=t["user_id"].nunique())


def _rows(df: pd.DataFrame, kpi: str, **extra: Any) -> pd.DataFrame:
    if df.empty:
        return df
    df = df.drop(columns=["_k"]).rename(
        columns={"num": "numerator", "den": "denominator", "owners": "n_users"}
    )
    if "entity" in df.columns:
        df = df.rename(columns={"entity": "feature"})
    # records nobody owns describe no user: no group to protect
    owners = df["n_users"].astype(object).where(df["n_users"] > 0, None)
    return df.assign(kpi=kpi, value=df["numerator"] / df["denominator"], n_users=owners, **extra)


def rates(
    t: Table,
    kpi: str,
    flag: str,
    among: str | None,
    level: SegmentLevel,
    by_entity: bool,
    grain: Any,
    ws: WeekStart,
) -> pd.DataFrame:
    df = execute.to_pandas(
        t,
        ("quality.rate", t.get_name(), flag, among, level, by_entity, grain, ws),
        lambda: _rate_expr(t, flag, among, level, by_entity, grain, ws),
    )
    return _rows(df, kpi, grain=grain)


def _missing_expr(t: Table, level: SegmentLevel) -> Table:
    t = in_level(t, level)
    keys = [*LEVEL_KEYS[level], "entity"]
    per_entity = t.group_by(keys).agg(den=t.count())
    u = t.mutate(field=t["missing_fields"].unnest())
    u = u.group_by([*keys, "field"]).agg(num=u.count(), owners=u["user_id"].nunique())
    j = u.join(per_entity, keys)
    return j.mutate(_k=ibis.literal(1), feature=j["entity"].concat(".", j["field"])).drop("entity", "field")


def missing_fields(t: Table, level: SegmentLevel) -> pd.DataFrame:
    """Share of an entity's records missing each required field (the most often missing first)."""
    df = execute.to_pandas(t, ("quality.missing", t.get_name(), level), lambda: _missing_expr(t, level))
    return _rows(df, "missing_field_share", grain="total")


def _trend_expr(s: Table, ctx: KpiContext, level: SegmentLevel) -> Table:
    s = s.mutate(
        user_id=s["owner_id"],
        ts=s["snapshot_date"].cast("timestamp"),
        _complete=(s["missing_fields"].length().fill_null(0) == 0).cast("int64"),
    )
    t = in_level(ctx.attr(s.select("snapshot_date", "user_id", "ts", "_complete")), level)
    keys = [*LEVEL_KEYS[level]]
    t = t.mutate(_k=ibis.literal(1))
    g = t.group_by(["snapshot_date", *keys, "_k"]).agg(
        num=t["_complete"].sum(), den=t.count(), owners=t["user_id"].nunique()
    )
    return g.rename(period_start="snapshot_date")


def trend(ctx: KpiContext, level: SegmentLevel) -> pd.DataFrame:
    """Completeness of each stored snapshot (one per as-of date), so successive loads trend."""
    s = ctx.table(tables.SNAPSHOTS)
    df = execute.to_pandas(s, ("quality.trend", level, *ctx.attr.shape), lambda: _trend_expr(s, ctx, level))
    return _rows(df, "record_completeness_snapshot", grain="day", is_complete=True)
