"""CRM records (opportunities, leads, …) from files → ``records`` (+ derived ``activity``)."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from uptake.project.source_configs import CrmRecordsSource
from uptake.sources.base import Chunk, FileSource, Rejected, SourceContext
from uptake.sources.mapping import Field, map_batch
from uptake.sources.tabular import RowBatch, checked_batches, resolve_paths
from uptake.vocab import RECORD_STATES

_CLOSE_ACTION = {"won": "win", "lost": "lose", "qualified": "qualify", "resolved": "resolve"}


class CrmRecordsFileSource(FileSource[CrmRecordsSource]):
    def _fields(self) -> list[Field]:
        m = self.config.mapping
        return [
            Field("record_id", m.record_id, required=True),
            Field("owner_id", m.owner, required=m.owner is not None),
            Field("created_on", m.created, "ts"),
            Field("modified_on", m.modified, "ts"),
            Field("closed_on", m.closed, "ts"),
            Field("estimated_close", m.estimated_close, "date"),
            Field("state_raw", m.state),
            Field("status", m.status),
            Field("value", m.value, "num"),
            Field("currency", m.currency),
            Field("account", m.account),
            Field("product", m.product),
            Field("first_response_on", m.first_response, "ts"),
            Field("resolved_on", m.resolved, "ts"),
            *(Field(c, getattr(m, c)) for c in ("name", "email", "phone", "city", "postal_code", "tax_id")),
        ]

    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]:
        fields = self._fields()
        states = {k.casefold(): v for k, v in self.config.state_map.items()}
        for path in resolve_paths(self.config.path, ctx.project_dir):
            for batch in checked_batches(
                path, fields, f"source '{self.name}'", "auto", self.config.encoding, self.config.delimiter
            ):
                table, rejected = map_batch(batch, fields, self.config.timezone)
                state: list[str | None] = []
                for raw, row in zip(table["state_raw"].to_pylist(), table["_row"].to_pylist(), strict=True):
                    s = None if raw is None else states.get(raw.casefold(), raw.casefold())
                    if s is not None and s not in RECORD_STATES:
                        rejected.append(
                            Rejected(
                                batch.file,
                                row,
                                self.config.mapping.state,
                                f"state {raw!r} is not one of {'/'.join(RECORD_STATES)}; add it to state_map",
                                raw,
                                kept=True,
                            )
                        )
                        s = None
                    state.append(s)
                n = table.num_rows
                table = (
                    table.drop(["state_raw"])
                    .append_column("state", pa.array(state, pa.string()))
                    .append_column("entity", pa.array([self.config.entity] * n, pa.string()))
                )
                required = self.config.required_fields or ctx.project.quality.required(self.config.entity)
                table = table.append_column(
                    "missing_fields", pa.array(_missing(table, required, batch), pa.list_(pa.string()))
                )
                yield Chunk("records", batch.file, table, batch.size + len(batch.bad_rows), rejected)
                if self.config.emit_activity:
                    events = self._activity(table)
                    yield Chunk("activity", f"{batch.file}#activity", events, events.num_rows)

    def _activity(self, table: pa.Table) -> pa.Table:
        """A create event per record with a creation time; a win/lose/qualify/resolve event per won,
        lost, qualified or resolved record at its close (a resolved case at ``resolved_on`` if set)."""
        ids, rids, users, ts, actions = [], [], [], [], []
        entity = self.config.entity
        for rid, owner, created, closed, resolved, state in zip(
            table["record_id"].to_pylist(),
            table["owner_id"].to_pylist(),
            table["created_on"].to_pylist(),
            table["closed_on"].to_pylist(),
            table["resolved_on"].to_pylist(),
            table["state"].to_pylist(),
            strict=True,
        ):
            if owner is None:
                continue
            closed = resolved if state == "resolved" and resolved is not None else closed
            if created is not None:
                ids.append(f"{entity}:{rid}:create")
                rids.append(rid)
                users.append(owner)
                ts.append(created)
                actions.append("create")
            if closed is not None and state in _CLOSE_ACTION:
                ids.append(f"{entity}:{rid}:{_CLOSE_ACTION[state]}")
                rids.append(rid)
                users.append(owner)
                ts.append(closed)
                actions.append(_CLOSE_ACTION[state])
        n = len(ids)
        return pa.table(
            {
                "event_id": pa.array(ids, pa.string()),
                "user_id": pa.array(users, pa.string()),
                "ts": pa.array(ts, pa.timestamp("us")),
                "source": pa.array([self.name] * n, pa.string()),
                "action": pa.array(actions, pa.string()),
                "entity": pa.array([entity] * n, pa.string()),
                "record_id": pa.array(rids, pa.string()),
                "raw_action_code": pa.array(actions, pa.string()),
                "_row": pa.array(range(1, n + 1), pa.int64()),
            }
        )


def _missing(table: pa.Table, required: list[str], batch: RowBatch) -> list[list[str]]:
    """Per row, the required fields that are empty: canonical fields, else columns of the file (by
    name); a field that is neither is missing."""
    cols = {f: table[f].to_pylist() for f in required if f in table.column_names}
    rows = table["_row"].to_pylist()
    for f in required:
        if f not in cols and f in batch.columns:
            raw = dict(zip(batch.row_numbers, batch.columns[f], strict=True))
            cols[f] = [None if raw[r] is None or not str(raw[r]).strip() else raw[r] for r in rows]
    return [
        [f for f in required if cols.get(f) is None or cols[f][i] in (None, "")]
        for i in range(table.num_rows)
    ]
