"""Configuration models of every source kind (the ``sources:`` list of ``uptake.yaml``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from uptake.vocab import Action, CrmEntity, DapStatus, EventFormat, OutcomeKind, RecordState


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FileOptions(Frozen):
    path: str
    """File, folder or glob, relative to the project folder (``~`` and ``${VAR}`` expanded)."""
    encoding: str | None = None
    """Text encoding; detected (UTF-8, UTF-8 with BOM, cp1252) when not given."""
    delimiter: str | None = None
    """CSV delimiter; detected (``,`` ``;`` tab ``|``, Excel ``sep=`` line) when not given."""
    timezone: str = "UTC"
    """Zone of timestamps that carry no offset."""


class EventsMapping(Frozen):
    user: str
    timestamp: str
    action: str | None = None
    entity: str | None = None
    record_id: str | None = None
    event_id: str | None = None
    client: str | None = None
    country: str | None = None
    region: str | None = None
    team: str | None = None
    role: str | None = None


class EventsSource(FileOptions):
    type: Literal["events"]
    name: str | None = None
    format: EventFormat = "auto"
    mapping: EventsMapping
    action_map: dict[str, Action] = Field(default_factory=dict)
    """Raw action value → canonical action. Unmapped values become ``other`` (raw kept)."""
    default_action: Action = "other"


class UsersMapping(Frozen):
    user_id: str
    display_name: str | None = None
    email: str | None = None
    aad_object_id: str | None = None
    country: str | None = None
    region: str | None = None
    business_unit: str | None = None
    team: str | None = None
    role: str | None = None
    manager_id: str | None = None
    license: str | None = None
    is_enabled: str | None = None
    is_human: str | None = None
    created_on: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None


class UsersSource(FileOptions):
    type: Literal["users"]
    name: str | None = None
    mapping: UsersMapping
    non_human_values: list[str] = Field(
        default_factory=lambda: [
            "application",
            "integration",
            "service",
            "non-interactive",
            "false",
            "0",
            "no",
        ]
    )
    """Values of the ``is_human`` column (case-insensitive) that mark a non-human account."""
    defaults: dict[str, str] = Field(default_factory=dict)
    """Values for canonical user fields the file leaves empty or lacks, e.g. ``country: US``."""


class RecordsMapping(Frozen):
    record_id: str
    owner: str | None = None
    """Records without an owner count only in the all-segment rows."""
    created: str | None = None
    closed: str | None = None
    state: str | None = None
    status: str | None = None
    value: str | None = None
    currency: str | None = None
    account: str | None = None
    product: str | None = None
    estimated_close: str | None = None
    modified: str | None = None
    first_response: str | None = None
    """Cases: when the first response was sent."""
    resolved: str | None = None
    """Cases: when the case was resolved (else ``closed`` of a resolved case is used)."""
    name: str | None = None
    """Accounts and contacts: the name duplicate detection compares (also email, phone, city,
    postal_code and tax_id, e.g. a VAT id)."""
    email: str | None = None
    phone: str | None = None
    city: str | None = None
    postal_code: str | None = None
    tax_id: str | None = None


class CrmRecordsSource(FileOptions):
    type: Literal["crm-records"]
    name: str | None = None
    entity: CrmEntity = "opportunity"
    mapping: RecordsMapping
    state_map: dict[str, RecordState] = Field(default_factory=dict)
    """Raw state value → a record state (case-insensitive): open / won / lost for opportunities,
    open / qualified / disqualified for leads (``closed`` is then the (dis)qualification time),
    open / resolved / canceled for cases. Needed unless values already are."""
    required_fields: list[str] = Field(default_factory=list)
    """Fields that must be filled for the record to count as complete: canonical fields (account,
    created_on, email …) or columns of the file. Default: ``quality.required_fields`` of the entity."""
    emit_activity: bool = True
    """Derive activity from the records (create at ``created``, win/lose at ``closed``), for
    exports that have no audit log."""


class ClientCredentials(Frozen):
    """Names of the environment variables holding the Entra ID app registration (never the values:
    secrets stay out of the project file). A certificate (PEM file path) is used when its variable is
    set, else the client secret."""

    tenant_env: str = "UPTAKE_TENANT_ID"
    client_id_env: str = "UPTAKE_CLIENT_ID"
    client_secret_env: str = "UPTAKE_CLIENT_SECRET"
    certificate_env: str = "UPTAKE_CLIENT_CERT"
    """Path of a PEM file holding the private key and the certificate."""
    certificate_thumbprint_env: str = "UPTAKE_CLIENT_CERT_THUMBPRINT"
    timeout_seconds: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=8, ge=0)
    """Retries of one request after throttling (429/503), time-outs and dropped connections."""


class DataverseUserOptions(Frozen):
    """How ``systemuser`` rows become users."""

    business_unit_countries: dict[str, str] = Field(default_factory=dict)
    """Business-unit name or id → country (ISO code or any spelling the project knows), used when the
    user record has no country. A unit without an entry inherits its parent's."""


