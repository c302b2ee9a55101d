"""Microsoft Graph ``GET /auditLogs/signIns`` pages (v1.0, 1,000 rows a page), as in
``fixtures/formats/graph_signins_page1.json``. Graph returns newest first; the demo writes pages
oldest first, which a reader that loads every page does not notice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from uptake.demo import ids
from uptake.demo.simulate import DayBatch, epoch
from uptake.demo.world import World
from uptake.demo.writers.audit import iso_utc
from uptake.demo.writers.pages import PageWriter

APPS = {
    "crm": (ids.RESOURCE_DATAVERSE, "Dynamics CRM", "Browser", ids.RESOURCE_DATAVERSE, "Dataverse"),
    "powerapps": (
        "4e291c71-d680-4d0e-9640-0a3358e31177",
        "Power Apps",
        "Mobile Apps and Desktop clients",
        ids.RESOURCE_DATAVERSE,
        "Dataverse",
    ),
    "outlook": (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
        "Browser",
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
}
FAILED = (50126, "Error validating credentials due to invalid username or password.")


class SigninWriter:
    def __init__(self, world: World, folder: Path, offsets: np.ndarray) -> None:
        self.world = world
        self.offsets = offsets
        self.rng = np.random.default_rng([world.seed, 2])
        self.serial = 0
        link = "https://graph.microsoft.com/v1.0/auditLogs/signIns?$skiptoken={token}"

        def envelope(rows: list[dict[str, Any]], next_link: str | None) -> dict[str, Any]:
            body: dict[str, Any] = {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns"
            }
            if next_link:
                body["@odata.nextLink"] = next_link
            body["value"] = rows[::-1]
            return body

        self.pages = PageWriter(folder, "signins", 1000, envelope, link)

    def write(self, batch: DayBatch, working: np.ndarray) -> None:
        rng, u = self.rng, self.world.users
        who = np.flatnonzero(batch.present)
        ts = batch.first_ts[who] - rng.integers(60, 900, len(who))
        mobile = rng.random(len(who)) < 0.1
        fail = rng.random(len(who)) < 0.04
        rows: list[tuple[int, int, str, bool]] = []
        for i, t, m, f in zip(who.tolist(), ts.tolist(), mobile.tolist(), fail.tolist(), strict=True):
            if f:
                rows.append((t - 45, i, "crm", True))
            rows.append((t, i, "powerapps" if m else "crm", False))
        live = (batch.day >= u.created_day) & (batch.day < u.leave_day) & working
        mail = np.flatnonzero(live & (rng.random(u.n) < 0.4))
        midnight = epoch(self.world.day(batch.day)) - self.offsets[u.country[mail], batch.day]
        late = midnight + 27000 + rng.integers(0, 7200, len(mail))
        for i, t in zip(mail.tolist(), late.tolist(), strict=True):
            early = int(batch.first_ts[i]) - 1200 if batch.present[i] else t
            rows.append((min(t, early), i, "outlook", False))
        for t, i, app, failed in sorted(rows):
            self.pages.add(self._row(t, i, app, failed))

    def _row(self, t: int, i: int, app: str, failed: bool) -> dict[str, Any]:
        self.serial += 1
        w = self.world
        c = w.countries[int(w.users.country[i])].spec
        app_id, app_name, client, res_id, res_name = APPS[app]
        return {
            "id": ids.guid(ids.SIGNIN, w.seed, self.serial),
            "createdDateTime": iso_utc(t),
            "userDisplayName": w.name(i),
            "userPrincipalName": w.email(i),
            "userId": w.aad_guid(i),
            "appId": app_id,
            "appDisplayName": app_name,
            "ipAddress": f"203.0.113.{(i % 250) + 1}",
            "clientAppUsed": client,
            "correlationId": ids.guid(ids.CORRELATION, w.seed, self.serial),
            "conditionalAccessStatus": "notApplied",
            "isInteractive": True,
            "riskDetail": "none",
            "riskLevelAggregated": "none",
            "riskLevelDuringSignIn": "none",
            "riskState": "none",
            "riskEventTypes": [],
            "riskEventTypes_v2": [],
            "resourceDisplayName": res_name,
            "resourceId": res_id,
            "status": {
                "errorCode": FAILED[0] if failed else 0,
                "failureReason": FAILED[1] if failed else None,
                "additionalDetails": None,
            },
            "deviceDetail": {
                "deviceId": "",
                "displayName": None,
                "operatingSystem": "Ios 17.3" if app == "powerapps" else "Windows 10",
                "browser": "Mobile Safari" if app == "powerapps" else "Edge 122.0.0",
                "isCompliant": None,
                "isManaged": None,
                "trustType": None,
            },
            "location": {
                "city": c.city,
                "state": c.state,
                "countryOrRegion": c.code,
                "geoCoordinates": {"altitude": None, "latitude": None, "longitude": None},
            },
            "appliedConditionalAccessPolicies": [],
        }

    def close(self) -> int:
        return self.pages.close()
