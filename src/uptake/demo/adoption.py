"""Bass diffusion of adoption per country, and the lift that training before go-live gives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]

TRAINED_SPEED = 0.6
"""Trained users adopt in this fraction of the time an untrained user needs."""
TRAINED_CEILING_LIFT = 0.18
"""Trained users' chance of ever adopting is this much higher (capped at 0.97)."""


@dataclass(frozen=True)
class Diffusion:
    """Bass model in days since go-live: ``p`` innovation, ``q`` imitation, ``ceiling`` share who
    ever adopt (untrained users)."""

    p: float
    q: float
    ceiling: float

    def cdf(self, t: F64) -> F64:
        """Share of eventual adopters who have adopted ``t`` days after go-live."""
        t = np.maximum(t, 0.0)
        e = np.exp(-(self.p + self.q) * t)
        out: F64 = (1.0 - e) / (1.0 + (self.q / self.p) * e)
        return out

    def inverse(self, share: F64) -> F64:
        e = (1.0 - share) / (1.0 + (self.q / self.p) * share)
        out: F64 = -np.log(e) / (self.p + self.q)
        return out

    def expected_adopted(self, t: F64, trained: bool) -> F64:
        """Expected share of users adopted ``t`` days after go-live."""
        if trained:
            out: F64 = min(0.97, self.ceiling + TRAINED_CEILING_LIFT) * self.cdf(t / TRAINED_SPEED)
            return out
        return self.ceiling * self.cdf(t)


def sample_adoption(
    rng: np.random.Generator, diffusions: Sequence[Diffusion], trained: npt.NDArray[np.bool_]
) -> F64:
    """Days from a user's start (go-live or account creation) to first regular use; inf = never."""
    n = len(diffusions)
    u = rng.random(n)
    v = rng.random(n)
    base = np.array([d.ceiling for d in diffusions])
    ceiling = np.where(trained, np.minimum(0.97, base + TRAINED_CEILING_LIFT), base)
    p = np.array([d.p for d in diffusions])
    q = np.array([d.q for d in diffusions])
    delay = -np.log((1.0 - v) / (1.0 + (q / p) * v)) / (p + q)
    adopts = u < ceiling
    speed = np.where(trained, TRAINED_SPEED, 1.0)
    out: F64 = np.where(adopts, np.floor(delay * speed), np.inf)
    return out
