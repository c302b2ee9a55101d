"""Which Source class reads which ``type:`` of the project file's ``sources`` list."""

from __future__ import annotations

import importlib
from typing import Any

from uptake.sources.base import Source

# type → "module:Class"; modules import lazily so an unused connector costs nothing at start-up
_REGISTRY: dict[str, str] = {
    "events": "uptake.sources.events:EventsFileSource",
    "users": "uptake.sources.users:UsersFileSource",
    "crm-records": "uptake.sources.crm_records:CrmRecordsFileSource",
    "dataverse-audit": "uptake.sources.dataverse.file_sources:DataverseAuditFileSource",
    "synapse-link": "uptake.sources.dataverse.file_sources:SynapseLinkFileSource",
    "dataverse-api": "uptake.sources.dataverse.api_source:DataverseWebApiSource",
    "entra-signins": "uptake.sources.entra:EntraSigninsReader",
    "identity-links": "uptake.sources.identity:IdentityLinksFileSource",
    "erp": "uptake.sources.erp:ErpFileSource",
    "survey": "uptake.sources.surveys:SurveyFileSource",
    "tickets": "uptake.sources.tickets:TicketsFileSource",
    "training": "uptake.sources.training:TrainingFileSource",
    "dap": "uptake.sources.dap:DapFileSource",
}


def build_source(config: Any, name: str) -> Source:
    """Instantiate the source for one entry of ``sources`` (``name`` is its unique name)."""
    target = _REGISTRY.get(config.type)
    if target is None:
        raise NotImplementedError(f"source type {config.type!r} has no connector yet")
    module_name, cls_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    source: Source = cls(config, name)
    return source
