"""Canonical warehouse tables: their columns, types and natural keys.

Timestamps are naive and mean UTC (``ts``, ``valid_from`` …); local dates are plain dates. Storing
naive UTC keeps every engine's session time zone out of the arithmetic (design.md §5).
Sources emit Arrow tables with exactly these columns (plus the provenance columns ``_file`` and
``_row``), and the loader keys them by ``key``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TS = pa.timestamp("us")


@dataclass(frozen=True)
class TableSpec:
    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    """Natural key. A row whose key exists already is a duplicate (same content) or, for
    ``mode="append"``, a conflict that is quarantined; for ``mode="upsert"`` it replaces the row."""
    mode: str = "append"


ACTIVITY = TableSpec(
    "activity",
    pa.schema(
        [
            ("event_id", pa.string()),
            ("user_id", pa.string()),
            ("ts", TS),
            ("source", pa.string()),
            ("action", pa.string()),
            ("entity", pa.string()),
            ("record_id", pa.string()),
            ("client", pa.string()),
            ("raw_action_code", pa.string()),
            # segment attributes carried on the event itself (generic event logs); null = take
            # them from the user's version valid at ``ts``
            ("country", pa.string()),
            ("region", pa.string()),
            ("team", pa.string()),
            ("role", pa.string()),
        ]
    ),
    key=("source", "event_id"),
)

USERS = TableSpec(
    "users",
    pa.schema(
        [
            ("user_id", pa.string()),
            ("display_name", pa.string()),
            ("email", pa.string()),
            ("aad_object_id", pa.string()),
            ("country", pa.string()),
            ("region", pa.string()),
            ("business_unit", pa.string()),
            ("team", pa.string()),
            ("role", pa.string()),
            ("manager_id", pa.string()),
            ("license", pa.string()),
            ("is_enabled", pa.bool_()),
            ("is_human", pa.bool_()),
            ("created_on", TS),
            ("valid_from", TS),
            ("valid_to", TS),
        ]
    ),
    key=("user_id", "valid_from"),
    mode="upsert",
)

RECORDS = TableSpec(
    "records",
    pa.schema(
        [
            ("entity", pa.string()),
            ("record_id", pa.string()),
            ("owner_id", pa.string()),
            ("created_on", TS),
            ("modified_on", TS),
            ("closed_on", TS),
            ("estimated_close", pa.date32()),
            ("state", pa.string()),
            ("status", pa.string()),
            ("value", pa.float64()),
            ("currency", pa.string()),
            ("account", pa.string()),
            ("product", pa.string()),
            # accounts and contacts: what duplicate detection compares
            ("name", pa.string()),
            ("email", pa.string()),
            ("phone", pa.string()),
            ("city", pa.string()),
            ("postal_code", pa.string()),
            ("tax_id", pa.string()),
            ("missing_fields", pa.list_(pa.string())),
            ("last_human_activity", TS),
            ("first_response_on", TS),
            ("resolved_on", TS),
        ]
    ),
    key=("entity", "record_id"),
    mode="upsert",
)

SIGNINS = TableSpec(
    "signins",
    pa.schema(
        [
            ("signin_id", pa.string()),
            ("user_id", pa.string()),
            ("aad_object_id", pa.string()),
            ("user_principal_name", pa.string()),
            ("ts", TS),
            ("app_id", pa.string()),
            ("resource_id", pa.string()),
            ("is_dataverse", pa.bool_()),
            ("success", pa.bool_()),
            ("error_code", pa.int64()),
            ("is_interactive", pa.bool_()),
            ("client_app", pa.string()),
            ("country", pa.string()),
        ]
    ),
    key=("signin_id",),
)

BUSINESS_UNITS = TableSpec(
    "business_units",
    pa.schema(
        [
            ("business_unit_id", pa.string()),
            ("name", pa.string()),
            ("parent_id", pa.string()),
        ]
    ),
    key=("business_unit_id",),
    mode="upsert",
)

TEAM_MEMBERSHIP = TableSpec(
    "team_membership",
    pa.schema(
        [
            ("team_id", pa.string()),
            ("team_name", pa.string()),
            ("user_id", pa.string()),
        ]
    ),
    key=("team_id", "user_id"),
    mode="upsert",
)

USER_ROLES = TableSpec(
    "user_roles",
    pa.schema(
        [
            ("user_id", pa.string()),
            ("role_id", pa.string()),
            ("role_name", pa.string()),
        ]
    ),
    key=("user_id", "role_id"),
    mode="upsert",
)

AUDIT_CHANGES = TableSpec(
    "audit_changes",
    pa.schema(
        [
            ("event_id", pa.string()),
            ("entity", pa.string()),
            ("record_id", pa.string()),
            ("column", pa.string()),
            ("old_value", pa.string()),
            ("new_value", pa.string()),
        ]
    ),
    key=("event_id", "column"),
)
"""One row per column changed by a Dataverse audit row (parsed ``changedata``); values are the
source's strings, typed later from metadata."""

