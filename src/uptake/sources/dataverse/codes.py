"""Dataverse audit ``operation`` and ``action`` codes and the canonical action each one means.

Labels follow Microsoft's audit table reference (source-formats.md §1.3); codes seen only in
third-party code (6, 115–125) are included and marked. A code not listed here is never dropped: it
maps to ``other`` (or to its operation's meaning) and keeps its raw value in ``raw_action_code``.
"""

from __future__ import annotations

from typing import Final

from uptake.vocab import Action

OPERATIONS: Final[dict[int, tuple[str, Action]]] = {
    1: ("Create", "create"),
    2: ("Update", "update"),
    3: ("Delete", "delete"),
    4: ("Access", "access"),
    5: ("Upsert", "update"),  # unverified: third-party code only
}

# code: (label, canonical action)
ACTIONS: Final[dict[int, tuple[str, Action]]] = {
    0: ("Unknown", "other"),
    1: ("Create", "create"),
    2: ("Update", "update"),
    3: ("Delete", "delete"),
    4: ("Activate", "update"),
    5: ("Deactivate", "update"),
    6: ("Upsert", "update"),  # unverified
    11: ("Cascade", "other"),  # written by the platform, not by the user's hand
    12: ("Merge", "update"),
    13: ("Assign", "assign"),
    14: ("Share", "share"),
    15: ("Retrieve", "view"),
    16: ("Close", "update"),  # CloseIncident → resolve, see canonical_action
    17: ("Cancel", "update"),
    18: ("Complete", "update"),
    20: ("Resolve", "resolve"),
    21: ("Reopen", "update"),
    22: ("Fulfill", "update"),
    23: ("Paid", "update"),
    24: ("Qualify", "qualify"),
    25: ("Disqualify", "update"),
    26: ("Submit", "update"),
    27: ("Reject", "update"),
    28: ("Approve", "update"),
    29: ("Invoice", "update"),
    30: ("Hold", "update"),
    31: ("Add Member", "update"),
    32: ("Remove Member", "update"),
    33: ("Associate Entities", "update"),
    34: ("Disassociate Entities", "update"),
    35: ("Add Members", "update"),
    36: ("Remove Members", "update"),
    37: ("Add Item", "update"),
    38: ("Remove Item", "update"),
    39: ("Add Substitute", "update"),
    40: ("Remove Substitute", "update"),
    41: ("Set State", "update"),
    42: ("Renew", "update"),
    43: ("Revise", "update"),
    44: ("Win", "win"),
    45: ("Lose", "lose"),
    46: ("Internal Processing", "other"),
    47: ("Reschedule", "update"),
    48: ("Modify Share", "share"),
    49: ("Unshare", "share"),
    50: ("Book", "create"),
    51: ("Generate Quote From Opportunity", "create"),
    52: ("Add To Queue", "update"),
    53: ("Assign Role To Team", "other"),
    54: ("Remove Role From Team", "other"),
    55: ("Assign Role To User", "other"),
    56: ("Remove Role From User", "other"),
    57: ("Add Privileges to Role", "other"),
    58: ("Remove Privileges From Role", "other"),
    59: ("Replace Privileges In Role", "other"),
    60: ("Import Mappings", "other"),
    61: ("Clone", "create"),
    62: ("Send Direct Email", "other"),
    63: ("Enabled for organization", "other"),
    # user-access check-points: at most one per user per interval (4 h by default); never logins
    64: ("User Access via Web", "access"),
    65: ("User Access via Web Services", "access"),
    100: ("Delete Entity", "other"),
    101: ("Delete Attribute", "other"),
    102: ("Audit Change at Entity Level", "other"),
    103: ("Audit Change at Attribute Level", "other"),
    104: ("Audit Change at Org Level", "other"),
    105: ("Entity Audit Started", "other"),
    106: ("Attribute Audit Started", "other"),
    107: ("Audit Enabled", "other"),
    108: ("Entity Audit Stopped", "other"),
    109: ("Attribute Audit Stopped", "other"),
    110: ("Audit Disabled", "other"),
    111: ("Audit Log Deletion", "other"),
    112: ("User Access Audit Started", "other"),  # configuration, not activity (case 12)
    113: ("User Access Audit Stopped", "other"),
    # unverified: third-party enum only
    115: ("Archive", "other"),
    116: ("Retain", "other"),
    117: ("RollbackRetain", "other"),
    118: ("IPFirewall Access Denied", "other"),
    119: ("IPFirewall Access Allowed", "other"),
    120: ("Restore", "other"),
    121: ("Application Based Access Denied", "other"),
    122: ("Application Based Access Allowed", "other"),
    123: ("Create - AI assisted", "create"),
    124: ("Update - AI assisted", "update"),
    125: ("Read Unmasked", "view"),
}

CLIENTS: Final[dict[int, str]] = {64: "web", 65: "web-services"}
"""The client a user-access check-point names: 64 = model-driven app, 65 = any other client."""


def action_label(action: int) -> str:
    """Microsoft's label of an action code, ``Unknown (<n>)`` for codes not documented."""
    known = ACTIONS.get(action)
    return known[0] if known else f"Unknown ({action})"


def canonical_action(operation: int | None, action: int | None, entity: str | None) -> Action:
    """The canonical action of one audit row.

    The ``action`` code decides; ``Close`` on an ``incident`` is a resolution. An action code not
    documented falls back to the ``operation`` (1–4); if that is unknown too, ``other``.
    """
    if action is not None and action in ACTIONS:
        if action == 16 and entity == "incident":
            return "resolve"
        return ACTIONS[action][1]
    if operation is not None and operation in OPERATIONS:
        return OPERATIONS[operation][1]
    return "other"


def raw_action_code(operation: int | None, action: int | None) -> str | None:
    """The raw code kept on the event: the action code, or ``op:<operation>`` without one."""
    if action is not None:
        return str(action)
    if operation is not None:
        return f"op:{operation}"
    return None