class DataverseAuditSource(FileOptions, DataverseUserOptions):
    """Dataverse data saved as files: Web API JSON pages (``audits``, ``systemusers``,
    ``businessunits``, ``teams`` … recognised by their ``@odata.context``), audit CSV exports, or a
    Synapse Link / Fabric folder (``model.json`` + headerless CSV partitions, or Delta tables)."""

    type: Literal["dataverse-audit"]
    name: str | None = None
    format: Literal["auto", "webapi-json", "csv", "synapse-link", "delta"] = "auto"


class SynapseLinkSource(FileOptions, DataverseUserOptions):
    """An Azure Synapse Link for Dataverse container (or a Fabric lakehouse ``Tables`` folder)."""

    type: Literal["synapse-link"]
    name: str | None = None
    tables: list[str] = Field(default_factory=lambda: ["audit", "systemuser"])
    format: Literal["auto", "csv", "delta"] = "auto"
    """``csv`` = model.json + headerless partitions; ``delta`` = Delta tables (``deltalake/<table>``
    or ``<table>`` folders); ``auto`` = csv when a model.json exists."""


class DataverseApiSource(ClientCredentials, DataverseUserOptions):
    """Live Dataverse Web API (OAuth2 client credentials)."""

    type: Literal["dataverse-api"]
    name: str | None = None
    url: str
    """Environment URL, e.g. https://contoso.crm4.dynamics.com"""
    api_version: str = "v9.2"
    tables: list[str] = Field(
        default_factory=lambda: [
            "audit",
            "systemuser",
            "businessunit",
            "team",
            "teammembership",
            "role",
            "systemuserroles",
            "opportunity",
            "lead",
            "account",
            "contact",
            "incident",
        ]
    )
    page_size: int = Field(default=5000, ge=1, le=5000)
    overlap_minutes: int = Field(default=60, ge=0)
    """Re-read this much audit history before the cursor (late rows); re-read rows are dropped by
    ``auditid``."""
    start: str | None = None
    """Earliest ``createdon`` to pull on the first run (ISO date)."""
    end: str | None = None
    """Pull audit rows created before this (ISO date), for back-fills."""


class EntraSigninsSource(ClientCredentials):
    """Entra ID sign-ins: the portal's CSV/JSON downloads or Graph pages saved as files (``path``),
    or Microsoft Graph live (``url``, e.g. https://graph.microsoft.com/v1.0)."""

    type: Literal["entra-signins"]
    name: str | None = None
    path: str | None = None
    url: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    dataverse_resource_ids: list[str] = Field(
        default_factory=lambda: ["00000007-0000-0000-c000-000000000000"]
    )
    page_size: int = Field(default=1000, ge=1, le=1000)
    start: str | None = None
    """Earliest ``createdDateTime`` to pull on the first live run (ISO date)."""
    overlap_minutes: int = Field(default=60, ge=0)

    @model_validator(mode="after")
    def _one_input(self) -> EntraSigninsSource:
        if (self.path is None) == (self.url is None):
            raise ValueError("give exactly one of 'path' (downloaded files) or 'url' (Microsoft Graph)")
        return self


class IdentityLinksMapping(Frozen):
    alias: str
    canonical: str
    linked_at: str | None = None


class IdentityLinksSource(FileOptions):
    """One person, several ids: every alias is counted as its canonical id, for all history."""

    type: Literal["identity-links"]
    name: str | None = None
    mapping: IdentityLinksMapping


QuestionType = Literal["nps", "likert", "readiness", "rating", "text"]
"""nps: 0–10 recommend question (the only type NPS is computed for); likert: pulse items;
readiness: change-readiness items; rating: any other scored item; text: free text."""


