"""An OData client for Dataverse and Microsoft Graph: paging, retries, throttling, clear errors.

* paging: follow ``@odata.nextLink`` verbatim, resending the same ``Prefer`` (page size) header;
* throttling: 429 and 503 wait the ``Retry-After`` seconds (service-protection limits), other 5xx,
  time-outs and dropped connections back off exponentially; all waits go through ``sleep``;
* an expired token (401) is refreshed once per request; 401/403 otherwise stop with what to fix.

A page is handed out only when it arrived whole, so a retry never doubles or loses a row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from uptake.project.source_configs import ClientCredentials
from uptake.sources.base import SourceContext, SourceError
from uptake.sources.dataverse.auth import MsalTokenProvider, TokenProvider

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 300.0


class ODataError(SourceError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class ODataClient:
    http: httpx.Client
    tokens: TokenProvider
    prefer: str | None = None
    """``Prefer`` header, e.g. ``odata.include-annotations="*",odata.maxpagesize=5000``."""
    sleep: Callable[[float], None] = time.sleep
    max_retries: int = 8
    waits: list[float] = field(default_factory=list)
    """Every wait asked for (seconds), in order."""
    requests: int = 0

    def pages(self, url: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(URL, body) of each page, following ``@odata.nextLink``."""
        next_url: str | None = url
        while next_url:
            body = self.get(next_url)
            yield next_url, body
            next_url = body.get("@odata.nextLink")

    def get(self, url: str) -> dict[str, Any]:
        failures = 0
        refreshed = False
        token = self.tokens.token()
        while True:
            self.requests += 1
            try:
                response = self.http.get(url, headers=self._headers(token))
                body = response.json() if response.status_code == 200 else None
            except (httpx.TransportError, ValueError) as exc:  # time-out, dropped connection, cut body
                failures = self._retry(failures, url, f"{type(exc).__name__}: {exc}", None)
                continue
            if response.status_code == 200:
                if not isinstance(body, dict):
                    raise ODataError(f"{url}: expected a JSON object, found {type(body).__name__}")
                return body
            if response.status_code == 401 and not refreshed:
                refreshed = True
                token = self.tokens.token(refresh=True)
                continue
            if response.status_code in RETRY_STATUS:
                failures = self._retry(failures, url, f"HTTP {response.status_code}", _retry_after(response))
                continue
            raise _error(url, response)

    def _headers(self, token: str) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "OData-MaxVersion": "4.0",
            "OData-Version": "4.0",
        }
        if self.prefer:
            headers["Prefer"] = self.prefer
        return headers

    def _retry(self, failures: int, url: str, what: str, retry_after: float | None) -> int:
        failures += 1
        if failures > self.max_retries:
            raise ODataError(f"{url}: gave up after {self.max_retries} retries; last failure: {what}")
        wait = retry_after if retry_after is not None else min(MAX_WAIT, 2.0 ** (failures - 1))
        self.waits.append(wait)
        self.sleep(wait)
        return failures


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return min(MAX_WAIT, max(0.0, float(value)))
    except ValueError:
        return None  # an HTTP date: fall back to backing off


def _error(url: str, response: httpx.Response) -> ODataError:
    message = _message(response)
    status = response.status_code
    if status == 401:
        hint = (
            "the token was rejected: check the tenant and client id, that the secret has not expired, "
            "and that the app is registered as an application user in this environment"
        )
    elif status == 403:
        hint = (
            "access denied: the application user needs a security role with read access to this table; "
            "audit needs the prvReadAuditSummary privilege ('View Audit Summary'), sign-ins need "
            "AuditLog.Read.All and Directory.Read.All (docs/dynamics365.md)"
        )
    elif status == 404:
        hint = "not found: check the environment URL and the table name"
    else:
        hint = "the request was refused"
    return ODataError(f"{url}: HTTP {status}: {hint}. Server said: {message}", status)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code', '')} {error.get('message', '')}".strip()
    return str(body)[:300]


class LiveSource:
    """What the live sources share: config, name, the token and sleep seams, cursor state, and the
    construction of their HTTP and OData clients."""

    def __init__(
        self,
        config: ClientCredentials,
        name: str,
        tokens: TokenProvider | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.tokens = tokens
        self.sleep = sleep
        self._credentials = config
        self._state: dict[str, Any] = {}

    def next_state(self) -> dict[str, Any]:
        """The cursor after the last chunk handed out (safe to save after each chunk is loaded)."""
        return self._state

    def _clients(
        self, ctx: SourceContext, scope: str, prefer: str | None
    ) -> tuple[httpx.Client, ODataClient]:
        config = self._credentials
        http = ctx.http() if ctx.http else httpx.Client(timeout=config.timeout_seconds)
        tokens = self.tokens or MsalTokenProvider(config, scope)
        return http, ODataClient(http, tokens, prefer, self.sleep, config.max_retries)
