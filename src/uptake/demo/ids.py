"""Deterministic GUIDs and display names (no ``uuid4``: the same seed writes the same files)."""

from __future__ import annotations

import hashlib

import numpy as np

RESOURCE_DATAVERSE = "00000007-0000-0000-c000-000000000000"
NULL_GUID = "00000000-0000-0000-0000-000000000000"
TENANT_ID = "d3m0d3m0-0000-4000-8000-0000000000aa".replace("m", "0")
ORG_URL = "https://contoso-demo.crm4.dynamics.com"
MAIL_DOMAIN = "contoso-demo.example"
SKIPTOKEN = "%3Ccookie%20pagenumber=%22{page}%22%20pagingcookie=%22{token}%22%20/%3E"
"""A Dataverse ``$skiptoken`` (an encoded paging cookie), with PageWriter placeholders."""


def guid(kind: int, seed: int, n: int) -> str:
    """GUID ``kind`` (a small namespace number) × ``n``: unique, stable, valid hex."""
    head = f"{kind:04x}{seed & 0xFFFF:04x}-{(n >> 48) & 0xFFFF:04x}"
    return f"{head}-4{(n >> 36) & 0xFFF:03x}-8{(n >> 24) & 0xFFF:03x}-{n & 0xFFFFFF:06x}{kind:06x}"


def guids(kind: int, seed: int, ns: np.ndarray) -> list[str]:
    return [guid(kind, seed, int(n)) for n in ns]


def token(*parts: object) -> str:
    """An opaque, stable token (paging cookies, request ids)."""
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()


# namespaces of guid(kind, …)
USER, AAD, AUDIT, SIGNIN, RECORD, TEAM, BU, ROLE, MEMBERSHIP, CORRELATION, STATEMENT, TRANSACTION = range(
    1, 13
)
