"""The small protocol every source implements.

A source reads its input and yields :class:`Chunk` objects: rows already in a canonical table's
columns (see :mod:`uptake.warehouse.schema`) plus a ``_row`` column with the input row number, and
the rows or cells it rejected with their reason. The loader does the rest (keys, duplicates,
quarantine, the load log), so a source never touches the warehouse.

Row accounting: ``rows_read`` = rows in ``rows`` + rejected rows (``kept=False``) [+ duplicates the
loader finds]. A rejected *cell* whose row is still loaded is reported with ``kept=True``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import pyarrow as pa

if TYPE_CHECKING:
    import httpx

    from uptake.project.models import Project


C = TypeVar("C")


@dataclass(frozen=True)
class Rejected:
    file: str
    row: int
    column: str | None
    reason: str
    raw: str = ""
    kept: bool = False
    """True when only a cell was bad and the row itself was loaded (with that cell null)."""


@dataclass
class Chunk:
    table: str
    file: str
    rows: pa.Table
    rows_read: int
    rejected: list[Rejected] = field(default_factory=list)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class SourceContext:
    """What a source may use besides its own config. Seams (clock, HTTP) are injected here."""

    project: Project
    project_dir: Path
    clock: Callable[[], dt.datetime] = utc_now
    http: Callable[[], httpx.Client] | None = None
    """Factory for the HTTP client; tests pass one bound to a local fake server."""
    state: Mapping[str, Any] = field(default_factory=dict)
    """Incremental cursor state saved by earlier runs for this source (read-only here)."""


class Source(Protocol):
    name: str

    def chunks(self, ctx: SourceContext) -> Iterator[Chunk]: ...

    def next_state(self) -> dict[str, Any]:
        """Cursor state to persist after a successful load (``{}`` for file sources)."""
        ...


class FileSource(Generic[C]):
    """The common part of the file sources: their config and name; no cursor state to keep."""

    def __init__(self, config: C, name: str) -> None:
        self.config = config
        self.name = name

    def next_state(self) -> dict[str, Any]:
        return {}


class SourceError(Exception):
    """A source cannot be read at all (missing file, bad credentials, unreadable format)."""
