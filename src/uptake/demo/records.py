"""The CRM rows the simulated users create and change (accounts, contacts, leads, opportunities,
cases), kept as growable numpy columns so that large scales fit in memory."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

ENTITIES: tuple[str, ...] = ("account", "contact", "lead", "opportunity", "incident")
ACCOUNT, CONTACT, LEAD, OPPORTUNITY, INCIDENT = range(5)
REQUIRED: dict[str, tuple[str, ...]] = {
    # fields a complete record has (Web API property names); the demo's uptake.yaml lists them
    "account": ("telephone1", "address1_city", "websiteurl"),
    "contact": ("emailaddress1", "telephone1", "_parentcustomerid_value"),
    "lead": ("companyname", "emailaddress1", "telephone1"),
    "opportunity": ("estimatedvalue", "estimatedclosedate", "_parentaccountid_value"),
    "incident": ("_customerid_value", "casetypecode", "prioritycode"),
}
OPEN, CLOSED_GOOD, CLOSED_BAD = 0, 1, 2
"""state: open; won / qualified / resolved; lost / disqualified."""
RING = 8


_COLUMNS = {
    "entity": np.int64,
    "owner": np.int64,
    "creator": np.int64,
    "created_ts": np.int64,
    "modified_ts": np.int64,
    "human_ts": np.int64,
    "closed_ts": np.int64,
    "state": np.int64,
    "value": np.float64,
    "est_close_day": np.int64,
    "missing": np.int64,
    "parent": np.int64,
    "dup_of": np.int64,
}


@dataclass
class RecordStore:
    """Column arrays (``n`` rows used) plus, per user and entity, a ring of their latest records."""

    n_users: int
    n: int = 0

    def __post_init__(self) -> None:
        self.cols: dict[str, npt.NDArray[np.generic]] = {
            k: np.zeros(1024, dtype=t) for k, t in _COLUMNS.items()
        }
        self.ring = np.full((self.n_users, len(ENTITIES), RING), -1, dtype=np.int64)
        self.ring_count = np.zeros((self.n_users, len(ENTITIES)), dtype=np.int64)

    def col(self, name: str) -> npt.NDArray[np.generic]:
        return self.cols[name][: self.n]

    def add(self, entity: I64, owner: I64, creator: I64, ts: I64, **values: npt.NDArray[np.generic]) -> I64:
        """Append rows; returns their indexes. ``creator`` −1 = a human owner created it."""
        k = len(entity)
        need = self.n + k
        if need > len(self.cols["entity"]):
            size = max(need, 2 * len(self.cols["entity"]))
            for name, arr in self.cols.items():
                grown = np.zeros(size, dtype=arr.dtype)
                grown[: self.n] = arr[: self.n]
                self.cols[name] = grown
        idx = np.arange(self.n, need, dtype=np.int64)
        base = {
            "entity": entity,
            "owner": owner,
            "creator": creator,
            "created_ts": ts,
            "modified_ts": ts,
            "human_ts": np.where(creator < 0, ts, 0),
            "closed_ts": np.zeros(k, np.int64),
            "state": np.zeros(k, np.int64),
            "parent": np.full(k, -1),
            "dup_of": np.full(k, -1),
        }
        for name in self.cols:
            if name in values:
                self.cols[name][idx] = values[name]
            elif name in base:
                self.cols[name][idx] = base[name]
            else:
                self.cols[name][idx] = 0
        self.n = need
        for r, u, e in zip(idx, owner, entity, strict=True):
            c = self.ring_count[u, e]
            self.ring[u, e, c % RING] = r
            self.ring_count[u, e] = c + 1
        return idx

    def pick(self, rng: np.random.Generator, users: I64, entity: I64) -> I64:
        """A recent record of each (user, entity), or −1 where the user has none."""
        count = np.minimum(self.ring_count[users, entity], RING)
        slot = np.floor(rng.random(len(users)) * np.maximum(count, 1)).astype(np.int64)
        out: I64 = np.where(count > 0, self.ring[users, entity, slot], -1)
        return out

    def touch(self, records: I64, ts: I64, human: bool = True) -> None:
        self.cols["modified_ts"][records] = np.maximum(self.cols["modified_ts"][records], ts)
        if human:
            self.cols["human_ts"][records] = np.maximum(self.cols["human_ts"][records], ts)
