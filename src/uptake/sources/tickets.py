"""Support tickets → ``tickets`` (one row per ticket).

A ticket list (ServiceNow/Zendesk/Jira exports: CSV, Parquet, JSON Lines) maps one row to one
ticket. An event log (XES such as the helpdesk log, or any file with a case id, an activity and a
timestamp per row) is reduced to one ticket per case: created at its first event, first response
at its first ``first_response_activities`` event, resolved at its last ``resolved_activities``
event; requester, category, priority, state and country from the first event that has them. For
event logs the unit of ``rows_read`` is the ticket (``_row`` = its first event).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from uptake.project.source_configs import TicketsSource
from uptake.sources.base import Chunk, FileSource, Rejected, SourceContext
from uptake.sources.mapping import Field, check_columns, map_batch
from uptake.sources.tabular import read_batches, resolve_paths
from uptake.warehouse.schema import TICKETS

_CARRIED = ("requester", "category", "priority", "state", "country")
_SCHEMA = TICKETS.schema.append(pa.field("_row", pa.int64()))


class TicketsFileSource(FileSource[TicketsSource]):
    def __init__(self, config: TicketsSource, name: str) -> None:
        super().__init__(config, name)
        self.log = config.mapping.timestamp is not None

    def _fields(self) -> list[Field]:
        m = self.config.mapping
        fields = [
            Field("ticket_id", m.ticket_id, required=True),
            Field("requester", m.requester),
            Field("category", m.category),
            Field("priority", m.priority),
            Field("state", m.state),
            Field("country", m.country),
        ]
        if self.log:
            return [
                *fields,
                Field("ts", m.timestamp, "ts", required=True),
                Field("activity", m.activity),
            ]
        return [
            *fields,
            Field("created_at", m.created, "ts", required=True),
            Field("first_response_at", m.first_response, "ts"),
            Field("resolved_at", m.resolved, "ts"),
        ]

    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]:
        fields = self._fields()
        lookup = ctx.project.country_lookup()
        for path in resolve_paths(self.config.path, ctx.project_dir):
            first = True
            cases: dict[str, dict[str, Any]] = {}
            rejected: list[Rejected] = []
            for batch in read_batches(path, self.config.format, self.config.encoding, self.config.delimiter):
                if first:
                    check_columns(batch, fields, f"source '{self.name}'")
                    first = False
                table, bad = map_batch(batch, fields, self.config.timezone)
                recs = table.to_pylist()
                more = self._countries(recs, str(path), lookup)
                if self.log:
                    self._fold(recs, cases)
                    rejected += bad + more
                    continue
                rows = self._table(recs)
                lost = {(r.file, r.row) for r in (*bad, *more) if not r.kept}
                yield Chunk("tickets", batch.file, rows, rows.num_rows + len(lost), [*bad, *more])
            if self.log:
                rows = self._table(list(cases.values()))
                lost = {(r.file, r.row) for r in rejected if not r.kept}
                yield Chunk("tickets", str(path), rows, rows.num_rows + len(lost), rejected)

    def _countries(self, recs: list[dict[str, Any]], file: str, lookup: dict[str, str]) -> list[Rejected]:
        """Country names or codes → project codes in place; an unknown one is quarantined (the
        ticket is kept without a country)."""
        rejected = []
        for r in recs:
            raw = r["country"] or self.config.country
            code = lookup.get(raw.casefold()) if raw else None
            if raw and code is None:
                column = self.config.mapping.country if r["country"] else "country (source option)"
                reason = f"country {raw!r} is not one of the project's countries; add it under countries"
                rejected.append(Rejected(file, r["_row"], column, reason, raw, kept=True))
            r["country"] = code
        return rejected

    def _fold(self, recs: list[dict[str, Any]], cases: dict[str, dict[str, Any]]) -> None:
        """Fold ticket events into one record per ticket (first response: earliest matching event,
        resolution: latest)."""
        responses = set(self.config.first_response_activities)
        resolutions = set(self.config.resolved_activities)
        for r in recs:
            ts: dt.datetime = r["ts"]
            c = cases.get(r["ticket_id"])
            if c is None:
                c = cases[r["ticket_id"]] = {
                    "ticket_id": r["ticket_id"],
                    "created_at": ts,
                    "first_response_at": None,
                    "resolved_at": None,
                    "_row": r["_row"],
                    **{k: r[k] for k in _CARRIED},
                }
            c["created_at"] = min(c["created_at"], ts)
            for k in _CARRIED:
                c[k] = c[k] if c[k] is not None else r[k]
            if r["activity"] in responses:
                c["first_response_at"] = min(ts, c["first_response_at"] or ts)
            if r["activity"] in resolutions:
                c["resolved_at"] = max(ts, c["resolved_at"] or ts)

    def _table(self, recs: list[dict[str, Any]]) -> pa.Table:
        cols: dict[str, list[Any]] = {f.name: [r.get(f.name) for r in recs] for f in _SCHEMA}
        cols["source"] = [self.name] * len(recs)
        return pa.table(cols, schema=_SCHEMA)
