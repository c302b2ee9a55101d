"""Run KPI expressions, compiling each distinct expression shape to SQL only once.

Building and compiling an Ibis expression costs far more than running it on rollup-sized tables
(tenths of a second against milliseconds). A KPI expression depends only on its *shape* — the
producer, grain, level, week start and any literal it embeds — and reads the warehouse's tables by
name, so the SQL Ibis compiles for a shape is kept (in memory and in a small file cache keyed by
the uptake code and Ibis version) and reused by later runs. The SQL always comes from Ibis.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Hashable
from functools import cache
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
from ibis.expr.types import Table

_SQL: dict[str, str] = {}
_COLUMNS = (
    "SELECT table_name, column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name NOT LIKE 'stage_%' ORDER BY ALL"
)
_CACHE_ENV = "UPTAKE_SQL_CACHE"
"""Folder of the file cache; set it to an empty string to keep compiled SQL in memory only."""


@cache
def _code_version() -> str:
    """A hash of the code that shapes SQL: uptake's KPI layer and the Ibis version."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256(ibis.__version__.encode())
    for path in sorted([*here.glob("*.py"), here.parent / "calendar.py", here.parent / "vocab.py"]):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _cache_file() -> Path | None:
    folder = os.environ.get(_CACHE_ENV)
    if folder == "":
        return None
    home_cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    base = Path(folder) if folder else home_cache / "uptake"
    return base / f"sql-v2-{_code_version()}.json"


@cache
def _disk() -> dict[str, str]:
    path = _cache_file()
    if path is None or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _remember(key: str, sql: str) -> None:
    _SQL[key] = sql
    path = _cache_file()
    if path is None:
        return
    disk = _disk()
    disk[key] = sql
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(disk), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home only costs speed


def _compiled(key: tuple[Hashable, ...], build: Callable[[], Table]) -> tuple[str, Any]:
    """The SQL of the expression and its Ibis schema (engines widen types, e.g. sums to int128)."""
    text_key = repr(key)  # callers add the schema of the table read (see to_pandas, materialize)
    entry = _SQL.get(text_key) or _disk().get(text_key)
    if entry is None:
        expr = build()
        entry = json.dumps(
            {
                "sql": str(ibis.to_sql(expr, dialect="duckdb")),
                "schema": [[n, str(t)] for n, t in expr.schema().items()],
            }
        )
        _remember(text_key, entry)
    data = json.loads(entry)
    return str(data["sql"]), ibis.schema([(n, ibis.dtype(t)) for n, t in data["schema"]])


def _signature(wh: Any, build: Callable[[], Table]) -> str:
    """Schemas of the warehouse's tables, as a guard: SQL over a changed table recompiles."""
    del build
    rows = wh.con.raw_sql(_COLUMNS).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def materialize(wh: Any, name: str, key: tuple[Hashable, ...], build: Callable[[], Table]) -> Table:
    """Write ``build()`` as the warehouse table ``name`` (same caching rules as :func:`to_pandas`)."""
    con: Any = wh.con
    if getattr(con, "name", "") != "duckdb":
        wh.replace(name, build())
    else:
        sql, schema = _compiled((*key, _signature(wh, build)), build)
        con.create_table(name, con.sql(sql).cast(schema), overwrite=True)
    table: Table = wh.table(name)
    return table


def item(build: Callable[[], tuple[Table, ...]], index: int) -> Callable[[], Table]:
    """A builder of one of the expressions another builder returns together."""
    return lambda: build()[index]


def to_pandas(source: Table, key: tuple[Hashable, ...], build: Callable[[], Table]) -> pd.DataFrame:
    """Result of ``build()`` as a DataFrame; ``key`` must identify the expression's shape fully.

    The expression may reference only named warehouse tables (no memtables, whose names change).
    """
    con: Any = ibis.get_backend(source)
    if getattr(con, "name", "") != "duckdb":
        out: pd.DataFrame = build().to_pandas()
        return out
    sql, _ = _compiled((*key, repr(source.schema())), build)
    df: pd.DataFrame = con.raw_sql(sql).df()
    return df
