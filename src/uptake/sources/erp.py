"""ERP revenue rows (CSV or Parquet) → ``outcomes``, every amount in the reporting currency.

A row's currency (its column, else ``default_currency``, else the reporting currency) is converted
with the project's ``rates``; a row whose currency has no rate is quarantined, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from uptake.project.source_configs import ErpSource
from uptake.sources.base import Chunk, FileSource, Rejected, SourceContext
from uptake.sources.mapping import Field, map_batch
from uptake.sources.tabular import checked_batches, resolve_paths
from uptake.vocab import OUTCOME_KINDS


class ErpFileSource(FileSource[ErpSource]):
    def fields(self) -> list[Field]:
        m = self.config.mapping
        return [
            Field("outcome_id", m.id),
            Field("user_id", m.user),
            Field("email", m.email),
            Field("team", m.team),
            Field("country", m.country),
            Field("date", m.date, "date", required=True),
            Field("amount", m.amount, "num", required=True),
            Field("currency", m.currency),
            Field("deals_won", m.deals_won, "num"),
            Field("kind", m.kind),
        ]

    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]:
        fields = self.fields()
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
                table, more = self.finish(table, path)
                yield Chunk("outcomes", batch.file, table, batch.size + len(batch.bad_rows), rejected + more)

    def finish(self, table: pa.Table, path: Path) -> tuple[pa.Table, list[Rejected]]:
        """Default ids and currencies, converted revenue, canonical kinds; rows without a rate out."""
        c = self.config
        rows = table["_row"].to_pylist()
        if c.mapping.id is None:
            table = table.set_column(
                table.schema.get_field_index("outcome_id"),
                "outcome_id",
                pa.array([f"{path.name}:{r}" for r in rows], pa.string()),
            )
        default = (c.default_currency or c.currency).upper()
        currency = [(v or default).upper() for v in table["currency"].to_pylist()]
        rates = {k.upper(): v for k, v in c.rates.items()} | {c.currency.upper(): 1.0}
        rejected = [
            Rejected(str(path), r, c.mapping.currency, f"no rate for currency {cur!r}; add it to rates", cur)
            for r, cur in zip(rows, currency, strict=True)
            if cur not in rates
        ]
        kind = [None if v is None else self.kind(v) for v in table["kind"].to_pylist()]
        table = table.set_column(table.schema.get_field_index("currency"), "currency", pa.array(currency))
        table = table.set_column(table.schema.get_field_index("kind"), "kind", pa.array(kind, pa.string()))
        rate = pa.array([rates.get(cur) for cur in currency], pa.float64())
        table = table.append_column("revenue", pc.multiply(table["amount"], rate))
        table = table.append_column("source", pa.array([self.name] * table.num_rows, pa.string()))
        return table.filter(pc.is_valid(rate)), rejected

    def kind(self, raw: str) -> str:
        """Through ``kind_map`` (case-insensitive); else the value if it already is a kind; else other."""
        mapped = {k.casefold(): v for k, v in self.config.kind_map.items()}.get(raw.casefold())
        if mapped is not None:
            return str(mapped)
        plain = raw.strip().casefold().replace("-", "_").replace(" ", "_")
        return plain if plain in OUTCOME_KINDS else "other"
