"""The KPI catalog: definitions as data (``catalog.yaml``), validated into frozen models."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

from uptake.vocab import KpiFamily, Unit


class Description(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    en: str
    de: str


class KpiDefinition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = 1
    family: KpiFamily
    unit: Unit
    formula: str
    denominator: str
    description: Description

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


@cache
def catalog() -> dict[str, KpiDefinition]:
    text = resources.files("uptake.kpis").joinpath("catalog.yaml").read_text(encoding="utf-8")
    items = [KpiDefinition.model_validate(x) for x in yaml.safe_load(text)]
    out = {k.id: k for k in items}
    if len(out) != len(items):
        raise ValueError("duplicate KPI id in catalog.yaml")
    return out
