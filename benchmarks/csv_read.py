"""Compare ways to stream a large CSV into arrow batches; prints ratios (nothing is asserted).

Run: ``.venv/bin/python benchmarks/csv_read.py [rows]`` (default 1,000,000 rows, ~90 MB, written to a
temp dir). Candidates, all yielding string columns in batches of 100,000 rows with exact row numbers:

* ``uptake``: :func:`uptake.sources.csvio.read_csv` (pyarrow ``open_csv`` single-threaded, fed by our
  CR-safe stream; includes dialect detection and its full-file UTF-8 scan).
* ``csv-module``: Python's ``csv.reader`` in batches, columns built with ``pa.array``.
* ``pyarrow-raw``: plain ``pyarrow.csv.open_csv`` on the path, no detection (the floor).
"""

from __future__ import annotations

import csv
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from uptake.sources.csvio import detect_dialect, read_csv

NOTES = ["", "ok", "Müller; Söhne", "zwei\r\nZeilen", 'sagt "hallo"', "Preis 5 €"]


def generate(path: Path, rows: int, encoding: str) -> None:
    rng = random.Random(7)
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(["id", "user", "email", "created_at", "entity", "note"])
        for i in range(1, rows + 1):
            user = f"user{rng.randrange(5000)}"
            writer.writerow(
                [
                    i,
                    user,
                    f"{user}@example.com",
                    f"2024-03-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
                    rng.choice(["account", "contact", "opportunity"]),
                    rng.choice(NOTES),
                ]
            )


def run_uptake(path: Path) -> int:
    return sum(int(b.table.num_rows) for b in read_csv(path))


def run_csv_module(path: Path, batch_rows: int = 100_000) -> int:
    dialect = detect_dialect(path)
    total = 0
    with path.open(encoding=dialect.encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=dialect.delimiter)
        names = next(reader)
        rows: list[list[str]] = []
        numbers: list[int] = []
        for number, row in enumerate(reader, start=1):
            if len(row) == len(names):
                rows.append(row)
                numbers.append(number)
            if len(rows) == batch_rows:
                total += int(_to_table(names, rows, numbers).num_rows)
                rows, numbers = [], []
        total += int(_to_table(names, rows, numbers).num_rows)
    return total


def _to_table(names: list[str], rows: list[list[str]], numbers: list[int]) -> pa.Table:
    columns = [pa.array([r[i] or None for r in rows], pa.string()) for i in range(len(names))]
    return pa.table([*columns, pa.array(numbers, pa.int64())], names=[*names, "_row"])


def run_pyarrow_raw(path: Path, encoding: str) -> int:
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=False, encoding=encoding),
        parse_options=pacsv.ParseOptions(delimiter=";", newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(["id", "user", "email", "created_at", "entity", "note"], pa.string())
        ),
    )
    return sum(int(b.num_rows) for b in reader)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        for encoding in ("utf-8", "cp1252"):
            path = Path(tmp) / f"big_{encoding}.csv"
            generate(path, rows, encoding)
            size_mb = path.stat().st_size / 1e6
            quarter = Path(tmp) / "quarter.csv"
            generate(quarter, rows // 4, encoding)
            peak_before = _peak_mb()
            assert run_uptake(quarter) == rows // 4
            peak_quarter = _peak_mb()
            assert run_uptake(path) == rows
            peak_full = _peak_mb()
            times = {
                "uptake": timed(partial(run_uptake, path)),
                "csv-module": timed(partial(run_csv_module, path)),
                "pyarrow-raw": timed(partial(run_pyarrow_raw, path, encoding)),
                "detect-only": timed(partial(detect_dialect, path)),
            }
            base = times["uptake"]
            print(
                f"{encoding}: {rows:,} rows, {size_mb:.0f} MB; peak RSS grows by "
                f"{peak_quarter - peak_before:.0f} MB reading a quarter of the rows, then by "
                f"{peak_full - peak_quarter:.0f} MB more reading all (flat = streaming)"
            )
            for name, seconds in times.items():
                print(f"  {name:<12} {seconds / base:5.2f} x uptake   ({seconds:.2f} s on this machine)")


if __name__ == "__main__":
    main()
