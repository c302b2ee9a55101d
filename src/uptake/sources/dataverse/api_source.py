"""The live ``dataverse-api`` source: audit incrementally (cursor on ``createdon``), users,
business units, teams, roles and CRM tables in full, through the Dataverse Web API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from uptake.project.source_configs import DataverseApiSource
from uptake.sources.base import Chunk, SourceContext
from uptake.sources.dataverse import values as v
from uptake.sources.dataverse.audit import audit_rows
from uptake.sources.dataverse.cursor import Cursor
from uptake.sources.dataverse.dataset import Dataset, Record, dataset_chunks
from uptake.sources.dataverse.odata import LiveSource, ODataClient
from uptake.sources.dataverse.pages import TABLE_SETS, parse_page

AUDIT_SELECT = (
    "auditid,createdon,operation,action,objecttypecode,_objectid_value,_userid_value,"
    "_callinguserid_value,_regardingobjectid_value,transactionid,attributemask,useradditionalinfo"
)


class DataverseWebApiSource(LiveSource):
    """Reads one Dataverse environment. ``tokens`` and ``sleep`` are seams for tests."""

    config: DataverseApiSource
    client: ODataClient

    def __init__(self, config: DataverseApiSource, name: str, *seams: Any, **named: Any) -> None:
        super().__init__(config, name, *seams, **named)
        self.config = config

    @property
    def base(self) -> str:
        return f"{self.config.url.rstrip('/')}/api/data/{self.config.api_version}"

    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]:
        self._state = {k: x for k, x in ctx.state.items()}
        prefer = f'odata.include-annotations="*",odata.maxpagesize={self.config.page_size}'
        http, self.client = self._clients(ctx, f"{self.config.url.rstrip('/')}/.default", prefer)
        with http:
            if "audit" in self.config.tables:
                yield from self._audit()
            data = Dataset()
            for table in self.config.tables:
                if table != "audit":
                    self._pull(table, data)
            users = {k: dict(x) for k, x in self._state.get("users", {}).items()}
            yield from dataset_chunks(
                data, ctx.project, self.config.business_unit_countries, users, _naive(ctx.clock())
            )
            self._state["users"] = users

    def _audit(self) -> Iterator[Chunk]:
        overlap = dt.timedelta(minutes=self.config.overlap_minutes)
        cursor = Cursor.from_state(self._state.get("audit"), overlap)
        url = cursor.resume or self._audit_url(cursor.since(v.utc(self.config.start)))
        for page_url, body in self.client.pages(url):
            page = parse_page(body)
            fresh = [
                (i, r)
                for i, r in enumerate(page.rows, start=1)
                if _fresh(cursor, r)  # rows of the overlap window loaded before are dropped here
            ]
            activity, changes = audit_rows(fresh, page_url)
            cursor.resume = page.next_link
            self._state["audit"] = cursor.state()
            yield activity.chunk()
            if changes.rows:
                yield changes.chunk()

    def _audit_url(self, since: dt.datetime | None) -> str:
        conditions = []
        if since is not None:
            conditions.append(f"createdon ge {v.iso(since)}")
        end = v.utc(self.config.end)
        if end is not None:
            conditions.append(f"createdon lt {v.iso(end)}")
        query = f"$select={AUDIT_SELECT}&$orderby=createdon asc,auditid asc"
        if conditions:
            query += "&$filter=" + quote(" and ".join(conditions), safe="=:-")
        return f"{self.base}/audits?{query}"

    def _pull(self, table: str, data: Dataset) -> None:
        for page_url, body in self.client.pages(f"{self.base}/{TABLE_SETS.get(table, table)}"):
            for i, row in enumerate(parse_page(body).rows, start=1):
                data.add(table, Record(page_url, i, row))


def _fresh(cursor: Cursor, row: dict[str, Any]) -> bool:
    key = v.guid(row.get("auditid"))
    try:
        ts = v.utc(row.get("createdon"))
    except ValueError:
        ts = None
    if key is None or ts is None:
        return True  # let the audit mapping reject it with its reason
    return cursor.fresh(key, ts)


def _naive(stamp: dt.datetime) -> dt.datetime:
    return stamp.astimezone(dt.UTC).replace(tzinfo=None) if stamp.tzinfo else stamp
