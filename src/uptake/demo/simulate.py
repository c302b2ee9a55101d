"""The day-by-day simulation: who is present and active, and which audit rows they leave.

``simulate(world)`` yields one :class:`DayBatch` per day, so writers can stream to disk; only the
record store (CRM rows) grows with the run.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from uptake.demo.actions import CREATE_OF, KIND, KINDS, ROLE_RATE, sample_kinds
from uptake.demo.records import (
    ACCOUNT,
    CLOSED_BAD,
    CLOSED_GOOD,
    CONTACT,
    INCIDENT,
    LEAD,
    OPEN,
    OPPORTUNITY,
    REQUIRED,
    RecordStore,
)
from uptake.demo.world import World

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

INTEGRATIONS: tuple[str, ...] = (
    "# Dataverse Sync (demo)",
    "# Outlook Sync (demo)",
    "# Data Migration (demo)",
)
SYNC, OUTLOOK, MIGRATION = range(3)
LOGIN_ONLY_RATE = 0.12
OFF_DAY_FACTOR = 0.03
DQ_BASE, DQ_END = 0.04, 0.70
DUPLICATE_RATE = 0.05


@dataclass(frozen=True)
class DayBatch:
    day: int
    user: I64
    """Audit rows: user index (``world.users.n + k`` = integration account k)."""
    caller: I64
    """Impersonating integration account index (``users.n + k``) or −1."""
    ts: I64
    """UTC epoch seconds."""
    kind: I64
    record: I64
    """Record index in the store, −1 for access rows."""
    new_owner: I64
    present: B
    active: B
    first_ts: I64
    """Per user: first access of the day (UTC epoch seconds), 0 if absent."""


def local_offsets(world: World) -> I64:
    """UTC offset in seconds per country and day, taken at local noon (working hours never cross
    a daylight-saving switch)."""
    out = np.zeros((len(world.countries), world.days), dtype=np.int64)
    for ci, c in enumerate(world.countries):
        zone = zoneinfo.ZoneInfo(c.spec.timezone)
        for d in range(world.days):
            noon = dt.datetime.combine(world.day(d), dt.time(12), zone)
            off = noon.utcoffset()
            out[ci, d] = int(off.total_seconds()) if off is not None else 0
    return out


def epoch(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days * 86400


class Simulation:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = np.random.default_rng([world.seed, 1])
        self.store = RecordStore(world.users.n)
        self.offsets = local_offsets(world)
        self.working = np.stack([c.calendar.working for c in world.countries])
        u = world.users
        self.go_live = np.array([world.countries[c].go_live_day for c in u.country])
        self.start = np.maximum(self.go_live, u.created_day)
        self.due: dict[int, list[I64]] = {}

    def migrate(self) -> None:
        """Records loaded from the old CRM three days before each country's go-live (audit was
        switched off during the load, so they leave no audit rows)."""
        w = self.world
        per_user = {ACCOUNT: 3, CONTACT: 3, OPPORTUNITY: 2, LEAD: 2, INCIDENT: 2}
        existing = np.flatnonzero(w.users.created_day < self.go_live)
        for entity, k in per_user.items():
            owners = np.repeat(existing, k)
            day = self.go_live[owners] - 3
            ts = np.array([epoch(w.day(0)) + 86400 * int(d) + 3600 for d in day], dtype=np.int64)
            self._create(np.full(len(owners), entity), owners, ts, day, creator=w.users.n + MIGRATION)

    def _create(self, entity: I64, owner: I64, ts: I64, day: I64, creator: int = -1) -> I64:
        w, rng = self.world, self.rng
        k = len(entity)
        p = np.full(k, DQ_BASE)
        inj = w.injected
        in_team = (w.users.team[owner] == inj.dq_team) & (day >= inj.dq_start_day)
        ramp = DQ_BASE + (DQ_END - DQ_BASE) * (day - inj.dq_start_day + 1) / max(1, w.days - inj.dq_start_day)
        p = np.where(in_team, ramp, p)
        defect = rng.random(k) < p
        n_req = len(next(iter(REQUIRED.values())))
        bits = (rng.random((k, n_req)) < 0.5) @ (1 << np.arange(n_req))
        bits = np.where(bits == 0, 1 << rng.integers(0, n_req, k), bits)
        missing = np.where(defect, bits, 0)
        value = np.round(np.exp(rng.normal(9.6, 0.8, k)), -2)
        est = day + rng.integers(14, 90, k)
        parent = np.where(entity == ACCOUNT, -1, self.store.pick(rng, owner, np.full(k, ACCOUNT)))
        accounts = np.flatnonzero(self.store.col("entity") == ACCOUNT)
        dup_of = np.full(k, -1, dtype=np.int64)
        if len(accounts):
            dup = (entity == ACCOUNT) & (creator < 0) & (rng.random(k) < DUPLICATE_RATE)
            dup_of = np.where(dup, accounts[rng.integers(0, len(accounts), k)], -1)
        idx = self.store.add(
            entity,
            owner,
            np.full(k, creator),
            ts,
            value=value,
            est_close_day=est,
            missing=missing,
            parent=parent,
            dup_of=dup_of,
        )
        self._schedule(idx, entity, day)
        return idx

    def _schedule(self, idx: I64, entity: I64, day: I64) -> None:
        rng = self.rng
        opp = entity == OPPORTUNITY
        inc = entity == INCIDENT
        closes = (opp & (rng.random(len(idx)) < 0.7)) | inc
        wait = np.where(
            opp, np.ceil(rng.lognormal(3.2, 0.6, len(idx))), np.ceil(rng.lognormal(1.0, 0.7, len(idx)))
        )
        when = np.maximum(day, 0) + wait.astype(np.int64)
        for d in np.unique(when[closes]):
            self.due.setdefault(int(d), []).append(idx[closes & (when == d)])

    def step(self, d: int) -> DayBatch:
        w, rng, u, st = self.world, self.rng, self.world.users, self.store
        n = u.n
        live = (d >= self.start) & (d < u.leave_day)
        adopted = live & (d >= u.adoption_day)
        working = self.working[u.country, d]
        active = adopted & (rng.random(n) < np.where(working, u.intensity, OFF_DAY_FACTOR * u.intensity))
        present = active | (live & ~adopted & working & (rng.random(n) < LOGIN_ONLY_RATE))
        midnight = epoch(w.day(d)) - self.offsets[u.country, d]
        start_local = np.clip(rng.normal(8.25 * 3600, 3000, n), 6 * 3600, 11 * 3600).astype(np.int64)
        first_ts = np.where(present, midnight + start_local, 0)

        act = np.flatnonzero(active)
        ev_user = np.repeat(act, 1 + rng.poisson(ROLE_RATE[u.role[act]]))
        ev_ts = first_ts[ev_user] + 120 + (rng.random(len(ev_user)) * 8.5 * 3600).astype(np.int64)
        kinds = sample_kinds(rng, u.role[ev_user])
        target = np.full(len(kinds), -1, dtype=np.int64)
        create = np.isin(kinds, CREATE_OF)
        target[~create] = st.pick(rng, ev_user[~create], KIND_ENTITY[kinds[~create]])
        fallback = ~create & (target < 0)
        kinds[fallback] = CREATE_OF[KIND_ENTITY[kinds[fallback]]]
        create |= fallback
        cr = np.flatnonzero(create)
        target[cr] = self._create(KIND_ENTITY[kinds[cr]], ev_user[cr], ev_ts[cr], np.full(len(cr), d))
        new_owner = np.full(len(kinds), -1, dtype=np.int64)
        self._qualify(kinds, target, ev_ts)
        self._assign(kinds, target, ev_user, new_owner)
        st.touch(target[~create], ev_ts[~create])

        closes = self._closes(d, active, first_ts)
        access_user, access_ts, access_kind = self._access(present, first_ts, ev_user, ev_ts)
        bots = self._integrations(d, adopted)
        parts = [
            (
                access_user,
                np.full(len(access_user), -1),
                access_ts,
                access_kind,
                np.full(len(access_user), -1),
                np.full(len(access_user), -1),
            ),
            (ev_user, np.full(len(ev_user), -1), ev_ts, kinds, target, new_owner),
            closes,
            bots,
        ]
        cols = [np.concatenate([p[i] for p in parts]).astype(np.int64) for i in range(6)]
        order = np.argsort(cols[2], kind="stable")
        user, caller, ts, kind, record, owner = (c[order] for c in cols)
        return DayBatch(d, user, caller, ts, kind, record, owner, present, active, first_ts)

    def _qualify(self, kinds: I64, target: I64, ts: I64) -> None:
        st = self.store
        q = np.flatnonzero(kinds == KIND["qualify-lead"])
        ok = st.cols["state"][target[q]] == OPEN
        kinds[q[~ok]] = KIND["update-lead"]
        done = target[q[ok]]
        st.cols["state"][done] = CLOSED_GOOD
        st.cols["closed_ts"][done] = ts[q[ok]]

    def _assign(self, kinds: I64, target: I64, user: I64, new_owner: I64) -> None:
        u, rng = self.world.users, self.rng
        for k in np.flatnonzero(kinds == KIND["assign-opportunity"]):
            peers = np.flatnonzero(u.team == u.team[user[k]])
            peer = int(peers[rng.integers(0, len(peers))])
            if peer == user[k]:
                kinds[k] = KIND["update-opportunity"]
                continue
            new_owner[k] = peer
            self.store.cols["owner"][target[k]] = peer

    def _closes(self, d: int, active: B, first_ts: I64) -> tuple[I64, ...]:
        st, rng = self.store, self.rng
        due = self.due.pop(d, [])
        recs = np.concatenate(due) if due else np.zeros(0, dtype=np.int64)
        recs = recs[st.cols["state"][recs] == OPEN]
        owners = st.cols["owner"][recs]
        ready = active[owners]
        if d + 1 < self.world.days and (~ready).any():
            self.due.setdefault(d + 1, []).append(recs[~ready])
        recs, owners = recs[ready], owners[ready]
        ts = first_ts[owners] + 300 + (rng.random(len(recs)) * 8 * 3600).astype(np.int64)
        opp = st.cols["entity"][recs] == OPPORTUNITY
        won = rng.random(len(recs)) < 0.5
        kind = np.where(
            opp, np.where(won, KIND["win-opportunity"], KIND["lose-opportunity"]), KIND["close-incident"]
        )
        st.cols["state"][recs] = np.where(opp & ~won, CLOSED_BAD, CLOSED_GOOD)
        st.cols["closed_ts"][recs] = ts
        st.touch(recs, ts)
        none = np.full(len(recs), -1, dtype=np.int64)
        return owners, none, ts, kind, recs, none

    def _access(self, present: B, first_ts: I64, ev_user: I64, ev_ts: I64) -> tuple[I64, I64, I64]:
        """Access check-points: at the first touch of the day, and again after 4 hours."""
        rng, n = self.rng, self.world.users.n
        who = np.flatnonzero(present)
        ts = first_ts[who] - rng.integers(30, 300, len(who))
        last = np.zeros(n, dtype=np.int64)
        np.maximum.at(last, ev_user, ev_ts)
        again = who[last[who] > first_ts[who] + 4 * 3600 + 60]
        users = np.concatenate([who, again])
        stamps = np.concatenate([ts, first_ts[again] + 4 * 3600 + 60])
        web = rng.random(len(users)) < 0.93
        return users, stamps, np.where(web, KIND["access-web"], KIND["access-ws"])

    def _integrations(self, d: int, adopted: B) -> tuple[I64, ...]:
        """Night-time rows of integration accounts: a sync account updating accounts under its own
        id, and Outlook sync updating contacts on behalf of (impersonating) their owners."""
        w, rng, st = self.world, self.rng, self.store
        n = w.users.n
        midnight = epoch(w.day(d))
        accounts = np.flatnonzero(st.col("entity") == ACCOUNT)
        k = min(len(accounts), max(2, n // 40))
        synced = rng.choice(accounts, size=k, replace=False) if k else np.zeros(0, dtype=np.int64)
        sync_ts = midnight + 5400 + np.arange(k) * 7
        st.touch(synced, sync_ts, human=False)
        owners = np.flatnonzero(adopted & (rng.random(n) < 0.03))
        contacts = st.pick(rng, owners, np.full(len(owners), CONTACT))
        owners, contacts = owners[contacts >= 0], contacts[contacts >= 0]
        out_ts = midnight + 10800 + rng.integers(0, 7200, len(owners))
        st.touch(contacts, out_ts, human=False)
        user = np.concatenate([[n + SYNC], np.full(k, n + SYNC), owners])
        caller = np.concatenate([[-1], np.full(k, -1), np.full(len(owners), n + OUTLOOK)])
        ts = np.concatenate([[midnight + 5300], sync_ts, out_ts])
        kind = np.concatenate([[KIND["access-ws"]], np.full(k + len(owners), KIND["update-account"])])
        kind[k + 1 :] = KIND["update-contact"]
        record = np.concatenate([[-1], synced, contacts])
        return user, caller, ts, kind, record, np.full(len(user), -1)

    def run(self) -> Iterator[DayBatch]:
        self.migrate()
        for d in range(self.world.days):
            yield self.step(d)


KIND_ENTITY = np.array([k.entity for k in KINDS], dtype=np.int64)
