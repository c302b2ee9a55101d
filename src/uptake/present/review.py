"""Duplicate clusters for data stewards to review, within the privacy settings."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from uptake.project.models import Project

PERSON_ENTITIES = ("contact", "lead")
"""Records that describe people: listed by name only when individual views are on."""


def duplicate_clusters(clusters: pa.Table, project: Project) -> pa.Table:
    """The clusters to review. Without ``privacy.individual_views`` people's records (contacts,
    leads) are left out and record owners are not named; company records stay reviewable."""
    if project.privacy.individual_views:
        return clusters
    companies = clusters.filter(pc.invert(pc.is_in(clusters["entity"], pa.array(PERSON_ENTITIES))))
    return companies.drop_columns(["owner_id"]) if "owner_id" in companies.column_names else companies
