"""Tests for the Excel-style CSV reader (uptake.sources.csvio)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from uptake.sources.base import SourceError
from uptake.sources.csvio import CsvBatch, detect_dialect, read_csv

CASE_15 = Path("/work/shared/cases/15-csv-encoding-bom-semicolon")
BPI2016 = Path("/work/shared/data/bpic2016-uwv-complaints/BPI2016_Complaints.csv")


def read_all(path: Path, **kwargs: object) -> tuple[list[dict[str, str | None]], list[int], list[CsvBatch]]:
    batches = list(read_csv(path, **kwargs))  # type: ignore[arg-type]
    rows = [row for b in batches for row in b.table.to_pylist()]
    numbers = [n for b in batches for n in b.row_numbers.to_pylist()]
    return rows, numbers, batches


def write(tmp_path: Path, data: bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- case 15-csv-encoding-bom-semicolon -------------------------------------------------------

CASE_15_ROWS = [
    {
        "Kontonummer": "1001",
        "Firmenname": "Müller Bau GmbH",
        "Ort": "Köln",
        "Umsatz": "1.234,50",
        "Währung": "€",
    },
    {
        "Kontonummer": "1002",
        "Firmenname": "Straßenbau Süd AG",
        "Ort": "München",
        "Umsatz": "980,00",
        "Währung": "€",
    },
    {
        "Kontonummer": "1003",
        "Firmenname": "Weiß; Söhne KG",
        "Ort": "Düsseldorf",
        "Umsatz": "0,00",
        "Währung": "€",
    },
]


@pytest.mark.parametrize(
    ("name", "encoding", "skip_lines"),
    [
        ("export_cp1252.csv", "cp1252", 0),
        ("export_utf8_bom.csv", "utf-8-sig", 0),
        ("export_utf8_sep_hint.csv", "utf-8", 1),
    ],
)
def test_15_csv_encoding_bom_semicolon(name: str, encoding: str, skip_lines: int) -> None:
    path = CASE_15 / name
    assert detect_dialect(path) == detect_dialect(path)  # deterministic
    dialect = detect_dialect(path)
    assert (dialect.encoding, dialect.delimiter, dialect.skip_lines) == (encoding, ";", skip_lines)
    rows, numbers, batches = read_all(path)
    assert batches[0].table.column_names == ["Kontonummer", "Firmenname", "Ort", "Umsatz", "Währung"]
    assert rows == CASE_15_ROWS
    assert numbers == [1, 2, 3]
    assert all(b.bad_rows == [] for b in batches)
    for row in rows:
        for value in row.values():
            assert value is not None
            assert not any(bad in value for bad in ("Ã", "Â", "\ufffd", "\u0080"))


# --- dialect and encoding ---------------------------------------------------------------------


def test_cp1252_not_latin1_even_when_the_first_non_ascii_byte_is_far_down(tmp_path: Path) -> None:
    lines = [b"id,price"] + [b"%d,%d" % (i, i) for i in range(1, 60_001)] + [b"60001,5 \x80"]
    path = write(tmp_path, b"\n".join(lines) + b"\n")
    assert detect_dialect(path).encoding == "cp1252"
    rows, numbers, _ = read_all(path)
    assert rows[-1] == {"id": "60001", "price": "5 €"} and numbers[-1] == 60_001


def test_tab_delimiter(tmp_path: Path) -> None:
    path = write(tmp_path, b"user\temail\tnote\r\nann\tann@x.org\ta,b;c\r\nbob\t\t|\r\n")
    assert detect_dialect(path).delimiter == "\t"
    rows, _, _ = read_all(path)
    assert rows == [
        {"user": "ann", "email": "ann@x.org", "note": "a,b;c"},
        {"user": "bob", "email": None, "note": "|"},
    ]


def test_sniffing_ignores_delimiters_inside_quotes(tmp_path: Path) -> None:
    path = write(tmp_path, b'a|b\n"x,y,z;w"|1\n"p,q,r;s"|2\n')
    assert detect_dialect(path).delimiter == "|"


def test_explicit_encoding_and_delimiter_override_detection(tmp_path: Path) -> None:
    # Valid UTF-8 bytes that were really written as cp1252: only the caller can know.
    path = write(tmp_path, "name;city\nMÃ¼ller;KÃ¶ln\n".encode("cp1252"))
    assert detect_dialect(path).encoding == "utf-8"
    assert read_all(path)[0] == [{"name": "Müller", "city": "Köln"}]
    dialect = detect_dialect(path, encoding="cp1252", delimiter=",")
    assert (dialect.encoding, dialect.delimiter) == ("cp1252", ",")
    rows, _, _ = read_all(path, encoding="cp1252")
    assert rows == [{"name": "MÃ¼ller", "city": "KÃ¶ln"}]
    latin = write(tmp_path, "name;city\nMüller;Köln\n".encode("latin-1"), "latin.csv")
    assert read_all(latin, encoding="latin-1")[0] == [{"name": "Müller", "city": "Köln"}]


def test_unknown_encoding_is_a_source_error(tmp_path: Path) -> None:
    path = write(tmp_path, b"a,b\n1,2\n")
    with pytest.raises(SourceError, match="unknown encoding 'klingon'"):
        detect_dialect(path, encoding="klingon")


# --- rows and row numbers ---------------------------------------------------------------------


def test_bad_row_in_the_middle_is_reported_with_its_number_and_neighbours_kept(tmp_path: Path) -> None:
    path = write(tmp_path, b"id;name\r\n1;a\r\n2;b\r\n3;c;EXTRA\r\n4;d\r\n5\r\n6;f\r\n")
    rows, numbers, batches = read_all(path)
    assert [r["id"] for r in rows] == ["1", "2", "4", "6"]
    assert numbers == [1, 2, 4, 6]
    bad = [b for batch in batches for b in batch.bad_rows]
    assert bad == [(3, "expected 2 fields, found 3", "3;c;EXTRA"), (5, "expected 2 fields, found 1", "5")]


def test_multiline_quoted_fields_keep_record_numbers(tmp_path: Path) -> None:
    data = b'id,note\r\n1,"line one\r\nline two"\r\n2,"a\nb\nc, d"\r\n3,x,y\r\n4,"said ""hi"""\r\n'
    path = write(tmp_path, data)
    rows, numbers, batches = read_all(path, batch_rows=2)
    assert rows == [
        {"id": "1", "note": "line one\r\nline two"},
        {"id": "2", "note": "a\nb\nc, d"},
        {"id": "4", "note": 'said "hi"'},
    ]
    assert numbers == [1, 2, 4]
    assert [b.first_row for b in batches] == [1, 4]
    # a bad row between two batches travels with the earlier one
    assert [b.bad_rows for b in batches] == [[(3, "expected 2 fields, found 3", "3,x,y")], []]


