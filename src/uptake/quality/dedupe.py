"""Duplicate accounts and contacts: blocking, rapidfuzz scoring of candidate pairs, clusters.

Companies match on their normalised base name *and* legal form (:mod:`uptake.quality.names`); a
shared tax id is the strongest evidence, a different tax id or location rules a duplicate out.
People match on their folded name confirmed by e-mail or phone. Pairs whose names match but whose
legal forms differ (or that lack the confirmation) are *related*: shown for review, never merged.
Duplicates are clustered transitively (union-find); related records form their own groups.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa
from rapidfuzz import fuzz

from uptake.quality import names

Decision = Literal["duplicate", "related"]
PERSON_ENTITIES = ("contact", "lead")
NAME_SCORE = 90.0
"""rapidfuzz token-sort ratio (0–100) from which two normalised names count as the same name."""
TOKEN_SCORE = 80.0
"""A word found in only one of two names must be at least this close to a word of the other (a
typo), else the names differ in a distinguishing word ("Volksbank Nord" ≠ "Volksbank Süd")."""
MAX_BLOCK = 1000
"""Blocks larger than this (a very common word) are skipped: their pairs are too many and too weak."""

CLUSTERS_SCHEMA = pa.schema(
    [
        ("entity", pa.string()),
        ("kind", pa.string()),
        ("cluster_id", pa.string()),
        ("record_id", pa.string()),
        ("owner_id", pa.string()),
        ("name", pa.string()),
        ("cluster_size", pa.int64()),
        ("reason", pa.string()),
    ]
)


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    decision: Decision
    reason: str


def _same_name(x: str, y: str) -> bool:
    if x == y or x.replace(" ", "") == y.replace(" ", ""):
        return True
    if fuzz.token_sort_ratio(x, y) < NAME_SCORE:
        return False
    wx, wy = set(x.split()), set(y.split())
    only_x, only_y = wx - wy, wy - wx
    return all(any(fuzz.ratio(w, v) >= TOKEN_SCORE for v in only_y) for w in only_x) and all(
        any(fuzz.ratio(w, v) >= TOKEN_SCORE for v in only_x) for w in only_y
    )


def _differ(x: Any, y: Any) -> bool:
    return bool(x) and bool(y) and names.fold(str(x)).strip() != names.fold(str(y)).strip()


def company_pair(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[Decision, str] | None:
    """The decision for two account records (None: not flagged)."""
    na, nb = names.company(a.get("name") or ""), names.company(b.get("name") or "")
    same = bool(na.base) and _same_name(na.base, nb.base)
    ta, tb = a.get("tax_id"), b.get("tax_id")
    if ta and tb:
        if names.fold(ta).replace(" ", "") == names.fold(tb).replace(" ", ""):
            return "duplicate", "same tax id"
        return ("related", "same name, different tax id") if same else None
    if not same:
        return None
    if _differ(a.get("postal_code"), b.get("postal_code")) or _differ(a.get("city"), b.get("city")):
        return "related", "same name, different location"
    if na.legal_form != nb.legal_form:
        forms = f"{na.legal_form or 'none'} vs {nb.legal_form or 'none'}"
        return "related", f"same name, different legal form ({forms})"
    return "duplicate", "same name and legal form"


def person_pair(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[Decision, str] | None:
    """The decision for two contact (or lead) records (None: not flagged)."""
    pa_, pb = names.person(a.get("name") or ""), names.person(b.get("name") or "")
    if not pa_ or not _same_name(pa_, pb):
        return None
    ea, eb = names.email(a.get("email")), names.email(b.get("email"))
    if ea is not None and ea == eb:
        return "duplicate", "same name and e-mail"
    ph_a, ph_b = names.phone(a.get("phone")), names.phone(b.get("phone"))
    if ph_a is not None and ph_a == ph_b:
        return "duplicate", "same name and phone"
    return "related", "same name, not confirmed by e-mail or phone"


def _blocks(entity: str, rec: Mapping[str, Any]) -> Iterable[str]:
    if entity in PERSON_ENTITIES:
        for w in names.person(rec.get("name") or "").split():
            yield f"n:{w[:4]}"
        e = names.email(rec.get("email"))
        if e:
            yield f"e:{e}"
        p = names.phone(rec.get("phone"))
        if p:
            yield f"p:{p}"
        return
    c = names.company(rec.get("name") or "")
    if c.base:
        yield f"w:{c.words[0][:4]}"
        yield f"j:{c.base.replace(' ', '')[:4]}"
    if rec.get("tax_id"):
        yield f"t:{names.fold(rec['tax_id']).replace(' ', '')}"


def pairs(entity: str, records: list[Mapping[str, Any]]) -> list[Pair]:
    """Flagged pairs among the records of one entity (blocked, then scored)."""
    blocks: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        for key in set(_blocks(entity, rec)):
            blocks.setdefault(key, []).append(i)
    candidates = {
        (i, j)
        for members in blocks.values()
        if len(members) <= MAX_BLOCK
        for i, j in itertools.combinations(members, 2)
    }
    decide = person_pair if entity in PERSON_ENTITIES else company_pair
    out: list[Pair] = []
    for i, j in sorted(candidates):
        found = decide(records[i], records[j])
        if found is not None:
            out.append(Pair(str(records[i]["record_id"]), str(records[j]["record_id"]), *found))
    return out


def _components(edges: list[Pair]) -> dict[str, str]:
    """Union-find: record id → the smallest record id of its connected component."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e in edges:
        ra, rb = find(e.a), find(e.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def clusters(entity: str, records: list[Mapping[str, Any]]) -> pa.Table:
    """Duplicate clusters and related groups of one entity, one row per member record."""
    by_id = {str(r["record_id"]): r for r in records}
    found = pairs(entity, records)
    dup = _components([p for p in found if p.decision == "duplicate"])
    # related groups: pairs not already inside one duplicate cluster, between duplicate clusters
    rel_edges = [
        Pair(dup.get(p.a, p.a), dup.get(p.b, p.b), "related", p.reason)
        for p in found
        if p.decision == "related" and dup.get(p.a, p.a) != dup.get(p.b, p.b)
    ]
    rel = _components(rel_edges)
    reason: dict[tuple[str, str], str] = {}
    for p in found:
        for rid in (p.a, p.b):
            reason.setdefault((p.decision, rid), p.reason)
    for p in rel_edges:
        for rid in (p.a, p.b):
            reason.setdefault(("related", rid), p.reason)
    rows: list[dict[str, Any]] = []
    for kind, members in (("duplicate", dup), ("related", rel)):
        sizes: dict[str, int] = {}
        for root in members.values():
            sizes[root] = sizes.get(root, 0) + 1
        for rid, root in sorted(members.items(), key=lambda x: (x[1], x[0])):
            rec = by_id[rid]
            rows.append(
                {
                    "entity": entity,
                    "kind": kind,
                    "cluster_id": f"{entity}:{root}",
                    "record_id": rid,
                    "owner_id": rec.get("owner_id"),
                    "name": rec.get("name"),
                    "cluster_size": sizes[root],
                    "reason": reason.get((kind, rid), ""),
                }
            )
    return pa.Table.from_pylist(rows, schema=CLUSTERS_SCHEMA)
