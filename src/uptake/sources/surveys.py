"""Survey responses → ``surveys`` (one row per answer).

Formats: ``forms`` (Microsoft Forms / Customer Voice exports: ``ID``, ``Start time``, ``Completion
time``, ``Email``, ``Name``, then one column per question; US-style local times such as
``3/5/25 9:01:12``), ``wide`` (any CSV with one column per question), ``long`` (one row per answer
with a question id and a value) and ``customer-voice`` (Dataverse ``msfp_surveyresponse`` rows:
Web API JSON pages, JSON Lines or CSV; ``msfp_npsscore`` becomes the question ``nps``).

Answers are checked against the declared scale of their question: a blank is no answer (no row);
a non-number or a number outside the scale is quarantined as an invalid answer. Nothing is rescaled.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from uptake.project.source_configs import SurveyQuestion, SurveySource
from uptake.sources.base import Chunk, Rejected, SourceContext, SourceError
from uptake.sources.mapping import Field, check_columns, map_batch
from uptake.sources.tabular import RowBatch, read_batches, resolve_paths
from uptake.warehouse.schema import SURVEYS

FORMS_DEFAULTS = {"response_id": "ID", "respondent": "Email", "submitted_at": "Completion time"}
CV_NPS = SurveyQuestion(column="msfp_npsscore", id="nps", type="nps", scale=(0, 10))
CV_DEFAULTS = {
    "response_id": "activityid",
    "respondent": "msfp_respondentemailaddress",
    "submitted_at": "msfp_submitdate",
}
ANONYMOUS = {"anonymous", ""}
_FORMS_TIMES = ("%m/%d/%y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%y %H:%M", "%m/%d/%Y %H:%M")


class SurveyFileSource:
    def __init__(self, config: SurveySource, name: str) -> None:
        self.config = config
        self.name = name
        self.survey_id = config.survey_id or name
        self.missing = {v.casefold() for v in config.missing_values}

    def next_state(self) -> dict[str, Any]:
        return {}

    def _meta(self) -> dict[str, str | None]:
        m = self.config.mapping.model_dump()
        defaults = {"forms": FORMS_DEFAULTS, "customer-voice": CV_DEFAULTS}.get(self.config.format, {})
        for k, v in defaults.items():
            m[k] = m[k] or v
        return m

    def _questions(self) -> list[SurveyQuestion]:
        if self.config.format == "customer-voice":
            return list(self.config.questions) or [CV_NPS]
        return list(self.config.questions)

    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]:
        meta = self._meta()
        fields = [
            Field("response_id", meta["response_id"]),
            Field("respondent", meta["respondent"]),
            Field("submitted_at", meta["submitted_at"], "ts"),
            Field("wave", meta["wave"]),
            Field("language", meta["language"]),
            Field("country", meta["country"]),
        ]
        questions = self._questions()
        long = self.config.format == "long"
        if long:
            fields += [
                Field("question_id", meta["question_id"], required=True),
                Field("value", meta["value"]),
            ]
        else:
            fields += [Field(f"q:{i}", q.column) for i, q in enumerate(questions)]
        countries = ctx.project.country_lookup()
        for path in resolve_paths(self.config.path, ctx.project_dir):
            first = True
            for batch in _batches(path, self.config):
                if first:
                    check_columns(batch, fields, f"source '{self.name}'")
                    first = False
                if self.config.format == "forms" and meta["submitted_at"] in batch.columns:
                    batch.columns[meta["submitted_at"]] = _forms_times(batch.columns[meta["submitted_at"]])
                table, rejected = map_batch(batch, fields, self.config.timezone)
                rows, more = self._answers(path, table, questions, countries, long)
                # rows read = answers (the loader's unit) + input rows dropped whole
                lost = {(r.file, r.row) for r in (*rejected, *more) if not r.kept}
                yield Chunk("surveys", batch.file, rows, rows.num_rows + len(lost), [*rejected, *more])

    def _answers(
        self,
        path: Path,
        table: pa.Table,
        questions: list[SurveyQuestion],
        countries: dict[str, str],
        long: bool,
    ) -> tuple[pa.Table, list[Rejected]]:
        by_column = {q.column: q for q in questions}
        out: dict[str, list[Any]] = {f.name: [] for f in SURVEYS.schema}
        out["_row"] = []
        rejected: list[Rejected] = []
        for rec in table.to_pylist():
            row = rec["_row"]
            respondent = rec["respondent"]
            if respondent is not None and respondent.casefold() in ANONYMOUS:
                respondent = None
            raw_country = rec["country"]
            country = countries.get(raw_country.casefold(), raw_country) if raw_country else None
            if long:
                q = by_column.get(rec["question_id"])
                if q is None:
                    continue  # a question the project does not follow
                pairs = [(q, rec["value"])]
            else:
                pairs = [(q, rec[f"q:{i}"]) for i, q in enumerate(questions)]
            base = rec["response_id"] or f"{path.name}#{row}"
            for q, value in pairs:
                if value is None or value.casefold() in self.missing:
                    continue  # no answer
                score: float | None = None
                text: str | None = None
                if q.type == "text":
                    text = value
                else:
                    score = _score(value)
                    lo, hi = q.scale or (0.0, 0.0)
                    if score is None or not lo <= score <= hi:
                        rejected.append(
                            Rejected(
                                str(path),
                                row,
                                q.column,
                                f"invalid answer {value!r}: expected a number from {lo:g} to {hi:g}",
                                value,
                                kept=not long,
                            )
                        )
                        continue
                out["survey_id"].append(self.survey_id)
                out["wave"].append(rec["wave"] or path.name.split(".")[0])
                out["response_id"].append(base)
                out["question_id"].append(q.id or q.column)
                out["question_type"].append(q.type)
                out["respondent"].append(respondent)
                out["submitted_at"].append(rec["submitted_at"])
                out["score"].append(score)
                out["scale_min"].append(q.scale[0] if q.scale else None)
                out["scale_max"].append(q.scale[1] if q.scale else None)
                out["text"].append(text)
                out["language"].append(rec["language"] or (self.config.language if text else None))
                out["country"].append(country)
                out["_row"].append(row)
        rows = pa.table(out, schema=SURVEYS.schema.append(pa.field("_row", pa.int64())))
        return rows, rejected


def _score(value: str) -> float | None:
    try:
        f = float(value.replace(",", "."))
    except ValueError:
        return None
    return f if f == f else None


def _forms_times(values: list[Any]) -> list[Any]:
    """Forms writes local times in the culture of the form (US by default): read them to ISO."""
    out: list[Any] = []
    for v in values:
        s = str(v).strip() if v is not None else ""
        parsed = None
        for fmt in _FORMS_TIMES:
            try:
                parsed = dt.datetime.strptime(s, fmt)
                break
            except ValueError:
                continue
        out.append(parsed.isoformat() if parsed is not None else v)
    return out


def _batches(path: Path, config: SurveySource) -> Iterator[RowBatch]:
    if config.format == "customer-voice" and path.suffix.lower() == ".json":
        yield _webapi_page(path)
        return
    yield from read_batches(path, "auto", config.encoding, config.delimiter)


def _webapi_page(path: Path) -> RowBatch:
    """A Dataverse Web API page (``{"value": [...]}``) of ``msfp_surveyresponses``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except ValueError as exc:
        raise SourceError(f"{path}: not a JSON document ({exc})") from exc
    rows = data.get("value") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise SourceError(f"{path}: expected a Web API page with a 'value' list of msfp_surveyresponse rows")
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    cols = {k: [None if r.get(k) is None else str(r.get(k)) for r in rows] for k in keys}
    return RowBatch(str(path), cols, list(range(1, len(rows) + 1)))
