"""What the fake server serves: the fixture pages, plus a small invented directory and CRM tables."""

from __future__ import annotations

import json
from typing import Any

import httpx

from connectors.fake_server import FakeCloud
from connectors.helpers import FORMATS

ALEX = "3f2a6c1e-5b7d-4e8a-9c0f-1a2b3c4d5e01"
PRIYA = "3f2a6c1e-5b7d-4e8a-9c0f-1a2b3c4d5e02"
ROOT_BU, EMEA_BU, NA_BU = (f"b0000000-1111-4222-8333-00000000000{i}" for i in (1, 2, 3))


def fixture_values(*names: str) -> list[dict[str, Any]]:
    return [row for name in names for row in json.loads((FORMATS / name).read_text())["value"]]


def audit() -> list[dict[str, Any]]:
    return fixture_values("dataverse_audit_page1.json", "dataverse_audit_page2.json")


def signins() -> list[dict[str, Any]]:
    return fixture_values("graph_signins_page1.json", "graph_signins_page2.json")


def tables() -> dict[str, list[dict[str, Any]]]:
    users = fixture_values("dataverse_systemusers_page.json")
    return {
        "audits": audit(),
        "systemusers": users,
        "businessunits": [
            {"businessunitid": ROOT_BU, "name": "Contoso Fake Ltd", "_parentbusinessunitid_value": None},
            {"businessunitid": EMEA_BU, "name": "Sales EMEA", "_parentbusinessunitid_value": ROOT_BU},
            {"businessunitid": NA_BU, "name": "Service NA", "_parentbusinessunitid_value": ROOT_BU},
        ],
        "teams": [
            {"teamid": "7ea00000-0000-4000-8000-000000000001", "name": "Sales EMEA", "isdefault": True},
            {
                "teamid": "7ea00000-0000-4000-8000-000000000002",
                "name": "Key Accounts DACH",
                "isdefault": False,
            },
        ],
        "teammemberships": [
            {"teammembershipid": "1", "teamid": "7ea00000-0000-4000-8000-000000000001", "systemuserid": ALEX},
            {"teammembershipid": "2", "teamid": "7ea00000-0000-4000-8000-000000000002", "systemuserid": ALEX},
        ],
        "roles": [
            {"roleid": "901e0000-0000-4000-8000-000000000001", "name": "Salesperson"},
            {"roleid": "901e0000-0000-4000-8000-000000000002", "name": "Customer Service Representative"},
        ],
        "systemuserrolescollection": [
            {"systemuserroleid": "1", "systemuserid": ALEX, "roleid": "901e0000-0000-4000-8000-000000000001"},
            {
                "systemuserroleid": "2",
                "systemuserid": PRIYA,
                "roleid": "901e0000-0000-4000-8000-000000000002",
            },
        ],
        "opportunities": [
            {
                "opportunityid": "0bb00000-0000-4000-8000-000000000001",
                "_ownerid_value": ALEX,
                "createdon": "2024-02-01T09:00:00Z",
                "modifiedon": "2024-03-04T10:05:19Z",
                "statecode": 1,
                "statuscode@OData.Community.Display.V1.FormattedValue": "Won",
                "statuscode": 3,
                "estimatedvalue": 120000.0,
                "actualvalue": 135500.0,
                "actualclosedate": "2024-03-04",
                "estimatedclosedate": "2024-03-31",
                "_transactioncurrencyid_value@OData.Community.Display.V1.FormattedValue": "Euro",
                "_transactioncurrencyid_value": "c0000000-0000-4000-8000-0000000000e1",
            }
        ],
        "leads": [
            {
                "leadid": "1ead0000-0000-4000-8000-000000000001",
                "_ownerid_value": ALEX,
                "createdon": "2024-03-04T09:02:11Z",
                "statecode": 0,
                "statuscode": 1,
            }
        ],
        "accounts": [],
        "contacts": [],
        "incidents": [
            {
                "incidentid": "ca5e0000-0000-4000-8000-000000000001",
                "_ownerid_value": PRIYA,
                "createdon": "2024-03-01T08:00:00Z",
                "modifiedon": "2024-03-04T13:12:40Z",
                "statecode": 1,
                "statuscode": 5,
            }
        ],
    }


class FakeMsalApp:
    """Stands in for ``msal.ConfidentialClientApplication``: gets tokens from the fake server's
    token endpoint over HTTP, with the arguments MsalTokenProvider passes."""

    def __init__(self, cloud: FakeCloud, **kwargs: Any) -> None:
        self.cloud = cloud
        self.kwargs = kwargs

    def acquire_token_for_client(self, scopes: list[str]) -> dict[str, Any]:
        if hasattr(self, "cached"):  # like MSAL: a token is reused until it is refreshed
            return self.cached
        tenant = self.kwargs["authority"].rsplit("/", 1)[-1]
        form = {
            "client_id": self.kwargs["client_id"],
            "client_secret": self.kwargs["client_credential"],
            "scope": scopes[0],
            "grant_type": "client_credentials",
        }
        result: dict[str, Any] = httpx.post(f"{self.cloud.url}/{tenant}/oauth2/v2.0/token", data=form).json()
        if "access_token" in result:
            self.cached = result
        return result


ENV = {
    "UPTAKE_TENANT_ID": "7e7e0000-0000-4000-8000-00000000fa4e",
    "UPTAKE_CLIENT_ID": "app-1",
    "UPTAKE_CLIENT_SECRET": "s3cret",
}
