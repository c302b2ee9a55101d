"""Generic event logs (CSV, Parquet, JSON Lines, XES) → ``activity``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from uptake.project.source_configs import EventsSource
from uptake.sources.base import Chunk, FileSource, Rejected, SourceContext
from uptake.sources.mapping import Field, map_batch
from uptake.sources.tabular import checked_batches, resolve_paths
from uptake.vocab import ACTIONS


class EventsFileSource(FileSource[EventsSource]):
    def _fields(self) -> list[Field]:
        m = self.config.mapping
        return [
            Field("user_id", m.user, required=True),
            Field("ts", m.timestamp, "ts", required=True),
            Field("raw_action_code", m.action),
            Field("entity", m.entity),
            Field("record_id", m.record_id),
            Field("event_id", m.event_id),
            Field("client", m.client),
            Field("country", m.country),
            Field("region", m.region),
            Field("team", m.team),
            Field("role", m.role),
        ]

    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]:
        fields = self._fields()
        countries = ctx.project.country_lookup()
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
                table, more = self._finish(table, batch.file, countries)
                yield Chunk("activity", batch.file, table, batch.size + len(batch.bad_rows), rejected + more)

    def _finish(
        self, table: pa.Table, file: str, countries: dict[str, str]
    ) -> tuple[pa.Table, list[Rejected]]:
        rejected: list[Rejected] = []
        raw_actions = table["raw_action_code"].to_pylist()
        table = table.append_column("action", pa.array([self._action(a) for a in raw_actions], pa.string()))
        table = table.append_column("source", pa.array([self.name] * table.num_rows, pa.string()))
        if self.config.mapping.country is not None:
            codes: list[str | None] = []
            keep: list[bool] = []
            for raw, row in zip(table["country"].to_pylist(), table["_row"].to_pylist(), strict=True):
                code = countries.get(raw.casefold()) if raw is not None else None
                if raw is not None and code is None:
                    rejected.append(
                        Rejected(
                            file,
                            row,
                            self.config.mapping.country,
                            f"country {raw!r} is not one of the project's countries; add it under "
                            "countries, or to a country's match list",
                            raw,
                        )
                    )
                codes.append(code)
                keep.append(raw is None or code is not None)
            table = table.set_column(
                table.schema.get_field_index("country"), "country", pa.array(codes, pa.string())
            )
            table = table.filter(pa.array(keep))
        if self.config.mapping.event_id is None:
            table = table.set_column(
                table.schema.get_field_index("event_id"),
                "event_id",
                pa.array(_content_ids(table), pa.string()),
            )
        elif table.num_rows and pc.any(pc.is_null(table["event_id"])).as_py():
            missing = pc.is_null(table["event_id"])
            for row in table.filter(missing)["_row"].to_pylist():
                rejected.append(Rejected(file, row, self.config.mapping.event_id, "event id is empty"))
            table = table.filter(pc.invert(missing))
        return table, rejected

    def _action(self, raw: str | None) -> str:
        amap = self.config.action_map
        if raw is None:
            return self.config.default_action
        if raw in amap:
            return amap[raw]
        folded = {k.casefold(): v for k, v in amap.items()}
        if raw.casefold() in folded:
            return folded[raw.casefold()]
        if raw.casefold() in ACTIONS:
            return raw.casefold()
        return self.config.default_action


def _content_ids(table: pa.Table) -> list[str]:
    """A stable id from the event's content, so reloading a file yields the same ids."""
    cols = [
        "user_id",
        "ts",
        "raw_action_code",
        "entity",
        "record_id",
        "client",
        "country",
        "region",
        "team",
        "role",
    ]
    values = [table[c].to_pylist() for c in cols]
    out = []
    for row in zip(*values, strict=True):
        text = "\x1f".join("" if v is None else str(v) for v in row)
        out.append(hashlib.blake2b(text.encode(), digest_size=12).hexdigest())
    return out
