"""User lists (CSV/Parquet/JSON Lines) → ``users`` (one row per version)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from uptake.project.source_configs import UsersSource
from uptake.sources.base import Chunk, FileSource, Rejected, SourceContext
from uptake.sources.mapping import Field, map_batch
from uptake.sources.tabular import checked_batches, resolve_paths

ALWAYS = dt.datetime(1900, 1, 1)
"""``valid_from`` of a user row that says nothing about when it became valid."""


class UsersFileSource(FileSource[UsersSource]):
    def _fields(self) -> list[Field]:
        m = self.config.mapping
        return [
            Field("user_id", m.user_id, required=True),
            Field("display_name", m.display_name),
            Field("email", m.email),
            Field("aad_object_id", m.aad_object_id),
            Field("country", m.country),
            Field("region", m.region),
            Field("business_unit", m.business_unit),
            Field("team", m.team),
            Field("role", m.role),
            Field("manager_id", m.manager_id),
            Field("license", m.license),
            Field("is_enabled", m.is_enabled, "bool"),
            Field("is_human_raw", m.is_human),
            Field("created_on", m.created_on, "ts"),
            Field("valid_from", m.valid_from, "ts"),
            Field("valid_to", m.valid_to, "ts_end"),
        ]

    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]:
        fields = self._fields()
        countries = ctx.project.country_lookup()
        non_human = {v.casefold() for v in self.config.non_human_values}
        for path in resolve_paths(self.config.path, ctx.project_dir):
            for batch in checked_batches(
                path, fields, f"source '{self.name}'", "auto", self.config.encoding, self.config.delimiter
            ):
                table, rejected = map_batch(batch, fields, self.config.timezone)
                n = table.num_rows
                human = [
                    v is None or v.casefold() not in non_human for v in table["is_human_raw"].to_pylist()
                ]
                enabled = [True if v is None else v for v in table["is_enabled"].to_pylist()]
                created = table["created_on"].to_pylist()
                valid_from = [
                    vf if vf is not None else (c if c is not None else ALWAYS)
                    for vf, c in zip(table["valid_from"].to_pylist(), created, strict=True)
                ]
                for col, value in self.config.defaults.items():
                    if col in table.column_names:
                        filled = pc.fill_null(table[col], pa.scalar(value, table[col].type))
                        table = table.set_column(table.schema.get_field_index(col), col, filled)
                codes: list[str | None] = []
                for raw, row in zip(table["country"].to_pylist(), table["_row"].to_pylist(), strict=True):
                    code = countries.get(raw.casefold()) if raw else None
                    if raw and code is None:
                        rejected.append(
                            Rejected(
                                batch.file,
                                row,
                                self.config.mapping.country,
                                f"country {raw!r} is not one of the project's countries; the user is "
                                "loaded without a country",
                                raw,
                                kept=True,
                            )
                        )
                    codes.append(code)
                table = (
                    table.drop(["is_human_raw", "is_enabled", "valid_from", "country"])
                    .append_column("is_human", pa.array(human, pa.bool_()))
                    .append_column("is_enabled", pa.array(enabled, pa.bool_()))
                    .append_column("valid_from", pa.array(valid_from, pa.timestamp("us")))
                    .append_column("country", pa.array(codes, pa.string()))
                )
                assert table.num_rows == n
                yield Chunk("users", batch.file, table, batch.size + len(batch.bad_rows), rejected)
