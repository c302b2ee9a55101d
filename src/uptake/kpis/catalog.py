"""The KPI catalog: definitions as data (``definitions/*.yaml``), validated into frozen models."""

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
    folder = resources.files("uptake.kpis").joinpath("definitions")
    out: dict[str, KpiDefinition] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        for item in yaml.safe_load(entry.read_text(encoding="utf-8")) or []:
            d = KpiDefinition.model_validate(item)
            if d.id in out:
                raise ValueError(f"KPI {d.id!r} is defined twice (again in definitions/{entry.name})")
            out[d.id] = d
    return out
