"""A fake Dataverse Web API + Microsoft Graph + Entra token endpoint on 127.0.0.1.

A real HTTP server (``http.server`` in a thread, not a mock transport). It pages with
``@odata.nextLink`` and a ``$skiptoken``, honours ``Prefer: odata.maxpagesize`` and
``odata.include-annotations``, filters on ``createdon`` / ``createdDateTime``, and injects faults by
request number: ``429`` / ``503`` with Retry-After, ``drop`` (the connection closes half-way through
the body), ``expire`` (every token issued so far expires), ``slow`` (answers after a pause).
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ERRORS = {
    "429": (
        429,
        "7",
        "0x80072322",
        "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
    ),
    "503": (
        503,
        "3",
        "0x80072321",
        "Combined execution time of incoming requests exceeded limit of 1,200,000 milliseconds.",
    ),
}
_GE = re.compile(r"(createdon|createdDateTime) ge (\S+)")
_LT = re.compile(r"(createdon|createdDateTime) lt (\S+)")


@dataclass
class FakeCloud:
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Dataverse entity set → rows as the Web API writes them (with annotations)."""
    signins: list[dict[str, Any]] = field(default_factory=list)
    faults: dict[int, str] = field(default_factory=dict)
    """Request number (1-based, every GET) → fault."""
    forbidden: set[str] = field(default_factory=set)
    secret: str = "s3cret"
    log: list[str] = field(default_factory=list)
    tokens_issued: int = 0
    requests: int = 0
    _valid: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> FakeCloud:
        cloud = self

        class Handler(_Handler):
            fake = cloud

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def issue_token(self, client_id: str, secret: str) -> dict[str, Any]:
        with self._lock:
            if secret != self.secret:
                return {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                }
            self.tokens_issued += 1
            token = f"tok-{self.tokens_issued}"
            self._valid.add(token)
            return {"access_token": token, "token_type": "Bearer", "expires_in": 3599}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeCloud
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        body = self.fake.issue_token(form.get("client_id", ""), form.get("client_secret", ""))
        self._send(400 if "error" in body else 200, body)

    def do_GET(self) -> None:
        fake = self.fake
        with fake._lock:
            fake.requests += 1
            fault = fake.faults.get(fake.requests)
        fake.log.append(f"{fault or 'ok'} {self.path}")
        if fault in ERRORS:
            status, retry_after, code, message = ERRORS[fault]
            return self._send(
                status, {"error": {"code": code, "message": message}}, {"Retry-After": retry_after}
            )
        if fault == "expire":
            fake._valid.clear()
        if fault == "slow":
            time.sleep(0.6)
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in fake._valid:
            headers = {
                "WWW-Authenticate": 'Bearer error="invalid_token", error_description="The token is expired"'
            }
            return self._send(
                401, {"error": {"code": "0x80072182", "message": "The token is expired"}}, headers
            )
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path.startswith("/v1.0/auditLogs/signIns"):
            body = self._page(
                fake.signins, query, "createdDateTime", int(query.get("$top", 1000)), newest_first=True
            )
            body["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns"
            return self._send(200, body, drop=fault == "drop")
        entity_set = url.path.rsplit("/", 1)[-1]
        if entity_set in fake.forbidden:
            message = (
                "Principal user (Id=5e7c0000-0000-4000-8000-000000000001, type=8, roleCount=1, "
                "privilegeCount=412) is missing prvReadAuditSummary privilege "
                "(Id=b5f2e5a0-0000-0000-0000-000000000000) on OTC=4567 for entity 'audit'."
            )
            return self._send(403, {"error": {"code": "0x80040220", "message": message}})
        if entity_set not in fake.tables:
            return self._send(
                404,
                {
                    "error": {
                        "code": "0x80060888",
                        "message": f"Resource not found for the segment '{entity_set}'.",
                    }
                },
            )
        prefer = self.headers.get("Prefer", "")
        size = int(m.group(1)) if (m := re.search(r"odata.maxpagesize=(\d+)", prefer)) else 5000
        rows = fake.tables[entity_set]
        if 'include-annotations="*"' not in prefer:
            rows = [{k: x for k, x in r.items() if "@" not in k} for r in rows]
        body = self._page(rows, query, "createdon", size)
        body["@odata.context"] = f"{fake.url}/api/data/v9.2/$metadata#{entity_set}"
        return self._send(200, body, drop=fault == "drop")

    def _page(
        self,
        rows: list[dict[str, Any]],
        query: dict[str, str],
        time_key: str,
        size: int,
        newest_first: bool = False,
    ) -> dict[str, Any]:
        flt = query.get("$filter", "")
        if m := _GE.search(flt):
            rows = [r for r in rows if r.get(time_key, "") >= m.group(2)]
        if m := _LT.search(flt):
            rows = [r for r in rows if r.get(time_key, "") < m.group(2)]
        id_key = "id" if time_key == "createdDateTime" else next(iter(rows[0])) if rows else "id"
        rows = sorted(rows, key=lambda r: (r.get(time_key, ""), str(r.get(id_key))), reverse=newest_first)
        offset = int(m.group(1)) if (m := re.search(r"offset=(\d+)", query.get("$skiptoken", ""))) else 0
        body: dict[str, Any] = {"value": rows[offset : offset + size]}
        if offset + size < len(rows):
            cookie = f'<cookie pagenumber="{offset // size + 2}" offset={offset + size} istracking="False" />'
            rest = {k: x for k, x in query.items() if k != "$skiptoken"}
            rest["$skiptoken"] = cookie
            body["@odata.nextLink"] = (
                f"{self.fake.url}{urllib.parse.urlsplit(self.path).path}?{urllib.parse.urlencode(rest)}"
            )
        return body

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None, drop: bool = False
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; odata.metadata=minimal")
        self.send_header("Content-Length", str(len(data)))
        for k, x in (headers or {}).items():
            self.send_header(k, x)
        self.end_headers()
        if drop:  # half the body, then the connection goes away
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out and went away
            self.close_connection = True
