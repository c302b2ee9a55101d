"""Duplicate clusters for review respect the privacy settings."""

from __future__ import annotations

import pyarrow as pa

from uptake.present.review import duplicate_clusters
from uptake.project.models import Privacy, Project
from uptake.quality.dedupe import CLUSTERS_SCHEMA

CLUSTERS = pa.Table.from_pylist(
    [
        {
            "entity": "account",
            "kind": "duplicate",
            "cluster_id": "c1",
            "record_id": "A3",
            "owner_id": "u1",
            "name": "Müller Bau GmbH",
            "cluster_size": 2,
            "reason": "same name and legal form",
        },
        {
            "entity": "account",
            "kind": "duplicate",
            "cluster_id": "c1",
            "record_id": "A4",
            "owner_id": "u2",
            "name": "Mueller Bau GmbH",
            "cluster_size": 2,
            "reason": "same name and legal form",
        },
        {
            "entity": "contact",
            "kind": "duplicate",
            "cluster_id": "c2",
            "record_id": "P1",
            "owner_id": "u1",
            "name": "Anna Weiß",
            "cluster_size": 2,
            "reason": "same name and e-mail",
        },
        {
            "entity": "contact",
            "kind": "duplicate",
            "cluster_id": "c2",
            "record_id": "P2",
            "owner_id": "u1",
            "name": "anna weiss",
            "cluster_size": 2,
            "reason": "same name and e-mail",
        },
    ],
    schema=CLUSTERS_SCHEMA,
)


def _project(individual: bool) -> Project:
    return Project.model_validate(
        {
            "name": "review",
            "countries": [
                {"code": "DE", "region": "EMEA", "timezone": "Europe/Berlin", "go_live": "2026-01-05"}
            ],
            "privacy": Privacy(individual_views=individual).model_dump(),
            "sources": [{"type": "events", "path": "e.csv", "mapping": {"user": "u", "timestamp": "t"}}],
        }
    )


def test_without_individual_views_people_and_owners_are_left_out() -> None:
    out = duplicate_clusters(CLUSTERS, _project(False))
    assert out["record_id"].to_pylist() == ["A3", "A4"]
    assert "owner_id" not in out.column_names


def test_with_individual_views_everything_is_listed() -> None:
    out = duplicate_clusters(CLUSTERS, _project(True))
    assert out.num_rows == 4
    assert out["owner_id"].to_pylist() == ["u1", "u2", "u1", "u1"]
