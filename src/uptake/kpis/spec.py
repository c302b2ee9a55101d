"""A KPI definition as data: the model shared by the built-in catalog and ``uptake.yaml``.

Pure pydantic (no Ibis): ``compiler.py`` turns a :class:`Measure` into an Ibis expression. A KPI
with a ``measure`` is fully declarative and computed by ``custom.py``; one without is computed by a
Python producer and the YAML only documents it.

A measure counts ``count`` over rows ``from`` one rollup, restricted by ``where``, per period and
segment, optionally divided by a user population ``per``::

    measure: {count: distinct_users, from: features, where: {features: [opportunity.update]}}
    per: active_users
"""

from __future__ import annotations

import re
from typing import Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from uptake.vocab import ACTIONS, GRAINS, Action, Grain, KpiFamily, Phase, Unit

Count = Literal["distinct_users", "events", "user_days"]
"""distinct_users: users with at least one matching row; events: matching events; user_days:
distinct (user, local day) pairs with a matching row."""
COUNTS: Final[tuple[Count, ...]] = get_args(Count)

From = Literal["user_day", "features"]
"""user_day: every event (``where.active`` limits to meaningful ones); features: meaningful events
as ``entity.action`` (``where.actions/entities/features`` filter them)."""
FROMS: Final[tuple[From, ...]] = get_args(From)

Per = Literal["eligible_users", "active_users", "present_users", "none"]
"""The denominator: distinct users of that population in the same period and segment, or none
(the value is the count itself). With a population and ``count: distinct_users`` only users of
the population are counted, so the share lies in [0, 1]."""
PERS: Final[tuple[Per, ...]] = get_args(Per)

_PER_TEXT: Final[dict[str, str]] = {
    "eligible_users": "eligible users of the segment in the period",
    "active_users": "active users of the segment in the period",
    "present_users": "present users of the segment in the period",
    "none": "none (a count)",
}

_FEATURE = re.compile(r"^[a-z0-9_()]+\.([a-z]+)$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Description(_Frozen):
    en: str
    de: str


class Where(_Frozen):
    """Row filters; lists are alternatives (OR), different keys must all hold (AND)."""

    actions: list[Action] | None = None
    entities: list[str] | None = None
    features: list[str] | None = None
    """``entity.action`` names as in ``feature_usage`` (e.g. ``opportunity.update``)."""
    active: bool = False
    """Only days/events with a meaningful action (``from: user_day``)."""

    @field_validator("features")
    @classmethod
    def _features(cls, v: list[str] | None) -> list[str] | None:
        for f in v or []:
            m = _FEATURE.match(f)
            if m is None:
                raise ValueError(
                    f"expected 'entity.action' in lower case like 'opportunity.update', found {f!r}"
                )
            if m.group(1) not in ACTIONS:
                raise ValueError(
                    f"unknown action {m.group(1)!r} in {f!r}; expected one of {', '.join(ACTIONS)}"
                )
        return v


class Measure(_Frozen):
    count: Count
    source: From = Field(default="user_day", alias="from")
    where: Where = Field(default_factory=Where)

    @model_validator(mode="after")
    def _filters_fit_source(self) -> Measure:
        w = self.where
        record_filters = [k for k in ("actions", "entities", "features") if getattr(w, k) is not None]
        if self.source == "user_day" and record_filters:
            raise ValueError(
                f"where.{record_filters[0]} needs 'from: features' (user_day rows carry no entity or action)"
            )
        if self.source == "features" and w.active:
            raise ValueError("where.active applies to 'from: user_day'; feature rows are always meaningful")
        return self

    def describe(self) -> str:
        """One line, e.g. ``count distinct_users from features where features in [opportunity.update]``."""
        w = self.where
        parts = [
            f"{k} in [{', '.join(v)}]" for k in ("actions", "entities", "features") if (v := getattr(w, k))
        ]
        parts += ["active"] if w.active else []
        return f"count {self.count} from {self.source}" + (f" where {' and '.join(parts)}" if parts else "")


class KpiDefinition(_Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = 1
    family: KpiFamily
    unit: Unit
    formula: str
    denominator: str
    """Prose; derived from ``per`` when left out."""
    description: Description
    grains: list[Grain] = Field(default_factory=lambda: list(GRAINS))
    """Grains the KPI is computed at."""
    headline_phases: list[Phase] = Field(default_factory=list)
    """Phases in which the KPI is a headline figure."""
    measure: Measure | None = None
    """Declarative KPIs only: what is counted (compiled to Ibis by ``uptake.kpis.compiler``)."""
    per: Per = "none"

    @model_validator(mode="before")
    @classmethod
    def _default_denominator(cls, data: object) -> object:
        if isinstance(data, dict) and "denominator" not in data:
            return {**data, "denominator": _PER_TEXT.get(str(data.get("per", "none")), "")}
        return data

    @model_validator(mode="after")
    def _declarative(self) -> KpiDefinition:
        if self.measure is None and self.per != "none":
            raise ValueError("'per' needs a 'measure'")
        if self.measure is not None and not self.grains:
            raise ValueError("'grains' must name at least one grain")
        if self.measure is not None and self.unit == "share" and self.per == "none":
            raise ValueError("unit 'share' needs a denominator: set 'per' (eligible_users, active_users …)")
        return self

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def declarative(self) -> bool:
        return self.measure is not None