class SurveyQuestion(Frozen):
    column: str
    """Column holding the answers (wide files), or the ``question_id`` value (long files)."""
    id: str | None = None
    """Question id in the warehouse (default: the column)."""
    type: QuestionType
    scale: tuple[float, float] | None = None
    """Lowest and highest valid answer; required for scored types. An NPS question must be 0–10."""

    @model_validator(mode="after")
    def _scale(self) -> SurveyQuestion:
        if self.type == "text":
            return self
        if self.scale is None:
            raise ValueError(f"question {self.column!r}: give its scale, e.g. scale: [1, 5]")
        if self.type == "nps" and tuple(self.scale) != (0, 10):
            raise ValueError(
                f"question {self.column!r} is type nps but its scale is {self.scale[0]:g}–"
                f"{self.scale[1]:g}; NPS needs 0–10 (other scales are never mapped onto it): "
                "declare it as type rating"
            )
        if self.scale[0] >= self.scale[1]:
            raise ValueError(f"question {self.column!r}: scale {list(self.scale)} is empty")
        return self


class SurveyMapping(Frozen):
    response_id: str | None = None
    """Default: file name and row number."""
    respondent: str | None = None
    """User id or e-mail (anonymous when absent)."""
    submitted_at: str | None = None
    wave: str | None = None
    """Default: the file name without extension."""
    language: str | None = None
    country: str | None = None
    question_id: str | None = None
    """Long files: the column naming the question of each row."""
    value: str | None = None
    """Long files: the column with the answer."""


class SurveySource(FileOptions):
    """Survey responses: Microsoft Forms / Customer Voice exports and generic CSVs (wide: one
    column per question; long: one row per answer with ``question_id`` and ``value``), or
    Customer Voice ``msfp_surveyresponse`` rows (format ``customer-voice``: JSON pages or CSV)."""

    type: Literal["survey"]
    name: str | None = None
    format: Literal["forms", "wide", "long", "customer-voice"] = "wide"
    survey_id: str | None = None
    """Default: the source name."""
    mapping: SurveyMapping = Field(default_factory=SurveyMapping)
    questions: list[SurveyQuestion] = Field(default_factory=list)
    language: str | None = None
    """Language of free-text answers when the file does not say."""
    missing_values: list[str] = Field(default_factory=lambda: ["NA", "N/A"])
    """Answers that mean "no answer" (case-insensitive), e.g. add ``-99`` for sentinel-coded files."""

    @model_validator(mode="after")
    def _questions(self) -> SurveySource:
        if self.format != "customer-voice" and not self.questions:
            raise ValueError("list the survey's questions (column, type, scale)")
        if self.format == "long" and (self.mapping.question_id is None or self.mapping.value is None):
            raise ValueError("format long needs mapping.question_id and mapping.value")
        return self


class TicketsMapping(Frozen):
    ticket_id: str
    """Ticket number; in an event log (``timestamp`` and ``activity`` mapped) the case id."""
    created: str | None = None
    """When the ticket was opened (an event log: its first event)."""
    requester: str | None = None
    """The requester's user id or e-mail (matched to users at KPI time)."""
    first_response: str | None = None
    resolved: str | None = None
    category: str | None = None
    priority: str | None = None
    state: str | None = None
    country: str | None = None
    timestamp: str | None = None
    """Event logs (one row per ticket event, e.g. XES): the event's time."""
    activity: str | None = None
    """Event logs: the event's activity name."""


class TicketsSource(FileOptions):
    """Support tickets: one row per ticket (CSV, Parquet, JSON Lines), or an event log with one row
    per ticket event (XES or tabular; map ``timestamp`` and ``activity``) reduced to one ticket:
    created at its first event, first response at the first ``first_response_activities`` event,
    resolved at the last ``resolved_activities`` event; other fields from the first event that has
    them."""

    type: Literal["tickets"]
    name: str | None = None
    format: EventFormat = "auto"
    mapping: TicketsMapping
    country: str | None = None
    """Country of tickets that carry none (a project country code or match name)."""
    first_response_activities: list[str] = Field(default_factory=list)
    resolved_activities: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _mode(self) -> TicketsSource:
        m = self.mapping
        if (m.timestamp is None) != (m.activity is None):
            raise ValueError("an event log needs both mapping.timestamp and mapping.activity")
        if m.timestamp is None and m.created is None:
            raise ValueError(
                "map mapping.created (or mapping.timestamp and mapping.activity for an event log)"
            )
        return self


