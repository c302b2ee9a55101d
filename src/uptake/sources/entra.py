"""Entra ID sign-ins → the ``signins`` table.

Inputs: Microsoft Graph ``auditLogs/signIns`` (live, or pages saved as files) and the admin
portal's downloads (JSON, or CSV with drifting headers: trailing spaces, a duplicated column,
``City, State, CC`` locations). Success means ``errorCode == 0``; a sign-in is to Dataverse when its
``resourceId`` is one of the configured ids. ``user_id`` stays empty here: sign-ins carry the Entra
object id, which :func:`attach_user_ids` joins to ``users.aad_object_id``
(``systemuser.azureactivedirectoryobjectid``).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc

from uptake.project.source_configs import EntraSigninsSource
from uptake.sources.base import Chunk, SourceContext, SourceError
from uptake.sources.csvio import detect_dialect
from uptake.sources.dataverse import values as v
from uptake.sources.dataverse.cursor import Cursor
from uptake.sources.dataverse.file_sources import resolve_paths
from uptake.sources.dataverse.odata import LiveSource
from uptake.sources.dataverse.tables import Rows
from uptake.warehouse.schema import SIGNINS

GRAPH_SCOPE = "https://graph.microsoft.com/.default"

# canonical column → portal CSV header names seen (trimmed, case-folded), first match wins
PORTAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "signin_id": ("request id", "id"),
    "ts": ("date (utc)", "date", "created date time"),
    "aad_object_id": ("user id", "userid"),
    "user_principal_name": ("username", "user principal name", "upn"),
    "app_id": ("application id", "app id"),
    "resource_id": ("resource id",),
    "status": ("status",),
    "error_code": ("sign-in error code", "error code"),
    "client_app": ("client app", "client app used"),
    "location": ("location",),
}


def signin_row(obj: Mapping[str, Any], resources: frozenset[str]) -> dict[str, Any]:
    """One Graph ``signIn`` object (or a portal JSON entry, same shape) → a ``signins`` row."""
    status = _object(obj.get("status"))
    location = _object(obj.get("location"))
    code = v.to_int(status.get("errorCode"))
    resource = v.guid(obj.get("resourceId"))
    return {
        "signin_id": v.text(obj.get("id")),
        "aad_object_id": v.guid(obj.get("userId")),
        "user_principal_name": v.text(obj.get("userPrincipalName")),
        "ts": v.utc(obj.get("createdDateTime")),
        "app_id": v.guid(obj.get("appId")),
        "resource_id": resource,
        "is_dataverse": resource in resources,
        "success": None if code is None else code == 0,
        "error_code": code,
        "is_interactive": v.to_bool(obj.get("isInteractive")),
        "client_app": v.text(obj.get("clientAppUsed")),
        "country": v.text(location.get("countryOrRegion")),
    }


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _add(out: Rows, number: int, make: Callable[..., dict[str, Any]], *args: Any) -> None:
    """Adds the row ``make(*args)`` builds; a value it cannot read rejects the row, with why."""
    out.rows_read += 1
    try:
        row = make(*args)
    except ValueError as exc:
        out.reject(number, None, str(exc))
        return
    for column in ("signin_id", "ts"):
        if row[column] is None:
            out.reject(number, column, f"required value {column} is empty")
            return
    out.add(number, row)


def read_json(path: Path, resources: frozenset[str]) -> Rows:
    """Graph pages saved as files (``{"value": [...]}``) or the portal's JSON download (a list)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SourceError(f"{path}: not a sign-in JSON file: {exc}") from exc
    items = doc.get("value") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise SourceError(f"{path}: expected a list of sign-ins or an object with a 'value' list")
    out = Rows(SIGNINS, str(path))
    for number, item in enumerate(items, start=1):
        _add(out, number, signin_row, _object(item), resources)
    return out


def read_portal_csv(
    path: Path, resources: frozenset[str], encoding: str | None = None, delimiter: str | None = None
) -> Rows:
    """The portal's CSV download: headers matched trimmed and case-insensitively, first of a
    duplicated header wins; the file name tells interactive from non-interactive sign-ins."""
    dialect = detect_dialect(path, encoding, delimiter)
    name = path.name.casefold().replace("-", "").replace("_", "")
    interactive = False if "noninteractive" in name else True if "interactive" in name else None
    out = Rows(SIGNINS, str(path))
    with path.open(encoding=dialect.encoding, newline="") as f:
        reader = csv.reader(f, delimiter=dialect.delimiter)
        for _ in range(dialect.skip_lines):
            next(reader, None)
        header = [h.strip().casefold() for h in next(reader, [])]
        index = {
            col: next((header.index(n) for n in names if n in header), None)
            for col, names in PORTAL_COLUMNS.items()
        }
        if index["signin_id"] is None or index["ts"] is None:
            raise SourceError(
                f"{path}: no 'Request ID' / 'Date (UTC)' columns: is this a sign-in log download?"
            )
        for number, cells in enumerate(reader, start=1):
            cell = {col: (cells[i] if i is not None and i < len(cells) else None) for col, i in index.items()}
            _add(out, number, _portal_row, cell, resources, interactive)
    return out