SURVEYS = TableSpec(
    "surveys",
    pa.schema(
        [
            ("survey_id", pa.string()),
            ("wave", pa.string()),
            ("response_id", pa.string()),
            ("question_id", pa.string()),
            ("question_type", pa.string()),
            ("respondent", pa.string()),
            ("submitted_at", TS),
            ("score", pa.float64()),
            ("scale_min", pa.float64()),
            ("scale_max", pa.float64()),
            ("text", pa.string()),
            ("language", pa.string()),
            ("country", pa.string()),
        ]
    ),
    key=("survey_id", "response_id", "question_id"),
    mode="upsert",
)
"""One answer per row. ``respondent`` is a user id or e-mail (matched to users at KPI time) or
null (anonymous); ``question_type`` is nps, likert, readiness, rating or text; ``country`` is the
respondent's country when the survey itself carries it."""

TICKETS = TableSpec(
    "tickets",
    pa.schema(
        [
            ("ticket_id", pa.string()),
            ("requester", pa.string()),
            ("created_at", TS),
            ("first_response_at", TS),
            ("resolved_at", TS),
            ("category", pa.string()),
            ("priority", pa.string()),
            ("state", pa.string()),
            ("country", pa.string()),
            ("source", pa.string()),
        ]
    ),
    key=("source", "ticket_id"),
    mode="upsert",
)
"""Support tickets; ``requester`` is a user id or e-mail, matched to users at KPI time."""

TRAINING = TableSpec(
    "training",
    pa.schema(
        [
            ("record_id", pa.string()),
            ("learner", pa.string()),
            ("course_id", pa.string()),
            ("kind", pa.string()),
            ("status", pa.string()),
            ("ts", TS),
            ("score", pa.float64()),
            ("source", pa.string()),
        ]
    ),
    key=("source", "record_id"),
)
"""Training records (LMS rows, xAPI statements): ``kind`` course or info_session, ``status``
registered, attempted, completed, passed, failed or attended at ``ts``."""

DAP_EVENTS = TableSpec(
    "dap_events",
    pa.schema(
        [
            ("event_id", pa.string()),
            ("actor", pa.string()),
            ("ts", TS),
            ("flow_id", pa.string()),
            ("step", pa.string()),
            ("status", pa.string()),
            ("source", pa.string()),
        ]
    ),
    key=("source", "event_id"),
)
"""Digital-adoption-platform events: ``status`` started, step, completed, failed, help_opened."""

QUARANTINE = TableSpec(
    "quarantine",
    pa.schema(
        [
            ("load_id", pa.string()),
            ("source", pa.string()),
            ("table_name", pa.string()),
            ("file", pa.string()),
            ("row", pa.int64()),
            ("column", pa.string()),
            ("reason", pa.string()),
            ("raw", pa.string()),
        ]
    ),
    key=("source", "file", "row", "column"),
)

LOAD_LOG = TableSpec(
    "load_log",
    pa.schema(
        [
            ("load_id", pa.string()),
            ("source", pa.string()),
            ("table_name", pa.string()),
            ("file", pa.string()),
            ("rows_read", pa.int64()),
            ("rows_loaded", pa.int64()),
            ("rows_quarantined", pa.int64()),
            ("rows_duplicate", pa.int64()),
            ("loaded_at", TS),
        ]
    ),
    key=("load_id", "table_name", "file"),
)

IDENTITY_LINKS = TableSpec(
    "identity_links",
    pa.schema(
        [
            ("alias_id", pa.string()),
            ("canonical_id", pa.string()),
            ("linked_at", TS),
            ("source", pa.string()),
        ]
    ),
    key=("alias_id",),
    mode="upsert",
)

OUTCOMES = TableSpec(
    "outcomes",
    pa.schema(
        [
            ("outcome_id", pa.string()),
            ("source", pa.string()),
            ("user_id", pa.string()),
            ("email", pa.string()),
            ("team", pa.string()),
            ("country", pa.string()),
            ("date", pa.date32()),
            ("revenue", pa.float64()),
            ("amount", pa.float64()),
            ("currency", pa.string()),
            ("deals_won", pa.float64()),
            ("kind", pa.string()),
        ]
    ),
    key=("source", "outcome_id"),
)
"""Business outcomes from an ERP: revenue in the reporting currency (``amount`` and ``currency``
as booked), deals won, and the kind (new, cross_sell, up_sell, renewal, other)."""

SOURCE_STATE = TableSpec(
    "source_state",
    pa.schema([("source", pa.string()), ("state", pa.string()), ("updated_at", TS)]),
    key=("source",),
    mode="upsert",
)
"""Incremental cursor state of each source (JSON), saved after every chunk so a run can resume."""

CANONICAL: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        ACTIVITY,
        USERS,
        RECORDS,
        SIGNINS,
        BUSINESS_UNITS,
        TEAM_MEMBERSHIP,
        USER_ROLES,
        AUDIT_CHANGES,
        IDENTITY_LINKS,
        SURVEYS,
        TICKETS,
        TRAINING,
        DAP_EVENTS,
        OUTCOMES,
        SOURCE_STATE,
        QUARANTINE,
        LOAD_LOG,
    )
}

PROVENANCE = ("_file", "_row")
"""Columns a source adds to every emitted row: the file (or URL) and its 1-based data row."""


def empty(spec: TableSpec) -> pa.Table:
    return spec.schema.empty_table()
