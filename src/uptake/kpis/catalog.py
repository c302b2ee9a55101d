"""The KPI catalog: definitions as data (``definitions/*.yaml``), validated into frozen models."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import yaml

from uptake.kpis.spec import Description, KpiDefinition

if TYPE_CHECKING:
    from uptake.project.models import Project

__all__ = ["Description", "KpiDefinition", "builtin", "catalog"]


def catalog(project: Project | None = None) -> dict[str, KpiDefinition]:
    """The built-in definitions, plus the project's own ``kpis`` when a project is given."""
    defs = builtin()
    if project is None or not project.kpis:
        return defs
    clash = sorted(k.id for k in project.kpis if k.id in defs)
    if clash:
        raise ValueError(f"project KPI ids clash with the built-in catalog: {', '.join(clash)}")
    return {**defs, **{k.id: k for k in project.kpis}}


@cache
def builtin() -> dict[str, KpiDefinition]:
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
