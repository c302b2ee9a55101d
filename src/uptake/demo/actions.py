"""What a simulated audit row can be: Dataverse ``operation`` and ``action`` codes per event kind,
and which kinds each role performs how often."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from uptake.demo.catalog import ROLES
from uptake.demo.records import ACCOUNT, CONTACT, ENTITIES, INCIDENT, LEAD, OPPORTUNITY


@dataclass(frozen=True)
class Kind:
    name: str
    operation: int
    action: int
    entity: int
    """Index into ENTITIES; −1 = the user's own systemuser row (access)."""
    canonical: str
    """uptake's action vocabulary (vocab.Action)."""


OPERATION_LABEL = {1: "Create", 2: "Update", 3: "Delete", 4: "Access"}
ACTION_LABEL = {
    1: "Create",
    2: "Update",
    3: "Delete",
    13: "Assign",
    14: "Share",
    16: "Close",
    24: "Qualify",
    44: "Win",
    45: "Lose",
    64: "User Access via Web",
    65: "User Access via Web Services",
}

_K: list[Kind] = [Kind("access-web", 4, 64, -1, "access"), Kind("access-ws", 4, 65, -1, "access")]
for _e, _name in enumerate(ENTITIES):
    _K += [Kind(f"create-{_name}", 1, 1, _e, "create"), Kind(f"update-{_name}", 2, 2, _e, "update")]
_K += [
    Kind("assign-opportunity", 2, 13, OPPORTUNITY, "assign"),
    Kind("share-account", 2, 14, ACCOUNT, "share"),
    Kind("qualify-lead", 2, 24, LEAD, "qualify"),
    Kind("win-opportunity", 2, 44, OPPORTUNITY, "win"),
    Kind("lose-opportunity", 2, 45, OPPORTUNITY, "lose"),
    Kind("close-incident", 2, 16, INCIDENT, "resolve"),
]
KINDS: tuple[Kind, ...] = tuple(_K)
KIND = {k.name: i for i, k in enumerate(KINDS)}
CREATE_OF = np.array([KIND[f"create-{e}"] for e in ENTITIES])
MEANINGFUL = np.array([k.operation != 4 for k in KINDS])

_MIX: dict[str, dict[str, float]] = {
    "Sales": {
        "create-lead": 0.07,
        "create-opportunity": 0.07,
        "create-account": 0.03,
        "create-contact": 0.05,
        "update-opportunity": 0.30,
        "update-lead": 0.14,
        "update-account": 0.12,
        "update-contact": 0.10,
        "assign-opportunity": 0.03,
        "share-account": 0.03,
        "qualify-lead": 0.06,
    },
    "Service": {
        "create-incident": 0.20,
        "update-incident": 0.45,
        "create-contact": 0.05,
        "update-contact": 0.14,
        "update-account": 0.12,
        "share-account": 0.04,
    },
    "Marketing": {"create-lead": 0.28, "update-lead": 0.40, "update-contact": 0.22, "create-contact": 0.10},
}
ACTIONS_PER_DAY = {"Sales": 3.0, "Service": 4.0, "Marketing": 1.5}
"""Mean meaningful actions per active day beyond the first."""


def _cumulative() -> npt.NDArray[np.float64]:
    out = np.zeros((len(ROLES), len(KINDS)))
    for r, (_, function, _) in enumerate(ROLES):
        for name, w in _MIX[function].items():
            out[r, KIND[name]] = w
    out /= out.sum(axis=1, keepdims=True)
    cum: npt.NDArray[np.float64] = np.cumsum(out, axis=1)
    return cum


ROLE_CUM = _cumulative()
ROLE_RATE = np.array([ACTIONS_PER_DAY[f] for _, f, _ in ROLES])


def sample_kinds(rng: np.random.Generator, roles: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    u = rng.random(len(roles))
    out: npt.NDArray[np.int64] = (ROLE_CUM[roles] < u[:, None]).sum(axis=1).astype(np.int64)
    return np.minimum(out, len(KINDS) - 1)


__all__ = ["CONTACT", "CREATE_OF", "KIND", "KINDS", "MEANINGFUL", "ROLE_RATE", "sample_kinds"]
