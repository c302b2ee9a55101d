"""The project file ``uptake.yaml`` as frozen pydantic models (unknown keys are errors)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo

from pydantic import Field, field_validator, model_validator

from uptake.kpis.spec import KpiDefinition
from uptake.project.kpi_settings import AdoptionScore, Dap, Retention, RoleFeatures
from uptake.project.quality_config import Quality
from uptake.project.source_configs import Frozen, SourceConfig
from uptake.project.workdays_config import Workdays
from uptake.vocab import MEANINGFUL_ACTIONS_DEFAULT, PLACEHOLDER_USER_IDS_DEFAULT, Action, DayMode, WeekStart

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


def _check_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        close = difflib.get_close_matches(value, sorted(zoneinfo.available_timezones()), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else " (e.g. Europe/Berlin, America/New_York)"
        raise ValueError(f"unknown IANA time zone {value!r}{hint}") from exc
    return value


class Country(Frozen):
    code: str
    """ISO 3166-1 alpha-2 code, e.g. DE."""
    name: str | None = None
    subdivision: str | None = None
    """ISO 3166-2 code for regional public holidays, e.g. DE-BY."""
    region: str
    timezone: str
    language: str | None = None
    go_live: dt.date
    eligible_users: int | None = Field(default=None, ge=0)
    """Licensed users, when no user list says who they are."""
    match: list[str] = Field(default_factory=list)
    """Other spellings of this country in source data (matched case-insensitively)."""

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not _COUNTRY.match(v):
            raise ValueError(f"expected an ISO 3166-1 alpha-2 code in capitals like 'DE', found {v!r}")
        return v

    @field_validator("subdivision")
    @classmethod
    def _subdivision(cls, v: str | None) -> str | None:
        if v is not None and not _SUBDIVISION.match(v):
            raise ValueError(f"expected an ISO 3166-2 code like 'DE-BY', found {v!r}")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return _check_zone(v)


class Phases(Frozen):
    """Start day of each phase relative to a country's go-live (day 0); readiness is before."""

    go_live: int = 0
    hypercare: int = 14
    stabilization: int = 56

    @model_validator(mode="after")
    def _ordered(self) -> Phases:
        if not (self.go_live == 0 and self.go_live < self.hypercare < self.stabilization):
            raise ValueError(
                "phase start days must be go_live = 0 < hypercare < stabilization, found "
                f"{self.go_live}, {self.hypercare}, {self.stabilization}"
            )
        return self


class ActivityRules(Frozen):
    meaningful_actions: list[Action] = Field(default_factory=lambda: list(MEANINGFUL_ACTIONS_DEFAULT))
    """Actions that make a user *active*; any event makes a user *present*."""
    meaningful_entities: list[str] | None = None
    """Limit meaningful actions to these entities (null = all)."""
    placeholder_user_ids: list[str] = Field(default_factory=lambda: list(PLACEHOLDER_USER_IDS_DEFAULT))
    """User ids that are no identity (matched case-insensitively); their events are excluded
    from user counts and reported as ``unresolved_placeholder_events``."""
    count_impersonated: bool = False
    """Count rows an integration wrote on a user's behalf (Dataverse ``callinguserid`` set) as that
    user's activity. Off by default: the user did not do it (source-formats.md §1.2)."""
    exclude_users: list[str] = Field(default_factory=list)
    """Glob patterns on user id or display name of accounts to leave out (service, test …)."""


class Privacy(Frozen):
    min_group_size: int = Field(default=5, ge=1)
    pseudonymise: bool = False
    """Replace user ids with a keyed hash at load time (key from UPTAKE_PSEUDONYM_KEY)."""
    individual_views: bool = False


class Warehouse(Frozen):
    backend: str = "duckdb"
    path: str = "warehouse.duckdb"

    @field_validator("backend")
    @classmethod
    def _backend(cls, v: str) -> str:
        if v not in ("duckdb", "spark"):
            raise ValueError(f"expected 'duckdb' or 'spark', found {v!r}")
        return v


class Project(Frozen):
    name: str
    timezone: str = "UTC"
    week_start: WeekStart = "monday"
    locale: str = "en"
    day_mode: DayMode = "user_country"
    data_from: dt.date | None = None
    """First day the data covers. Days from here to the first event are reported with zeros
    (eligible users, nobody active). Default: the first day with any activity."""
    data_through: dt.datetime | None = None
    """Until when the data is complete; periods ending later are marked incomplete. Default: now."""
    warehouse: Warehouse = Field(default_factory=Warehouse)
    countries: list[Country] = Field(min_length=1)
    phases: Phases = Field(default_factory=Phases)
    activity: ActivityRules = Field(default_factory=ActivityRules)
    privacy: Privacy = Field(default_factory=Privacy)
    roles: dict[str, RoleFeatures] = Field(default_factory=dict)
    """Role (as in the users' ``role``) → the features its users are expected to use."""
    retention: Retention = Field(default_factory=Retention)
    adoption_score: AdoptionScore = Field(default_factory=AdoptionScore)
    dap: Dap = Field(default_factory=Dap)
    """Digital-adoption-platform KPIs: completions without help that make a user competent."""
    workdays: Workdays = Field(default_factory=Workdays)
    """Working days and hours per country (holidays, weekends, overrides)."""
    quality: Quality = Field(default_factory=Quality)
    """Data-quality KPIs: required fields per entity, stale after N days, score weights."""
    sources: list[SourceConfig] = Field(min_length=1)
    kpis: list[KpiDefinition] = Field(default_factory=list)
    """The project's own KPIs, same schema as the built-in catalog (ids must not clash with it)."""

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return _check_zone(v)

    @model_validator(mode="after")
    def _unique(self) -> Project:
        codes = [c.code for c in self.countries]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"country codes must be unique, found {', '.join(dup)} twice")
        names = [s.name for s in self.sources if s.name]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"source names must be unique, found {', '.join(dup)} twice")
        unknown = sorted(set(self.workdays.countries) - set(codes))
        if unknown:
            raise ValueError(
                f"workdays.countries has {', '.join(unknown)}, not in countries ({', '.join(codes)})"
            )
        return self

    def country(self, code: str) -> Country:
        for c in self.countries:
            if c.code == code:
                return c
        raise KeyError(code)

    def country_lookup(self) -> dict[str, str]:
        """Every accepted spelling (code, name, ``match`` values; case-folded) → ISO code."""
        out: dict[str, str] = {}
        for c in self.countries:
            for alias in (c.code, c.name or "", *c.match):
                if alias:
                    out[alias.strip().casefold()] = c.code
        return out