def test_numbers_and_values_exact_across_block_boundaries(tmp_path: Path) -> None:
    """Tiny parser blocks put every boundary somewhere awkward, including inside a quoted CRLF
    (apache/arrow#51368 drops the LF there); compared with Python's csv module as the oracle."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(["id", "note"])
    expected: dict[int, list[str | None]] = {}
    bad: list[int] = []
    notes = ["plain", "two\r\nlines", "semi;colon", "", 'q "x"', "€uro"]
    for i in range(1, 3001):
        if i % 97 == 0:
            buf.write(f"{i};x;y\r\n")
            bad.append(i)
        else:
            note = notes[i % len(notes)]
            writer.writerow([i, note])
            expected[i] = [str(i), note or None]
    path = write(tmp_path, buf.getvalue().encode("cp1252"))
    for block_size, batch_rows in [(300, 7), (1000, 1000), (4096, 100_000)]:
        batches = list(read_csv(path, batch_rows=batch_rows, block_size=block_size))
        got = {
            n: list(r.values())
            for b in batches
            for n, r in zip(b.row_numbers.to_pylist(), b.table.to_pylist(), strict=True)
        }
        assert got == expected
        assert [r[0] for b in batches for r in b.bad_rows] == bad
        assert all(b.table.num_rows <= batch_rows for b in batches)


def test_header_only_file_yields_one_empty_batch_with_columns(tmp_path: Path) -> None:
    batches = list(read_csv(write(tmp_path, b"\xef\xbb\xbf id , name \r\n")))
    assert len(batches) == 1
    assert batches[0].table.column_names == ["id", "name"] and batches[0].table.num_rows == 0


# --- header errors ----------------------------------------------------------------------------


def test_duplicate_header_is_an_error_naming_file_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, b"id;Email;name;Email\n1;a;b;c\n")
    with pytest.raises(
        SourceError, match=r"in\.csv: column name 'Email' appears twice \(columns 2 and 4\); rename"
    ):
        list(read_csv(path))


def test_empty_header_name_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, b"id;name;\n1;a;\n")
    with pytest.raises(SourceError, match=r"in\.csv: column 3 of the header has no name"):
        list(read_csv(path))


def test_undecodable_bytes_under_explicit_encoding_are_a_source_error(tmp_path: Path) -> None:
    path = write(tmp_path, b"id;name\n1;\xfc\n")
    with pytest.raises(SourceError, match="set its encoding explicitly"):
        list(read_csv(path, encoding="utf-8"))


# --- a real export ----------------------------------------------------------------------------


def test_bpi2016_complaints_latin1_semicolon() -> None:
    raw = BPI2016.read_bytes()
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""
    data_lines = lines[1:-1]  # no quotes in this file, so one line is one row
    assert b'"' not in raw
    # Independent check of one value: the first line holding byte 0xEB (ë in latin-1 and cp1252).
    row_no, line = next((n, ln) for n, ln in enumerate(data_lines, start=1) if b"\xeb" in ln)
    topic = line.split(b";")[14]
    assert b"be\xebindiging" in topic

    dialect = detect_dialect(BPI2016)
    assert (dialect.encoding, dialect.delimiter, dialect.skip_lines) == ("cp1252", ";", 0)
    rows, numbers, batches = read_all(BPI2016, batch_rows=100)
    assert len(rows) == len(data_lines) == 289
    assert numbers == list(range(1, 290))
    assert [b.first_row for b in batches] == [1, 101, 201]
    assert all(not b.bad_rows for b in batches)
    assert len(batches[0].table.column_names) == 18
    assert rows[row_no - 1]["ComplaintTopic"] == topic.decode("latin-1")
    assert "beëindiging" in str(rows[row_no - 1]["ComplaintTopic"])


def test_byte_undefined_in_cp1252_is_a_source_error_not_mojibake(tmp_path: Path) -> None:
    path = write(tmp_path, b"a;b\n1;\x81x\n")  # not UTF-8, and 0x81 has no cp1252 character
    with pytest.raises(SourceError, match="set its encoding explicitly"):
        list(read_csv(path))