def _portal_row(
    cell: Mapping[str, str | None], resources: frozenset[str], interactive: bool | None
) -> dict[str, Any]:
    code = v.to_int(cell["error_code"])
    status = (v.text(cell["status"]) or "").casefold()
    resource = v.guid(cell["resource_id"])
    location = v.text(cell["location"])
    return {
        "signin_id": v.text(cell["signin_id"]),
        "aad_object_id": v.guid(cell["aad_object_id"]),
        "user_principal_name": v.text(cell["user_principal_name"]),
        "ts": v.utc(cell["ts"]),
        "app_id": v.guid(cell["app_id"]),
        "resource_id": resource,
        "is_dataverse": resource in resources,
        "success": code == 0 if code is not None else (status == "success" if status else None),
        "error_code": code,
        "is_interactive": interactive,
        "client_app": v.text(cell["client_app"]),
        "country": location.rsplit(",", 1)[-1].strip() if location else None,
    }


class EntraSigninsReader(LiveSource):
    """The ``entra-signins`` source. ``tokens`` and ``sleep`` are seams for tests."""

    def __init__(self, config: EntraSigninsSource, name: str, *seams: Any, **named: Any) -> None:
        super().__init__(config, name, *seams, **named)
        self.config = config
        self.resources = frozenset(r.lower() for r in config.dataverse_resource_ids)

    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]:
        if self.config.path is not None:
            yield from self._files(ctx)
        else:
            yield from self._graph(ctx)

    def _files(self, ctx: SourceContext) -> Iterator[Chunk]:
        assert self.config.path is not None
        paths = resolve_paths(self.config.path, ctx.project_dir)
        files = [f for p in paths for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
        for file in files:
            if file.suffix.lower() == ".json":
                yield read_json(file, self.resources).chunk()
            elif file.suffix.lower() in (".csv", ".tsv", ".txt"):
                yield read_portal_csv(
                    file, self.resources, self.config.encoding, self.config.delimiter
                ).chunk()
        if not files:
            raise SourceError(f"{self.name}: nothing found at {self.config.path!r}")

    def _graph(self, ctx: SourceContext) -> Iterator[Chunk]:
        assert self.config.url is not None
        http, client = self._clients(ctx, GRAPH_SCOPE, None)
        cursor = Cursor.from_state(
            ctx.state.get("signins"), dt.timedelta(minutes=self.config.overlap_minutes)
        )
        with http:
            for page_url, body in client.pages(
                cursor.resume or self._url(cursor.since(v.utc(self.config.start)))
            ):
                out = Rows(SIGNINS, page_url)
                for number, item in enumerate(body.get("value", []), start=1):
                    if _fresh(cursor, item):
                        _add(out, number, signin_row, item, self.resources)
                cursor.resume = body.get("@odata.nextLink")
                self._state = {"signins": cursor.state()}
                yield out.chunk()

    def _url(self, since: dt.datetime | None) -> str:
        assert self.config.url is not None
        resources = " or ".join(f"resourceId eq '{r}'" for r in sorted(self.resources))
        conditions = [f"({resources})"] + ([f"createdDateTime ge {v.iso(since)}"] if since else [])
        query = quote(" and ".join(conditions), safe="=:-'()")
        return f"{self.config.url.rstrip('/')}/auditLogs/signIns?$filter={query}&$top={self.config.page_size}"


def _fresh(cursor: Cursor, item: Any) -> bool:
    try:
        ts = v.utc(item.get("createdDateTime")) if isinstance(item, dict) else None
    except ValueError:
        ts = None
    key = v.text(item.get("id")) if isinstance(item, dict) else None
    return True if key is None or ts is None else cursor.fresh(key, ts)


def attach_user_ids(signins: pa.Table, users: pa.Table) -> pa.Table:
    """Fill ``signins.user_id`` from ``users`` (``aad_object_id`` → ``user_id``), case-insensitively."""
    pairs: Iterable[tuple[Any, Any]] = zip(
        users["aad_object_id"].to_pylist(), users["user_id"].to_pylist(), strict=True
    )
    lookup = {str(a).lower(): u for a, u in pairs if a}
    keys = pc.utf8_lower(signins["aad_object_id"]).to_pylist()
    ids = pa.array([lookup.get(k) if k else None for k in keys], pa.string())
    return signins.set_column(signins.schema.get_field_index("user_id"), "user_id", ids)
