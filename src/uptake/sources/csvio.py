"""Read the CSV files people export from Excel and CRMs, without guessing wrong silently.

Real exports differ in three ways that each break a naive ``open(...).read().split(",")``:

* **Encoding.** Excel writes UTF-8 *with* a BOM, older tools write Windows-1252. We read the BOM, else
  check that the whole file is valid UTF-8, else fall back to cp1252 - never latin-1, which decodes
  the euro sign 0x80 to an invisible control character.
* **Delimiter.** European Excel uses ``;`` (the comma is the decimal separator) and may put a
  ``sep=;`` line first. We honour that line, else sniff ``, ; tab |`` on the first lines with a real
  CSV parser, so a delimiter inside quotes does not count.
* **Broken rows.** A row with the wrong number of fields is reported in ``bad_rows`` with its exact
  data-row number and is neither padded nor dropped quietly; the caller decides about quarantine.

Reading streams through ``pyarrow.csv.open_csv`` (single-threaded, so that pyarrow reports the record
number of each invalid row): ``benchmarks/csv_read.py`` measured it several times faster than the
``csv`` module feeding arrow tables. Row numbers count records, not physical lines, so a quoted field
spanning lines is still one row; blank lines are skipped and not counted (pyarrow does the same).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from uptake.sources.base import SourceError

CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_BYTES = 64 * 1024
_SCAN_BYTES = 4 * 1024 * 1024
_SEP_HINT = re.compile(r"sep=(.)\s*$", re.IGNORECASE)
_UTF8_BOM = codecs.BOM_UTF8

_Numbers = np.ndarray[Any, np.dtype[np.int64]]
_Bad = tuple[int, str, str]  # (data-row number, reason, raw text)


@dataclass(frozen=True)
class CsvDialect:
    encoding: str
    """A Python codec name: 'utf-8', 'utf-8-sig', 'cp1252', ..."""
    delimiter: str
    skip_lines: int
    """Preamble lines before the header (1 for an Excel ``sep=;`` line)."""


@dataclass
class CsvBatch:
    table: pa.Table
    """All columns as strings; empty cells are null. Header names are cleaned (no BOM, trimmed)."""
    first_row: int
    """1-based data-row number of the batch's first row (the header is not a data row)."""
    row_numbers: pa.Array
    """int64: the 1-based data-row number of each row of ``table``."""
    bad_rows: list[tuple[int, str, str]] = field(default_factory=list)
    """(row number, reason, raw text) of the rows that could not be parsed."""


