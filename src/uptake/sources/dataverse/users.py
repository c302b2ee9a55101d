"""``systemuser`` (+ business units, teams, roles) → the ``users`` table, one row per version.

A user's first version starts at ``createdon``. When a later pull (or a later Synapse Link
``versionnumber``) shows different attributes, the open version is closed at ``modifiedon`` and a
new one starts there; the versions seen so far live in the source's cursor state, so a new version
appears only when something changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from uptake.project.models import Project
from uptake.sources.dataverse import values as v
from uptake.sources.dataverse.tables import Rows

NON_HUMAN_ACCESS_MODES = frozenset({3, 4, 5})
"""Support user, non-interactive, delegated admin (source-formats.md §2.1)."""
BASELINE_ROLES = frozenset({"Basic User", "Common Data Service User", "Delegate"})
"""Roles nearly everyone holds: a user's ``role`` is another of their roles when there is one."""


@dataclass
class Directory:
    """Business units, teams and roles, to name a user's unit and derive team, role, country."""

    units: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    """business unit id → (name, parent id)"""
    teams: dict[str, list[str]] = field(default_factory=dict)
    """user id → names of the teams the user belongs to (default business-unit teams left out)"""
    roles: dict[str, list[str]] = field(default_factory=dict)
    """user id → security role names"""

    def unit_chain(self, unit_id: str | None) -> list[str]:
        """Ids and names of the unit and its ancestors, nearest first (for the country mapping)."""
        out: list[str] = []
        seen: set[str] = set()
        while unit_id and unit_id not in seen:
            seen.add(unit_id)
            name, parent = self.units.get(unit_id, (None, None))
            out += [unit_id, *([name] if name else [])]
            unit_id = parent
        return out


@dataclass
class UserVersions:
    """Builds user versions; ``state`` maps user id → the open version (kept between runs)."""

    project: Project
    unit_countries: Mapping[str, str]
    state: dict[str, dict[str, Any]]
    clock: dt.datetime
    directory: Directory = field(default_factory=Directory)

    def add(self, out: Rows, number: int, rec: Mapping[str, Any], deleted: bool = False) -> None:
        """One ``systemuser`` row (logical names); ``deleted`` closes the user's open version."""
        out.rows_read += 1
        user_id = v.guid(rec.get("systemuserid") or rec.get("Id"))
        if user_id is None:
            out.reject(number, "systemuserid", "required column systemuserid is empty")
            return
        try:
            changed_at = v.utc(rec.get("modifiedon")) or v.utc(rec.get("SinkModifiedOn")) or self.clock
        except ValueError:
            changed_at = self.clock
        previous = self.state.get(user_id)
        if deleted:
            if previous is None:
                out.reject(number, "IsDelete", "delete marker of a user never seen")
                return
            closed = {**previous["row"], "valid_to": max(changed_at, _ts(previous["row"]["valid_from"]))}
            out.add(number, _typed(closed))
            self.state.pop(user_id)
            return
        attrs = self._attrs(out, number, user_id, rec)
        digest = hashlib.sha256(json.dumps(attrs, sort_keys=True, default=str).encode()).hexdigest()
        if previous is not None and previous["hash"] == digest:
            out.add(number, _typed(previous["row"]))
            return
        valid_from = attrs["created_on"] or changed_at
        if previous is not None:
            start = _ts(previous["row"]["valid_from"])
            valid_from = (
                changed_at if changed_at > start else max(self.clock, start + dt.timedelta(seconds=1))
            )
            out.rows_read += 1  # the closed version is emitted again: it counts as a row of its own
            out.add(number, _typed({**previous["row"], "valid_to": valid_from}))
        row = {**attrs, "valid_from": valid_from, "valid_to": None}
        self.state[user_id] = {"hash": digest, "row": _plain(row)}
        out.add(number, row)

    def _attrs(self, out: Rows, number: int, user_id: str, rec: Mapping[str, Any]) -> dict[str, Any]:
        unit_id = v.guid(rec.get("businessunitid"))
        unit_name = (
            v.text(rec.get("businessunitidname")) or self.directory.units.get(unit_id or "", (None,))[0]
        )
        country = self._country(out, number, rec, unit_id)
        try:
            access_mode = v.to_int(rec.get("accessmode"))
            disabled = v.to_bool(rec.get("isdisabled"))
            licensed = v.to_bool(rec.get("islicensed"))
            integration = v.to_bool(rec.get("isintegrationuser"))
        except ValueError as exc:
            out.reject(number, None, str(exc), kept=True)
            access_mode = disabled = licensed = integration = None
        human = not (access_mode in NON_HUMAN_ACCESS_MODES or integration or v.guid(rec.get("applicationid")))
        teams = sorted(self.directory.teams.get(user_id, []))
        roles = sorted(self.directory.roles.get(user_id, []), key=lambda r: (r in BASELINE_ROLES, r))
        attrs = {
            "user_id": user_id,
            "display_name": v.text(rec.get("fullname")),
            "email": v.text(rec.get("internalemailaddress")) or v.text(rec.get("domainname")),
            "aad_object_id": v.guid(rec.get("azureactivedirectoryobjectid")),
            "country": country,
            "region": self.project.country(country).region if country else None,
            "business_unit": unit_name or unit_id,
            "team": teams[0] if teams else None,
            "role": roles[0] if roles else None,
            "manager_id": v.guid(rec.get("parentsystemuserid")),
            "license": "licensed" if licensed else None,
            "is_enabled": None if disabled is None else not disabled,
            "is_human": human,
            "created_on": _safe_utc(rec.get("createdon")),
        }
        return attrs

    def _country(self, out: Rows, number: int, rec: Mapping[str, Any], unit_id: str | None) -> str | None:
        lookup = self.project.country_lookup()
        raw = v.text(rec.get("address1_country"))
        if raw and raw.casefold() in lookup:
            return lookup[raw.casefold()]
        mapping = {k.casefold(): c for k, c in self.unit_countries.items()}
        for key in [*self.directory.unit_chain(unit_id), v.text(rec.get("businessunitidname")) or ""]:
            code = mapping.get(key.casefold())
            if code and code.casefold() in lookup:
                return lookup[code.casefold()]
        if raw:
            known = ", ".join(c.code for c in self.project.countries)
            out.reject(
                number,
                "address1_country",
                f"country {raw!r} is not one of the project's countries ({known}); add it to a "
                "country's 'match' list or map the business unit in 'business_unit_countries'",
                raw,
                kept=True,
            )
        return None


