"""Project settings of the depth, retention and adoption-score KPIs (parts of ``uptake.yaml``)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from uptake.project.source_configs import Frozen
from uptake.vocab import ACTIONS

_FEATURE = re.compile(r"^[^.\s]+\.([a-z]+)$")


class RoleFeatures(Frozen):
    """What users of one role are expected to use (``roles: {Sales: {features: [...]}}``)."""

    features: list[str] = Field(min_length=1)
    """Features as ``entity.action``, e.g. ``opportunity.create``, ``lead.qualify``."""

    @field_validator("features")
    @classmethod
    def _features(cls, v: list[str]) -> list[str]:
        for f in v:
            m = _FEATURE.match(f)
            if m is None or m.group(1) not in ACTIONS:
                raise ValueError(
                    f"expected a feature 'entity.action' with action one of {', '.join(ACTIONS)}, found {f!r}"
                )
        dup = sorted({f for f in v if v.count(f) > 1})
        if dup:
            raise ValueError(f"features must be unique, found {', '.join(dup)} twice")
        return v


class Retention(Frozen):
    max_offset_weeks: int = Field(default=12, ge=0, le=104)
    """Cohort cells are reported for weeks 0 … this many weeks after the cohort week."""


class Dap(Frozen):
    """Digital-adoption-platform KPIs (``dap: {competence_completions: 3}``)."""

    competence_completions: int = Field(default=3, ge=1, le=100)
    """A user is competent in a flow at this many completions without help."""


class ScoreInput(Frozen):
    """One input of the adoption score: a KPI row of the same period and segment (feature = all)."""

    kpi: str
    weight: float = Field(gt=0)
    floor: float = 0.0
    """Value that scores 0 (and anything below)."""
    target: float = 1.0
    """Value that scores 100 (and anything above)."""

    @model_validator(mode="after")
    def _band(self) -> ScoreInput:
        if self.target <= self.floor:
            raise ValueError(f"target must be above floor, found floor {self.floor} and target {self.target}")
        return self


def _default_inputs() -> list[ScoreInput]:
    return [
        ScoreInput(kpi="activation_rate", weight=0.4, floor=0.0, target=0.8),
        ScoreInput(kpi="feature_adoption", weight=0.35, floor=0.0, target=0.8),
        ScoreInput(kpi="depth", weight=0.25, floor=1.0, target=4.0),
    ]


def _default_bands() -> dict[str, float]:
    return {"low": 0.0, "developing": 40.0, "good": 60.0, "leading": 80.0}


class AdoptionScore(Frozen):
    """Weights and bands of the composite adoption score (docs/adoption-score.md)."""

    inputs: list[ScoreInput] = Field(default_factory=_default_inputs, min_length=1)
    bands: dict[str, float] = Field(default_factory=_default_bands)
    """Label → lowest score of the band; a score takes the label of the highest band it reaches."""

    @model_validator(mode="after")
    def _unique(self) -> AdoptionScore:
        kpis = [i.kpi for i in self.inputs]
        dup = sorted({k for k in kpis if kpis.count(k) > 1})
        if dup:
            raise ValueError(f"score inputs must be unique, found {', '.join(dup)} twice")
        if "adoption_score" in kpis:
            raise ValueError("the adoption score cannot be an input of itself")
        bad = sorted(k for k, v in self.bands.items() if not 0 <= v <= 100)
        if bad:
            raise ValueError(f"band thresholds must be within 0–100, found {', '.join(bad)}")
        return self

    def band(self, score: float) -> str | None:
        """The label of the highest band whose threshold ``score`` reaches (None below all)."""
        reached = [(v, k) for k, v in self.bands.items() if score >= v]
        return max(reached)[1] if reached else None
