"""Training records → ``training``: LMS CSV exports and xAPI statements.

Only records that say a learner finished something are loaded: ``completed``, ``passed`` (courses)
and ``attended`` (info sessions); registrations and attempts are skipped (not counted as read). An
xAPI statement's learner is its actor's ``mbox`` without ``mailto:`` (matched to ``users.email`` at
KPI time), else ``account.name``; the verb is the last segment of its id; the course is the
object's id; an ``attended`` verb or a ``meeting`` activity type makes an info session.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from uptake.project.source_configs import TrainingSource
from uptake.sources.base import Chunk, FileSource, SourceContext, SourceError
from uptake.sources.mapping import Field, check_columns, map_batch
from uptake.sources.tabular import RowBatch, read_batches, resolve_paths
from uptake.warehouse.schema import TRAINING

LOADED = ("completed", "passed", "attended")
_SCHEMA = TRAINING.schema.append(pa.field("_row", pa.int64()))
_FIELDS = ("record_id", "learner", "course_id", "kind", "status", "ts", "score")


class TrainingFileSource(FileSource[TrainingSource]):
    def _fields(self) -> list[Field]:
        m = self.config.mapping
        if self.config.format == "xapi":
            m = m.model_copy(
                update={
                    "learner": "learner",
                    "course_id": "course_id",
                    "status": "status",
                    "completed_at": "ts",
                    "record_id": "record_id",
                    "kind": "kind",
                    "score": "score",
                }
            )
        return [
            Field("record_id", m.record_id),
            Field("learner", m.learner, required=True),
            Field("course_id", m.course_id, required=True),
            Field("kind", m.kind),
            Field("status", m.status, required=True),
            Field("ts", m.completed_at, "ts", required=True),
            Field("score", m.score, "num"),
        ]

    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]:
        fields = self._fields()
        for path in resolve_paths(self.config.path, ctx.project_dir):
            first = True
            for batch in self._batches(path):
                batch = _only_loaded(batch, fields[4].column)
                if first:
                    check_columns(batch, fields, f"source '{self.name}'")
                    first = False
                table, rejected = map_batch(batch, fields, self.config.timezone)
                rows = self._finish(table, path)
                lost = {(r.file, r.row) for r in rejected if not r.kept}
                yield Chunk("training", batch.file, rows, rows.num_rows + len(lost), rejected)

    def _batches(self, path: Path) -> Iterator[RowBatch]:
        if self.config.format == "xapi":
            yield _statements(path)
            return
        yield from read_batches(path, "auto", self.config.encoding, self.config.delimiter)

    def _finish(self, table: pa.Table, path: Path) -> pa.Table:
        recs = table.to_pylist()
        for r in recs:
            r["status"] = r["status"].casefold()
            kind = (r["kind"] or "").casefold().replace(" ", "_")
            r["kind"] = "info_session" if r["status"] == "attended" or "session" in kind else "course"
            r["record_id"] = r["record_id"] or f"{path.name}#{r['_row']}"
            r["source"] = self.name
        return pa.table({f.name: [r.get(f.name) for r in recs] for f in _SCHEMA}, schema=_SCHEMA)


def _only_loaded(batch: RowBatch, status: str | None) -> RowBatch:
    """The batch without registrations, attempts and other records that finish nothing."""
    if status is None or status not in batch.columns:
        return batch
    keep = [i for i, v in enumerate(batch.columns[status]) if str(v or "").strip().casefold() in LOADED]
    return RowBatch(
        batch.file,
        {k: [v[i] for i in keep] for k, v in batch.columns.items()},
        [batch.row_numbers[i] for i in keep],
        batch.bad_rows,
    )


def _statements(path: Path) -> RowBatch:
    """xAPI statements (an LRS page ``{"statements": [...]}``, a JSON list or JSON Lines) as rows."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        data: Any = json.loads(text)
    except ValueError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as exc:
            raise SourceError(f"{path}: neither JSON nor JSON Lines of xAPI statements ({exc})") from exc
    statements = data.get("statements") if isinstance(data, dict) else data
    if not isinstance(statements, list):
        raise SourceError(f"{path}: expected xAPI statements (a 'statements' list)")
    cols: dict[str, list[Any]] = {k: [] for k in _FIELDS}
    for st in statements:
        actor, obj = st.get("actor") or {}, st.get("object") or {}
        mbox = str(actor.get("mbox") or "")
        learner = mbox.removeprefix("mailto:") or (actor.get("account") or {}).get("name")
        verb = str((st.get("verb") or {}).get("id") or "").rstrip("/").rsplit("/", 1)[-1]
        kind = str((obj.get("definition") or {}).get("type") or "")
        score = ((st.get("result") or {}).get("score") or {}).get("scaled")
        cols["record_id"].append(st.get("id"))
        cols["learner"].append(learner)
        cols["course_id"].append(obj.get("id"))
        cols["kind"].append("info_session" if kind.endswith("/meeting") else None)
        cols["status"].append(verb)
        cols["ts"].append(st.get("timestamp"))
        cols["score"].append(score)
    return RowBatch(str(path), cols, list(range(1, len(statements) + 1)))
