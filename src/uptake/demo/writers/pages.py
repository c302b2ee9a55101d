"""Paged JSON responses as an API returns them (Dataverse Web API, Graph, an xAPI LRS), one file
per page, each page pointing at the next the way the service does."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from uptake.demo.ids import token

Envelope = Callable[[list[dict[str, Any]], str | None], dict[str, Any]]
"""Builds the page body from its rows and the link to the next page (None on the last page)."""


class PageWriter:
    """Buffers rows; writes ``<stem>_page00001.json`` … as pages fill. A page is written only once a
    row for the next page exists, so the last page is the one without a next link."""

    def __init__(self, folder: Path, stem: str, page_size: int, envelope: Envelope, next_url: str) -> None:
        self.folder = folder
        self.stem = stem
        self.page_size = page_size
        self.envelope = envelope
        self.next_url = next_url
        """Next-page link with ``{token}`` and ``{page}`` placeholders."""
        self.rows: list[dict[str, Any]] = []
        self.pages = 0
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)

    def add(self, row: dict[str, Any]) -> None:
        if len(self.rows) == self.page_size:
            self._write(last=False)
        self.rows.append(row)
        self.count += 1

    def extend(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.add(row)

    def _write(self, last: bool) -> None:
        self.pages += 1
        link = None if last else self.next_url.format(page=self.pages + 1, token=token(self.stem, self.pages))
        path = self.folder / f"{self.stem}_page{self.pages:05d}.json"
        with path.open("w", encoding="utf-8") as fh:
            json.dump(self.envelope(self.rows, link), fh, ensure_ascii=False, indent=1)
        self.rows = []

    def close(self) -> int:
        """Write the last page (also when empty, as the service answers); returns the row count."""
        self._write(last=True)
        return self.count


def odata_envelope(context: str) -> Envelope:
    def build(rows: list[dict[str, Any]], link: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "@odata.context": context,
            "@Microsoft.Dynamics.CRM.totalrecordcount": -1,
            "@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded": False,
            "value": rows,
        }
        if link is not None:
            body["@odata.nextLink"] = link
        return body

    return build
