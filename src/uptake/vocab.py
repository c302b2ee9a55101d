"""Every allowed value of the domain, defined once.

Config models, KPI code, loaders and error messages import these names; nothing else spells
out a grain, phase, action or source type.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Grain = Literal["day", "week", "month", "quarter", "since_go_live_week", "total"]
GRAINS: Final[tuple[Grain, ...]] = get_args(Grain)

Phase = Literal["readiness", "go_live", "hypercare", "stabilization"]
PHASES: Final[tuple[Phase, ...]] = get_args(Phase)

SegmentLevel = Literal["all", "region", "country", "team", "role"]
SEGMENT_LEVELS: Final[tuple[SegmentLevel, ...]] = get_args(SegmentLevel)
SEGMENT_COLUMNS: Final[tuple[str, ...]] = ("region", "country", "team", "role")

Action = Literal[
    "create",
    "update",
    "delete",
    "assign",
    "share",
    "qualify",
    "win",
    "lose",
    "resolve",
    "access",
    "login",
    "view",
    "other",
]
ACTIONS: Final[tuple[Action, ...]] = get_args(Action)
MEANINGFUL_ACTIONS_DEFAULT: Final[tuple[Action, ...]] = (
    "create",
    "update",
    "delete",
    "assign",
    "share",
    "qualify",
    "win",
    "lose",
    "resolve",
)

RecordState = Literal["open", "won", "lost", "qualified", "disqualified", "resolved", "canceled", "inactive"]
"""open/won/lost for opportunities; leads end qualified or disqualified, cases resolved or canceled,
accounts and contacts open (active) or inactive."""
RECORD_STATES: Final[tuple[RecordState, ...]] = get_args(RecordState)

CrmEntity = Literal["opportunity", "lead", "account", "contact", "incident"]
CRM_ENTITIES: Final[tuple[CrmEntity, ...]] = get_args(CrmEntity)

OutcomeKind = Literal["new", "cross_sell", "up_sell", "renewal", "other"]
"""What an ERP revenue row is: new business, a cross-sell (another product to an existing
customer), an up-sell (more of the same), a renewal, or other."""
OUTCOME_KINDS: Final[tuple[OutcomeKind, ...]] = get_args(OutcomeKind)

SourceType = Literal[
    "events",
    "users",
    "crm-records",
    "dataverse-audit",
    "dataverse-api",
    "synapse-link",
    "entra-signins",
    "identity-links",
    "survey",
    "training",
    "tickets",
    "dap",
    "erp",
]
SOURCE_TYPES: Final[tuple[SourceType, ...]] = get_args(SourceType)

DapStatus = Literal["started", "step", "completed", "failed", "help_opened"]
"""What a digital-adoption-platform event says about a user's guided flow."""
DAP_STATUSES: Final[tuple[DapStatus, ...]] = get_args(DapStatus)

EventFormat = Literal["auto", "csv", "parquet", "jsonl", "xes"]
EVENT_FORMATS: Final[tuple[EventFormat, ...]] = get_args(EventFormat)

WeekStart = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEK_STARTS: Final[tuple[WeekStart, ...]] = get_args(WeekStart)

PLACEHOLDER_USER_IDS_DEFAULT: Final[tuple[str, ...]] = (
    "undefined",
    "null",
    "none",
    "nan",
    "0",
    "anonymous",
    "unknown",
    "-",
)
"""User ids that are not an identity (case-insensitive): their events are excluded and reported."""

DayMode = Literal["user_country", "project"]
"""Whose calendar day an event falls on: the user's country zone, or one project zone."""

KpiFamily = Literal["usage", "data_quality", "process", "qualitative", "business_impact", "readiness"]
KPI_FAMILIES: Final[tuple[KpiFamily, ...]] = get_args(KpiFamily)

Unit = Literal["users", "share", "count", "ratio", "days", "hours", "minutes", "score", "currency"]
