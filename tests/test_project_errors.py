"""Project-file errors name the file, the line, the key and how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from uptake.project.loader import ProjectError, load_project

VALID = """\
name: errors
timezone: Europe/Berlin
countries:
  - code: DE
    region: EMEA
    timezone: Europe/Berlin
    go_live: 2026-01-01
sources:
  - type: events
    path: events.csv
    mapping:
      user: user_id
      timestamp: ts
"""


def _error(tmp_path: Path, text: str) -> str:
    file = tmp_path / "uptake.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        load_project(tmp_path)
    assert len(info.value.problems) == 1
    return str(info.value)


def test_valid_file_loads(tmp_path: Path) -> None:
    (tmp_path / "uptake.yaml").write_text(VALID, encoding="utf-8")
    assert load_project(tmp_path).country("DE").timezone == "Europe/Berlin"


def test_unknown_key_names_file_line_key_and_suggestion(tmp_path: Path) -> None:
    text = VALID.replace("timezone: Europe/Berlin\ncountries", "timezon: Europe/Berlin\ncountries")
    assert (
        _error(tmp_path, text)
        == f"{tmp_path / 'uptake.yaml'}:2: timezon: unknown key; did you mean 'timezone'?"
    )


def test_unknown_nested_key_in_a_source_mapping(tmp_path: Path) -> None:
    text = VALID.replace("      timestamp: ts", "      timestmp: ts\n      timestamp: ts")
    assert _error(tmp_path, text) == (
        f"{tmp_path / 'uptake.yaml'}:13: sources.0.mapping.timestmp: unknown key; did you mean 'timestamp'?"
    )


def test_bad_country_code(tmp_path: Path) -> None:
    text = VALID.replace("code: DE", "code: Germany")
    assert _error(tmp_path, text).startswith(
        f"{tmp_path / 'uptake.yaml'}:4: countries.0.code: expected an ISO 3166-1 alpha-2 code in capitals "
        "like 'DE', found 'Germany'"
    )
    assert _error(tmp_path, text).count("Germany") == 1


def test_bad_time_zone(tmp_path: Path) -> None:
    text = VALID.replace("    timezone: Europe/Berlin", "    timezone: Europe/Berlyn")
    assert _error(tmp_path, text) == (
        f"{tmp_path / 'uptake.yaml'}:6: countries.0.timezone: unknown IANA time zone 'Europe/Berlyn'; "
        "did you mean 'Europe/Berlin'?"
    )


def test_missing_required_key(tmp_path: Path) -> None:
    text = VALID.replace("    go_live: 2026-01-01\n", "")
    assert _error(tmp_path, text) == (
        f"{tmp_path / 'uptake.yaml'}:4: countries.0.go_live: required key is missing; add 'go_live:'"
    )


def test_impossible_date_is_a_project_error_not_a_traceback(tmp_path: Path) -> None:
    text = VALID.replace("go_live: 2026-01-01", "go_live: 2026-02-30")
    message = _error(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'uptake.yaml'}: (value): day is out of range for month")
    assert message.endswith("check the dates (YYYY-MM-DD) in the file")
