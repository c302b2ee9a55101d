"""What actually happened in the simulation, counted as it streams by (the realised side of the
ground truth): active and present users per country and day, weekly active users, first use."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from uptake.demo.actions import MEANINGFUL
from uptake.demo.simulate import DayBatch
from uptake.demo.world import World

I64 = npt.NDArray[np.int64]


@dataclass
class Observer:
    world: World
    dau: I64 = field(init=False)
    present: I64 = field(init=False)
    wau: I64 = field(init=False)
    """Country × week (weeks from the window's first Monday)."""
    first_active: I64 = field(init=False)
    impersonated_rows: int = 0
    integration_rows: int = 0

    def __post_init__(self) -> None:
        c, d = len(self.world.countries), self.world.days
        self.dau = np.zeros((c, d), dtype=np.int64)
        self.present = np.zeros((c, d), dtype=np.int64)
        self.wau = np.zeros((c, d // 7), dtype=np.int64)
        self.first_active = np.full(self.world.users.n, -1, dtype=np.int64)
        self._week = np.zeros(self.world.users.n, dtype=np.bool_)

    def observe(self, batch: DayBatch) -> None:
        u, n, d = self.world.users, self.world.users.n, batch.day
        human = (batch.user < n) & (batch.caller < 0) & MEANINGFUL[batch.kind]
        active = np.zeros(n, dtype=np.bool_)
        active[batch.user[human]] = True
        if not np.array_equal(active, batch.active):
            raise AssertionError(f"day {d}: audit rows and the simulated active users disagree")
        n_c = len(self.world.countries)
        self.dau[:, d] = np.bincount(u.country[active], minlength=n_c)
        self.present[:, d] = np.bincount(u.country[batch.present], minlength=n_c)
        self.first_active[(self.first_active < 0) & active] = d
        self._week |= active
        if d % 7 == 6 and d // 7 < self.wau.shape[1]:
            self.wau[:, d // 7] = np.bincount(u.country[self._week], minlength=n_c)
            self._week[:] = False
        self.impersonated_rows += int(np.sum(batch.caller >= 0))
        self.integration_rows += int(np.sum(batch.user >= n))
