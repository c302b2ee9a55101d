"""Dataverse rows from any reader (logical names, grouped by table) → canonical chunks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from uptake.project.models import Project
from uptake.sources.base import Chunk
from uptake.sources.dataverse import values as v
from uptake.sources.dataverse.audit import audit_rows
from uptake.sources.dataverse.records import CRM_TABLES, add_record
from uptake.sources.dataverse.tables import Rows
from uptake.sources.dataverse.users import UserVersions, directory_from
from uptake.warehouse.schema import BUSINESS_UNITS, RECORDS, TEAM_MEMBERSHIP, USER_ROLES, USERS, TableSpec

DIRECTORY_TABLES = ("businessunit", "team", "teammembership", "role", "systemuserroles")
TABLES = ("audit", "systemuser", *DIRECTORY_TABLES, *CRM_TABLES)


@dataclass(frozen=True)
class Record:
    file: str
    number: int
    """1-based row in the file (or in the page)."""
    values: Mapping[str, Any]
    deleted: bool = False
    """A Synapse Link append-only delete marker (``IsDelete``)."""


@dataclass
class Dataset:
    tables: dict[str, list[Record]] = field(default_factory=dict)

    def add(self, table: str, record: Record) -> None:
        self.tables.setdefault(table, []).append(record)

    def get(self, table: str) -> list[Record]:
        return self.tables.get(table, [])


def _by_file(records: list[Record]) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = {}
    for r in records:
        out.setdefault(r.file, []).append(r)
    return out


def audit_chunks(records: list[Record], zone: str = "UTC") -> Iterator[Chunk]:
    for file, group in _by_file(records).items():
        activity, changes = audit_rows(((r.number, r.values) for r in group), file, zone)
        yield activity.chunk()
        if changes.rows:
            yield changes.chunk()


def dataset_chunks(
    data: Dataset,
    project: Project,
    unit_countries: Mapping[str, str],
    user_state: dict[str, dict[str, Any]],
    clock: dt.datetime,
    zone: str = "UTC",
) -> Iterator[Chunk]:
    """Chunks of every table in ``data``; ``user_state`` (user id → open version) is updated."""
    yield from audit_chunks(data.get("audit"), zone)
    values = {t: [r.values for r in data.get(t)] for t in DIRECTORY_TABLES}
    directory = directory_from(*(values[t] for t in DIRECTORY_TABLES))
    yield from _directory_chunks(data, directory.units)
    versions = UserVersions(project, unit_countries, user_state, clock, directory)
    for file, group in _by_file(data.get("systemuser")).items():
        out = Rows(USERS, file)
        for r in group:
            versions.add(out, r.number, r.values, r.deleted)
        yield out.chunk()
    for table in CRM_TABLES:
        for file, group in _by_file(data.get(table)).items():
            out = Rows(RECORDS, file)
            for r in group:
                add_record(out, r.number, table, r.values)
            yield out.chunk()


def _directory_chunks(data: Dataset, units: Mapping[str, tuple[str | None, str | None]]) -> Iterator[Chunk]:
    for file, group in _by_file(data.get("businessunit")).items():
        out = Rows(BUSINESS_UNITS, file)
        for r in group:
            unit = v.guid(r.values.get("businessunitid"))
            name, parent = units.get(unit or "", (None, None))
            _pair(out, r, {"business_unit_id": unit, "name": name, "parent_id": parent})
        yield out.chunk()
    yield from _pairs(data, "teammembership", TEAM_MEMBERSHIP, "team", "teamid", "team_id", "team_name")
    yield from _pairs(data, "systemuserroles", USER_ROLES, "role", "roleid", "role_id", "role_name")


def _pairs(
    data: Dataset, table: str, spec: TableSpec, named: str, key: str, id_col: str, name_col: str
) -> Iterator[Chunk]:
    """Intersect rows (user ↔ team or role) with the team's or role's name."""
    names = {v.guid(r.values.get(key)): v.text(r.values.get("name")) for r in data.get(named)}
    for file, group in _by_file(data.get(table)).items():
        out = Rows(spec, file)
        for r in group:
            ident = v.guid(r.values.get(key))
            name = names.get(ident) or v.text(r.values.get("name"))  # associations may carry it
            _pair(out, r, {id_col: ident, name_col: name, "user_id": v.guid(r.values.get("systemuserid"))})
        yield out.chunk()


def _pair(out: Rows, r: Record, row: dict[str, Any]) -> None:
    out.rows_read += 1
    missing = [k for k in out.spec.key if row.get(k) is None]
    if missing:
        out.reject(r.number, missing[0], f"required column {missing[0]} is empty")
        return
    out.add(r.number, row)
