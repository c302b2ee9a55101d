"""Digital-adoption-platform events (WalkMe/Whatfix-style exports) → ``dap_events``.

One row per flow event of a user (CSV or JSON Lines): who (user id or e-mail, matched to users at
KPI time), when, which flow, which step, and a status. Statuses are read case-insensitively with
``-`` and spaces as ``_`` (``Help-Opened`` → ``help_opened``); the source's ``status_map`` maps
vendor spellings (``Flow Played`` → ``started``). A row whose status is neither is quarantined.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from uptake.project.source_configs import DapSource
from uptake.sources.base import Chunk, FileSource, Rejected, SourceContext
from uptake.sources.mapping import Field, map_batch
from uptake.sources.tabular import checked_batches, resolve_paths
from uptake.vocab import DAP_STATUSES
from uptake.warehouse.schema import DAP_EVENTS

_SCHEMA = DAP_EVENTS.schema.append(pa.field("_row", pa.int64()))


def _norm(value: str) -> str:
    return "_".join(value.casefold().replace("-", " ").split())


class DapFileSource(FileSource[DapSource]):
    def __init__(self, config: DapSource, name: str) -> None:
        super().__init__(config, name)
        self.statuses: dict[str, str] = {s: s for s in DAP_STATUSES}
        self.statuses |= {_norm(k): v for k, v in config.status_map.items()}

    def _fields(self) -> list[Field]:
        m = self.config.mapping
        return [
            Field("event_id", m.event_id),
            Field("actor", m.user, required=True),
            Field("ts", m.timestamp, "ts", required=True),
            Field("flow_id", m.flow, required=True),
            Field("step", m.step),
            Field("status", m.status, required=True),
        ]

    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]:
        fields = self._fields()
        for path in resolve_paths(self.config.path, ctx.project_dir):
            for batch in checked_batches(
                path,
                fields,
                f"source '{self.name}'",
                self.config.format,
                self.config.encoding,
                self.config.delimiter,
            ):
                table, rejected = map_batch(batch, fields, self.config.timezone)
                rows, unknown = self._finish(table, path, batch.file)
                rejected += unknown
                lost = {(r.file, r.row) for r in rejected if not r.kept}
                yield Chunk("dap_events", batch.file, rows, rows.num_rows + len(lost), rejected)

    def _finish(self, table: pa.Table, path: Path, file: str) -> tuple[pa.Table, list[Rejected]]:
        """Canonical statuses and event ids; rows with an unknown status are rejected."""
        keep: list[dict[str, Any]] = []
        rejected: list[Rejected] = []
        for r in table.to_pylist():
            status = self.statuses.get(_norm(r["status"]))
            if status is None:
                reason = (
                    f"status {r['status']!r} is not one of {', '.join(DAP_STATUSES)}; map it under status_map"
                )
                rejected.append(Rejected(file, r["_row"], self.config.mapping.status, reason, r["status"]))
                continue
            r["status"] = status
            r["event_id"] = r["event_id"] or f"{path.name}#{r['_row']}"
            r["source"] = self.name
            keep.append(r)
        return pa.table({f.name: [r.get(f.name) for r in keep] for f in _SCHEMA}, schema=_SCHEMA), rejected