def detect_dialect(path: Path, encoding: str | None = None, delimiter: str | None = None) -> CsvDialect:
    """Work out encoding, delimiter and preamble; explicit arguments always win over detection."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(_SAMPLE_BYTES)
    except OSError as exc:
        raise SourceError(f"{path}: cannot open the CSV file ({exc})") from exc
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise SourceError(f"{path}: unknown encoding {encoding!r}; use e.g. 'utf-8' or 'cp1252'") from exc
    elif head.startswith(_UTF8_BOM):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8" if _is_utf8(path) else "cp1252"
    lines = _sample_lines(path, head, encoding)
    skip_lines = 0
    if lines and (hint := _SEP_HINT.fullmatch(lines[0].lstrip("\ufeff").rstrip("\r\n"))):
        skip_lines = 1
        delimiter = delimiter or hint.group(1)
    if delimiter is None:
        delimiter = _sniff_delimiter(lines[skip_lines:])
    return CsvDialect(encoding=encoding, delimiter=delimiter, skip_lines=skip_lines)


def read_csv(
    path: Path,
    encoding: str | None = None,
    delimiter: str | None = None,
    batch_rows: int = 100_000,
    dialect: CsvDialect | None = None,
    block_size: int = 1 << 20,
) -> Iterator[CsvBatch]:
    """Stream the file as batches of at most ``batch_rows`` rows.

    At least one batch is always yielded (empty for a header-only file) so the caller sees the
    columns. Pass ``dialect`` to skip detection when it was already done with :func:`detect_dialect`.
    ``block_size`` is the bytes pyarrow parses at a time (memory per step; tests make it tiny).
    """
    path = Path(path)
    dialect = dialect or detect_dialect(path, encoding, delimiter)
    names = _header(path, dialect)
    pending: deque[_Bad] = deque()  # invalid records, in file order
    offset = dialect.skip_lines + 1  # pyarrow numbers records from the top of the file

    def on_invalid(row: Any) -> str:
        reason = f"expected {row.expected_columns} fields, found {row.actual_columns}"
        pending.append((int(row.number) - offset, reason, row.text or ""))
        return "skip"

    rebatcher = _Rebatcher(names, batch_rows)
    next_row = 1
    stream = _Utf8Stream(path, dialect.encoding)
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(
                use_threads=False,  # with threads pyarrow cannot tell an invalid row's number
                block_size=block_size,
                skip_rows=dialect.skip_lines,
                column_names=names,
                skip_rows_after_names=1,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=dialect.delimiter,
                newlines_in_values=True,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        for record_batch in reader:
            numbers, bad, next_row = _number_rows(record_batch.num_rows, next_row, pending)
            yield from rebatcher.add(record_batch, numbers, bad)
    except (pa.ArrowException, UnicodeDecodeError) as exc:
        raise SourceError(
            f"{path}: cannot read the CSV after data row {next_row - 1} ({exc}); if the file is not "
            f"{dialect.encoding}, set its encoding explicitly; check for an unclosed quote"
        ) from exc
    finally:
        stream.close()
    _, bad, _ = _number_rows(0, next_row, pending, final=True)
    yield from rebatcher.finish(bad)


class _Utf8Stream(io.RawIOBase):
    """The file as UTF-8 bytes, never cut right after a CR.

    pyarrow drops the LF of a quoted CRLF that straddles two input buffers (apache/arrow#51368,
    open in pyarrow 26), silently changing cell values; holding a trailing CR back until the next
    read means no buffer ends with one. Decoding here (rather than pyarrow's transcoder) is what lets
    us see the bytes; UTF-8 input is passed through and pyarrow validates it.
    """

    def __init__(self, path: Path, encoding: str) -> None:
        self._fh = path.open("rb")
        utf8 = codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
        self._decoder = None if utf8 else codecs.getincrementaldecoder(encoding)()
        self._held = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        while True:
            raw = self._fh.read(size if size and size > 0 else -1)
            data = raw if self._decoder is None else self._decoder.decode(raw, final=not raw).encode()
            data, self._held = self._held + data, b""
            if raw and data.endswith(b"\r"):
                data, self._held = data[:-1], b"\r"
            if data or not raw:
                return data

    def close(self) -> None:
        self._fh.close()
        super().close()


def _is_utf8(path: Path) -> bool:
    """Decode the whole file incrementally: a cp1252 byte may first appear on row 900,000."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_SCAN_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sample_lines(path: Path, head: bytes, encoding: str) -> list[str]:
    """The complete lines of the first bytes, decoded; a cut-off last line is dropped."""
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    lines = text.splitlines(keepends=True)
    if len(head) == _SAMPLE_BYTES and len(lines) > 1:
        lines.pop()
    return lines


def _sniff_delimiter(lines: list[str]) -> str:
    """Pick the candidate giving the header >1 field and the most records with the header's count."""
    sample = "".join(lines)
    best, best_score = ",", (0.0, 0)
    for candidate in CANDIDATE_DELIMITERS:
        records = [r for r in csv.reader(io.StringIO(sample), delimiter=candidate) if r]
        if len(records) > 1 and not sample.endswith(("\n", "\r")):
            records.pop()  # possibly cut inside a quoted field
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        score = (sum(len(r) == width for r in records) / len(records), width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _header(path: Path, dialect: CsvDialect) -> list[str]:
    """Parse and clean the header; empty or repeated names cannot become columns."""
    with path.open("r", encoding=dialect.encoding, errors="replace", newline="") as fh:
        for _ in range(dialect.skip_lines):
            fh.readline()
        raw = next(csv.reader(fh, delimiter=dialect.delimiter), None)
    if raw is None:
        raise SourceError(f"{path}: the CSV file has no header line; add one naming each column")
    names = [name.lstrip("\ufeff").strip() for name in raw]
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if not name:
            raise SourceError(
                f"{path}: column {position} of the header has no name; give it a name in the header "
                f"line (or delete the empty column, often a trailing '{dialect.delimiter}')"
            )
        if name in seen:
            raise SourceError(
                f"{path}: column name {name!r} appears twice (columns {seen[name]} and {position}); "
                f"rename one of them in the header line"
            )
        seen[name] = position
    return names


def _number_rows(
    n: int, next_row: int, pending: deque[_Bad], final: bool = False
) -> tuple[_Numbers, list[_Bad], int]:
    """Number ``n`` good rows from ``next_row`` on, skipping the numbers taken by invalid records.

    The handler has seen every invalid record before the batch that follows it is returned, so
    ``pending`` is complete up to this batch (it may already hold later ones: those wait).
    """
    runs: list[_Numbers] = []
    bad: list[_Bad] = []
    remaining = n
    while remaining or (final and pending):
        if pending and pending[0][0] <= next_row:
            bad.append(pending.popleft())
            next_row = max(next_row, bad[-1][0] + 1)
            continue
        stop = next_row + remaining if not pending else min(next_row + remaining, pending[0][0])
        runs.append(np.arange(next_row, stop, dtype=np.int64))
        remaining -= stop - next_row
        next_row = stop
    numbers = np.concatenate(runs) if runs else np.empty(0, dtype=np.int64)
    return numbers, bad, next_row


class _Rebatcher:
    """Cut pyarrow's byte-sized blocks into batches of ``batch_rows`` rows, keeping numbers aligned."""

    def __init__(self, names: list[str], batch_rows: int) -> None:
        self.schema = pa.schema([(name, pa.string()) for name in names])
        self.batch_rows = max(1, batch_rows)
        self.tables: list[pa.Table] = []
        self.numbers: list[_Numbers] = []
        self.bad: list[_Bad] = []
        self.rows = 0
        self.emitted = False

    def add(
        self,
        batch: pa.RecordBatch,
        numbers: _Numbers,
        bad: list[_Bad],
    ) -> Iterator[CsvBatch]:
        self.tables.append(pa.Table.from_batches([batch], schema=self.schema))
        self.numbers.append(numbers)
        self.bad.extend(bad)
        self.rows += batch.num_rows
        while self.rows >= self.batch_rows:
            yield self._emit(self.batch_rows)

    def finish(self, bad: list[_Bad]) -> Iterator[CsvBatch]:
        self.bad.extend(bad)
        if self.rows or self.bad or not self.emitted:
            yield self._emit(self.rows)

    def _emit(self, k: int) -> CsvBatch:
        table = pa.concat_tables(self.tables) if self.tables else self.schema.empty_table()
        numbers = np.concatenate(self.numbers) if self.numbers else np.empty(0, dtype=np.int64)
        head, rest = numbers[:k], numbers[k:]
        cut = int(rest[0]) if len(rest) else None
        bad = [b for b in self.bad if cut is None or b[0] < cut]
        self.bad = self.bad[len(bad) :]
        self.tables, self.numbers, self.rows = [table.slice(k)], [rest], len(rest)
        self.emitted = True
        first = int(head[0]) if len(head) else (bad[0][0] if bad else 1)
        return CsvBatch(table.slice(0, k), first, pa.array(head, pa.int64()), bad)
