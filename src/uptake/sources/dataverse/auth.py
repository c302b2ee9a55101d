"""OAuth2 client credentials for Dataverse and Microsoft Graph, through MSAL.

The tenant, client id and secret (or certificate) come from environment variables named in the
source's config, never from the project file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from uptake.project.source_configs import ClientCredentials
from uptake.sources.base import SourceError

AUTHORITY_HOST = "https://login.microsoftonline.com"


class TokenProvider(Protocol):
    def token(self, refresh: bool = False) -> str:
        """A bearer token; ``refresh`` asks for a new one (the last was rejected as expired)."""
        ...


def _msal_app(**kwargs: Any) -> Any:
    import msal

    return msal.ConfidentialClientApplication(**kwargs)


class MsalTokenProvider:
    """Client-credentials tokens for one resource (``scope`` like ``https://org.crm4.dynamics.com/.default``)."""

    def __init__(
        self,
        creds: ClientCredentials,
        scope: str,
        environ: Mapping[str, str] | None = None,
        app_factory: Callable[..., Any] = _msal_app,
    ) -> None:
        env = os.environ if environ is None else environ
        self.scope = scope
        self._kwargs = {
            "client_id": _required(env, creds.client_id_env, "the application (client) id"),
            "authority": f"{AUTHORITY_HOST}/{_required(env, creds.tenant_env, 'the directory (tenant) id')}",
            "client_credential": _credential(env, creds),
        }
        self._factory = app_factory
        self._app: Any = None

    def token(self, refresh: bool = False) -> str:
        if self._app is None or refresh:
            self._app = self._factory(**self._kwargs)  # a new app has an empty token cache
        result = self._app.acquire_token_for_client(scopes=[self.scope])
        if "access_token" not in result:
            detail = (result.get("error_description") or "").split("\n")[0]
            raise SourceError(
                f"could not get a token for {self.scope}: {result.get('error')}: {detail} — check the "
                "tenant id, client id and secret/certificate (docs/dynamics365.md)"
            )
        return str(result["access_token"])


def _required(env: Mapping[str, str], name: str, what: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SourceError(
            f"environment variable {name} is not set: it must hold {what} of the Entra ID app "
            "registration (see docs/dynamics365.md)"
        )
    return value


def _credential(env: Mapping[str, str], creds: ClientCredentials) -> Any:
    cert_path = env.get(creds.certificate_env, "").strip()
    if not cert_path:
        return _required(env, creds.client_secret_env, f"the client secret (or set {creds.certificate_env})")
    try:
        pem = Path(cert_path).read_bytes()
    except OSError as exc:
        raise SourceError(f"{creds.certificate_env}={cert_path}: cannot read the certificate: {exc}") from exc
    thumbprint = env.get(creds.certificate_thumbprint_env, "").strip() or _thumbprint(pem, creds)
    return {"private_key": pem.decode(), "thumbprint": thumbprint}


def _thumbprint(pem: bytes, creds: ClientCredentials) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise SourceError(
            f"{creds.certificate_env}: the PEM file holds no certificate; add it or set "
            f"{creds.certificate_thumbprint_env}"
        ) from exc
    return cert.fingerprint(hashes.SHA1()).hex().upper()  # a thumbprint is SHA-1 by definition