class TrainingMapping(Frozen):
    """Columns of an LMS export (format ``lms``); xAPI statements need no mapping."""

    learner: str | None = None
    """The learner's user id or e-mail (matched to users at KPI time)."""
    course_id: str | None = None
    status: str | None = None
    """registered, attempted, completed, passed, failed or attended (others are skipped)."""
    completed_at: str | None = None
    record_id: str | None = None
    kind: str | None = None
    """course or info_session (default course)."""
    score: str | None = None


class TrainingSource(FileOptions):
    """Training records: an LMS CSV export (``lms``) or xAPI statements (``xapi``: LRS pages with
    ``statements``, a JSON list, or JSON Lines). Only completed, passed and attended records are
    loaded; an xAPI actor's ``mbox`` (mailto:) is the learner's e-mail; ``attended`` or a
    ``meeting`` activity type is an info session."""

    type: Literal["training"]
    name: str | None = None
    format: Literal["lms", "xapi"] = "lms"
    mapping: TrainingMapping = Field(default_factory=TrainingMapping)

    @model_validator(mode="after")
    def _lms(self) -> TrainingSource:
        m = self.mapping
        if self.format == "lms" and None in (m.learner, m.course_id, m.status, m.completed_at):
            raise ValueError("format lms needs mapping.learner, course_id, status and completed_at")
        return self


class DapMapping(Frozen):
    user: str
    """The user's id or e-mail (matched to users at KPI time)."""
    timestamp: str
    flow: str
    status: str
    """started, step, completed, failed or help-opened (other spellings through ``status_map``)."""
    step: str | None = None
    event_id: str | None = None
    """Event id (default: file name and row number)."""


class DapSource(FileOptions):
    """Digital-adoption-platform events (WalkMe/Whatfix-style CSV or JSON Lines exports): one row
    per flow event of a user. Statuses are read case-insensitively with ``-`` and spaces as ``_``;
    a status that is neither canonical nor in ``status_map`` quarantines its row."""

    type: Literal["dap"]
    name: str | None = None
    format: Literal["auto", "csv", "jsonl"] = "auto"
    mapping: DapMapping
    status_map: dict[str, DapStatus] = Field(default_factory=dict)
    """Vendor spelling → started / step / completed / failed / help_opened (case-insensitive)."""


class ErpMapping(Frozen):
    amount: str
    """Net revenue of the row, in the row's currency."""
    date: str
    """Invoice or booking date."""
    id: str | None = None
    """Invoice or line id (default: file name and row number)."""
    user: str | None = None
    """The sales user's CRM user id."""
    email: str | None = None
    """The sales user's e-mail, matched to ``users.email`` (case-insensitive)."""
    team: str | None = None
    country: str | None = None
    currency: str | None = None
    deals_won: str | None = None
    """Deals won on the row (a count)."""
    kind: str | None = None
    """New business, cross-sell, up-sell … (values through ``kind_map``)."""


class ErpSource(FileOptions):
    """Revenue and deals per sales user or team from an ERP export (CSV or Parquet)."""

    type: Literal["erp"]
    name: str | None = None
    format: Literal["auto", "csv", "parquet"] = "auto"
    mapping: ErpMapping
    currency: str = "EUR"
    """Reporting currency every amount is converted to."""
    rates: dict[str, float] = Field(default_factory=dict)
    """Units of the reporting currency per unit of each other currency, e.g. ``{GBP: 1.17}``."""
    default_currency: str | None = None
    """Currency of rows without one (default: the reporting currency)."""
    kind_map: dict[str, OutcomeKind] = Field(default_factory=dict)
    """Raw kind value → new / cross_sell / up_sell / renewal / other (case-insensitive)."""

    @model_validator(mode="after")
    def _who(self) -> ErpSource:
        m = self.mapping
        if m.user is None and m.email is None and m.team is None:
            raise ValueError("map at least one of mapping.user, mapping.email or mapping.team")
        bad = sorted(k for k, v in self.rates.items() if not v > 0)
        if bad:
            raise ValueError(f"rates must be positive, found {', '.join(bad)}")
        return self


SourceConfig = Annotated[
    EventsSource
    | UsersSource
    | CrmRecordsSource
    | DataverseAuditSource
    | SynapseLinkSource
    | DataverseApiSource
    | EntraSigninsSource
    | IdentityLinksSource
    | SurveySource
    | TicketsSource
    | TrainingSource
    | DapSource
    | ErpSource,
    Field(discriminator="type"),
]
