"""Project settings of the data-quality KPIs (``quality:`` in ``uptake.yaml``)."""

from __future__ import annotations

from pydantic import Field, model_validator

from uptake.project.source_configs import Frozen
from uptake.vocab import CrmEntity

DEFAULT_REQUIRED: dict[CrmEntity, list[str]] = {
    "account": ["name", "owner_id", "phone", "city"],
    "contact": ["name", "owner_id", "email", "phone"],
    "lead": ["name", "owner_id", "created_on", "email"],
    "opportunity": ["account", "owner_id", "created_on", "estimated_close", "value"],
}
"""Canonical ``records`` columns that must be filled, per entity, unless a crm-records source lists
its own ``required_fields``."""

_DEDUPE: tuple[CrmEntity, ...] = ("account", "contact")


class QualityWeights(Frozen):
    """Weights of the data-quality score; a segment lacking a component is scored on the others
    (weights renormalised)."""

    completeness: float = Field(default=0.4, ge=0)
    duplicates: float = Field(default=0.3, ge=0)
    stale: float = Field(default=0.3, ge=0)

    @model_validator(mode="after")
    def _positive(self) -> QualityWeights:
        if self.completeness + self.duplicates + self.stale <= 0:
            raise ValueError("at least one data-quality weight must be above 0")
        return self


class Quality(Frozen):
    required_fields: dict[CrmEntity, list[str]] = Field(default_factory=dict)
    """Entity → required canonical fields (replaces the default of that entity)."""
    stale_after_days: int = Field(default=30, ge=1)
    """An open record without human activity for more than this many days is stale."""
    dedupe_entities: list[CrmEntity] = Field(default_factory=lambda: list(_DEDUPE))
    """Entities checked for duplicates (accounts by company name, the others by person name)."""
    weights: QualityWeights = Field(default_factory=QualityWeights)

    def required(self, entity: str) -> list[str]:
        for given in (self.required_fields, DEFAULT_REQUIRED):
            for name, fields in given.items():
                if name == entity:
                    return list(fields)
        return []