def directory_from(
    units: Iterable[Mapping[str, Any]],
    teams: Iterable[Mapping[str, Any]] = (),
    memberships: Iterable[Mapping[str, Any]] = (),
    roles: Iterable[Mapping[str, Any]] = (),
    user_roles: Iterable[Mapping[str, Any]] = (),
) -> Directory:
    """A :class:`Directory` from ``businessunit``, ``team``, ``teammembership``, ``role`` and
    ``systemuserroles`` rows (logical names)."""
    d = Directory()
    for u in units:
        if uid := v.guid(u.get("businessunitid")):
            d.units[uid] = (v.text(u.get("name")), v.guid(u.get("parentbusinessunitid")))
    team_names = {
        v.guid(t.get("teamid")): v.text(t.get("name")) for t in teams if not v.to_bool(t.get("isdefault"))
    }
    for m in memberships:
        name = team_names.get(v.guid(m.get("teamid")))
        if name and (user := v.guid(m.get("systemuserid"))):
            d.teams.setdefault(user, []).append(name)
    role_names = {v.guid(r.get("roleid")): v.text(r.get("name")) for r in roles}
    for a in user_roles:
        # the association read through systemuserroles_association carries the role's name itself
        name = role_names.get(v.guid(a.get("roleid"))) or v.text(a.get("name"))
        if name and (user := v.guid(a.get("systemuserid"))):
            d.roles.setdefault(user, []).append(name)
    return d


def _safe_utc(value: Any) -> dt.datetime | None:
    try:
        return v.utc(value)
    except ValueError:
        return None


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.iso_us(x) if isinstance(x, dt.datetime) else x) for k, x in row.items()}


def _typed(row: Mapping[str, Any]) -> dict[str, Any]:
    ts_columns = ("created_on", "valid_from", "valid_to")
    return {k: (_ts(x) if k in ts_columns and isinstance(x, str) else x) for k, x in row.items()}


def _ts(value: Any) -> dt.datetime:
    stamp = v.utc(value)
    assert stamp is not None
    return stamp
