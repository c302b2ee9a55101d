"""Warehouse tables of the data-quality KPIs: record snapshots per as-of date, duplicate clusters.

``record_snapshots`` keeps, per as-of date, each record's owner, state and missing fields, so
completeness can be trended across loads even though ``records`` holds only the latest version of
each record. A rerun on the same date replaces that date's snapshot; other dates are kept.
``duplicate_clusters`` is rebuilt on every run from the current records.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa

from uptake.kpis import execute
from uptake.quality import dedupe
from uptake.warehouse.store import Warehouse

SNAPSHOTS = "record_snapshots"
CLUSTERS = "duplicate_clusters"
SNAPSHOT_SCHEMA = pa.schema(
    [
        ("snapshot_date", pa.date32()),
        ("entity", pa.string()),
        ("record_id", pa.string()),
        ("owner_id", pa.string()),
        ("state", pa.string()),
        ("missing_fields", pa.list_(pa.string())),
    ]
)
_MATCH_COLUMNS = (
    "entity",
    "record_id",
    "owner_id",
    "name",
    "email",
    "phone",
    "city",
    "postal_code",
    "tax_id",
)


def take_snapshot(wh: Warehouse, as_of: dt.date) -> None:
    """Store the current records as the snapshot of ``as_of`` (replacing an earlier one that day)."""
    con = wh.con
    if SNAPSHOTS not in con.list_tables():
        con.create_table(SNAPSHOTS, schema=ibis.schema(SNAPSHOT_SCHEMA))
    old = wh.table(SNAPSHOTS)
    r = wh.table("records")
    current = r.select(
        snapshot_date=ibis.literal(as_of, "date"),
        entity=r["entity"],
        record_id=r["record_id"],
        owner_id=r["owner_id"],
        state=r["state"],
        missing_fields=r["missing_fields"],
    )
    kept = old.filter(old["snapshot_date"] != as_of)
    wh.replace(SNAPSHOTS, kept.union(current).to_pyarrow())


def write_clusters(wh: Warehouse, entities: list[str]) -> None:
    """Cluster the records of ``entities`` (:mod:`uptake.quality.dedupe`) into ``duplicate_clusters``."""
    r = wh.table("records")
    df = execute.to_pandas(
        r,
        ("quality.match_input", tuple(entities)),
        lambda: r.filter(r["entity"].isin(entities)).select(*_MATCH_COLUMNS).order_by("entity", "record_id"),
    )
    rows = pa.Table.from_pandas(df, preserve_index=False).to_pylist()
    parts = [dedupe.clusters(e, [x for x in rows if x["entity"] == e]) for e in entities]
    wh.replace(CLUSTERS, pa.concat_tables([dedupe.CLUSTERS_SCHEMA.empty_table(), *parts]))
