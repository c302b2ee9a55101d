"""Audit operation/action codes → canonical actions; changedata parsing."""

from __future__ import annotations

import pytest

from uptake.sources.dataverse.changedata import ChangeDataError, legacy_old_values, parse_changedata
from uptake.sources.dataverse.codes import ACTIONS, action_label, canonical_action, raw_action_code
from uptake.vocab import ACTIONS as CANONICAL


@pytest.mark.parametrize(
    ("operation", "action", "entity", "expected"),
    [
        (1, 1, "lead", "create"),
        (2, 2, "account", "update"),
        (3, 3, "contact", "delete"),
        (4, 64, "systemuser", "access"),
        (4, 65, "systemuser", "access"),
        (4, 112, "organization", "other"),
        (2, 13, "opportunity", "assign"),
        (2, 14, "account", "share"),
        (2, 24, "lead", "qualify"),
        (2, 44, "opportunity", "win"),
        (2, 45, "opportunity", "lose"),
        (2, 20, "incident", "resolve"),
        (2, 16, "incident", "resolve"),
        (2, 16, "quote", "update"),
        (2, 41, "incident", "update"),
        (2, 999, "account", "update"),  # undocumented action: the operation decides
        (9, 999, "account", "other"),  # nothing known: kept as other
        (None, None, None, "other"),
    ],
)
def test_canonical_action(
    operation: int | None, action: int | None, entity: str | None, expected: str
) -> None:
    assert canonical_action(operation, action, entity) == expected


def test_every_code_maps_to_an_allowed_action_and_access_is_never_a_login() -> None:
    assert {a for _, a in ACTIONS.values()} <= set(CANONICAL)
    assert all(a != "login" for _, a in ACTIONS.values())
    assert [c for c, (_, a) in ACTIONS.items() if a == "access"] == [64, 65]


def test_unknown_codes_keep_their_raw_value() -> None:
    assert raw_action_code(2, 999) == "999"
    assert raw_action_code(7, None) == "op:7"
    assert action_label(999) == "Unknown (999)"
    assert action_label(64) == "User Access via Web"


def test_changedata_json_values_stay_strings() -> None:
    cell = (
        '{"changedAttributes":[{"logicalName":"statuscode","oldValue":"1","newValue":"2"},'
        '{"logicalName":"x","newValue":""}]}'
    )
    changes = parse_changedata(cell)
    assert [(c.column, c.old_value, c.new_value) for c in changes] == [
        ("statuscode", "1", "2"),
        ("x", None, ""),
    ]


def test_changedata_empty_is_no_change_and_bad_cells_say_why() -> None:
    assert parse_changedata(None) == []
    assert parse_changedata("  ") == []
    with pytest.raises(ChangeDataError, match='legacy delimited old-values format, attributemask ",35,71,"'):
        parse_changedata("Prospect~Frankfurt~", ",35,71,")
    with pytest.raises(ChangeDataError, match="invalid JSON: truncated"):
        parse_changedata('{"changedAttributes":[{"logicalName":"name","oldValue":"A')
    with pytest.raises(ChangeDataError, match="changedAttributes"):
        parse_changedata('{"other": 1}')


def test_legacy_changedata_aligns_with_attributemask() -> None:
    assert legacy_old_values("Prospect~Frankfurt~", ",35,71,") == {35: "Prospect", 71: "Frankfurt"}
