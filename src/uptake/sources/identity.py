"""Identity links (alias id → canonical user id) from files → ``identity_links``."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from uptake.project.source_configs import IdentityLinksSource
from uptake.sources.base import Chunk, FileSource, SourceContext
from uptake.sources.mapping import Field, map_batch
from uptake.sources.tabular import checked_batches, resolve_paths


class IdentityLinksFileSource(FileSource[IdentityLinksSource]):
    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]:
        m = self.config.mapping
        fields = [
            Field("alias_id", m.alias, required=True),
            Field("canonical_id", m.canonical, required=True),
            Field("linked_at", m.linked_at, "ts"),
        ]
        for path in resolve_paths(self.config.path, ctx.project_dir):
            for batch in checked_batches(
                path, fields, f"source '{self.name}'", "auto", self.config.encoding, self.config.delimiter
            ):
                table, rejected = map_batch(batch, fields, self.config.timezone)
                table = table.append_column("source", pa.array([self.name] * table.num_rows, pa.string()))
                yield Chunk("identity_links", batch.file, table, batch.size + len(batch.bad_rows), rejected)
