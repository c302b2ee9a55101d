"""Who the users are: Dataverse ``systemusers``, ``businessunits``, ``teams``,
``teammemberships``, ``systemuserrolescollection`` pages, and the rollout team's provisioning
list (a CSV every rollout keeps: user, country, team, role, licence, wave)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from uptake.demo import ids
from uptake.demo.catalog import ROLES
from uptake.demo.simulate import INTEGRATIONS
from uptake.demo.world import World
from uptake.demo.writers.audit import FV, LN, iso_utc
from uptake.demo.writers.pages import PageWriter, odata_envelope

SECURITY_ROLES = {
    "Account Executive": "Salesperson",
    "Sales Manager": "Sales Manager",
    "Service Agent": "Customer Service Representative",
    "Service Manager": "Customer Service Manager",
    "Marketing Specialist": "Marketing Professional - Business",
    "Sales Operations Analyst": "Salesperson",
}
PROVISIONING_COLUMNS = (
    "CRM user ID",
    "Name",
    "E-mail",
    "Entra object ID",
    "Country",
    "Region",
    "Business unit",
    "Team",
    "Role",
    "Manager e-mail",
    "Licence",
    "Go-live wave",
    "Account created",
    "Enabled",
    "Account type",
)


def _pages(folder: Path, entity_set: str, select: str, rows: list[dict[str, Any]], size: int) -> int:
    ctx = f"{ids.ORG_URL}/api/data/v9.2/$metadata#{entity_set}({select})"
    link = f"{ids.ORG_URL}/api/data/v9.2/{entity_set}?$select={select}&$skiptoken={ids.SKIPTOKEN}"
    writer = PageWriter(folder, entity_set, size, odata_envelope(ctx), link)
    writer.extend(rows)
    return writer.close()


def _lookup(row: dict[str, Any], prop: str, guid: str | None, logical: str, label: str | None) -> None:
    if guid is None:
        row[prop] = None
        return
    row[prop + FV] = label
    row[prop + LN] = logical
    row[prop] = guid


def bu_ids(world: World) -> dict[str, str]:
    names = (
        ["Contoso Demo"]
        + sorted({c.spec.region for c in world.countries})
        + [c.code for c in world.countries]
    )
    return {name: ids.guid(ids.BU, world.seed, k) for k, name in enumerate(names)}


def write_directory(world: World, folder: Path, provisioning: Path) -> dict[str, int]:
    u, seed, n = world.users, world.seed, world.users.n
    bus = bu_ids(world)
    bu_rows = []
    for name, guid in bus.items():
        region = next((c.spec.region for c in world.countries if c.code == name), None)
        parent = None if name == "Contoso Demo" else bus[region] if region else bus["Contoso Demo"]
        row: dict[str, Any] = {
            "businessunitid": guid,
            "name": name if len(name) > 2 else f"Contoso Demo {name}",
        }
        _lookup(row, "_parentbusinessunitid_value", parent, "businessunit", None)
        bu_rows.append(row)
    managers: dict[int, int] = {}
    for i in range(n):
        if ROLES[int(u.role[i])][0].endswith("Manager"):
            managers.setdefault(int(u.team[i]), i)
    users, members, roles, listed = [], [], [], []
    for i in range(n + len(INTEGRATIONS)):
        human = i < n
        country = world.countries[int(u.country[i])] if human else None
        created = world.day(int(u.created_day[i])) if human else world.day(0) - dt.timedelta(days=60)
        enabled = not human or int(u.leave_day[i]) >= world.days
        bu = f"Contoso Demo {country.code}" if country else "Contoso Demo"
        manager = managers.get(int(u.team[i])) if human else None
        name = world.name(i) if human else INTEGRATIONS[i - n]
        email = world.email(i) if human else f"svc-{i - n}@{ids.MAIL_DOMAIN}"
        row = {
            "@odata.etag": f'W/"{800000 + i}"',
            "systemuserid": world.user_guid(i),
            "fullname": name,
            "domainname": email,
            "internalemailaddress": email if human else None,
            "azureactivedirectoryobjectid": world.aad_guid(i),
            "title": world.role(i) if human else None,
            "address1_country": country.spec.local_name if country else None,
            "isdisabled" + FV: "Enabled" if enabled else "Disabled",
            "isdisabled": not enabled,
            "accessmode" + FV: "Read-Write" if human else "Non-interactive",
            "accessmode": 0 if human else 4,
            "islicensed" + FV: "Yes" if human and enabled else "No",
            "islicensed": human and enabled,
            "isintegrationuser": not human,
            "createdon": iso_utc(int((created - dt.date(1970, 1, 1)).days * 86400 + 32400)),
        }
        _lookup(
            row, "_businessunitid_value", bus[country.code if country else "Contoso Demo"], "businessunit", bu
        )
        _lookup(
            row,
            "_parentsystemuserid_value",
            world.user_guid(manager) if manager not in (None, i) else None,
            "systemuser",
            world.name(manager) if manager not in (None, i) else None,
        )
        users.append(row)
        if not human:
            listed.append(
                [
                    world.user_guid(i),
                    name,
                    email,
                    world.aad_guid(i),
                    "",
                    "",
                    bu,
                    "",
                    "",
                    "",
                    "",
                    "",
                    created.isoformat(),
                    "Yes",
                    "Integration",
                ]
            )
            continue
        team = world.teams[int(u.team[i])]
        members.append(
            {
                "teammembershipid": ids.guid(ids.MEMBERSHIP, seed, i),
                "teamid": ids.guid(ids.TEAM, seed, int(u.team[i])),
                "systemuserid": world.user_guid(i),
            }
        )
        for k, role in enumerate(("Basic User", SECURITY_ROLES[world.role(i)])):
            roles.append(
                {
                    "systemuserroleid": ids.guid(ids.ROLE, seed, 2 * i + k),
                    "systemuserid": world.user_guid(i),
                    "roleid": ids.guid(
                        ids.ROLE,
                        seed,
                        10_000_000 + sorted(set(SECURITY_ROLES.values()) | {"Basic User"}).index(role),
                    ),
                    "name": role,
                }
            )
        listed.append(
            [
                world.user_guid(i),
                name,
                world.email(i),
                world.aad_guid(i),
                country.spec.name if country else "",
                country.spec.region if country else "",
                bu,
                team.name,
                world.role(i),
                world.email(manager) if manager not in (None, i) else "",
                world.licence(i),
                str(country.spec.wave) if country else "",
                created.isoformat(),
                "Yes" if enabled else "No",
                "Person",
            ]
        )
    teams = [
        {
            "teamid": ids.guid(ids.TEAM, seed, k),
            "name": t.name,
            "teamtype": 0,
            "_businessunitid_value": bus[world.countries[t.country].code],
        }
        for k, t in enumerate(world.teams)
    ]
    size = world.scale.page_size
    counts = {
        "systemusers": _pages(
            folder / "systemusers",
            "systemusers",
            "systemuserid,fullname,domainname,internalemailaddress,azureactivedirectoryobjectid,title,address1_country,isdisabled,accessmode,islicensed,isintegrationuser,createdon,_businessunitid_value,_parentsystemuserid_value",
            users,
            size,
        ),
        "businessunits": _pages(
            folder / "businessunits",
            "businessunits",
            "businessunitid,name,_parentbusinessunitid_value",
            bu_rows,
            size,
        ),
        "teams": _pages(folder / "teams", "teams", "teamid,name,teamtype,_businessunitid_value", teams, size),
        "teammemberships": _pages(
            folder / "teammemberships",
            "teammemberships",
            "teammembershipid,teamid,systemuserid",
            members,
            size,
        ),
        "systemuserroles": _pages(
            folder / "systemuserroles",
            "systemuserrolescollection",
            "systemuserroleid,systemuserid,roleid",
            roles,
            size,
        ),
    }
    provisioning.parent.mkdir(parents=True, exist_ok=True)
    with provisioning.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(PROVISIONING_COLUMNS)
        out.writerows(listed)
    return counts
