"""Credentials for Microsoft Graph and Azure Resource Manager, and their shared paging (``nextLink``).

A token from the environment (``--token-env``) is used as is and cannot be refreshed; without one,
``azure-identity``'s ``DefaultAzureCredential`` (environment, workload identity, managed identity, Azure
CLI, ...) gets a token for the API's ``.default`` scope and is asked again when a token expires.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from irkit.collect.base import Request
from irkit.collect.http import CollectError, Credential, StaticToken


@dataclass
class AzureIdentity(Credential):
    scope: str
    _credential: Any = None
    _token: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        try:
            from azure.identity import DefaultAzureCredential
        except ImportError as exc:
            raise CollectError("no token: set --token-env, or install azure-identity "
                               "(pip install 'irkit[collect]') for DefaultAzureCredential") from exc
        self._credential = DefaultAzureCredential()
        self.refresh()

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def refresh(self) -> bool:
        self._token = self._credential.get_token(self.scope).token
        return True


def credential(token_env: str | None, scope: str) -> Credential:
    if token_env and os.environ.get(token_env, "").strip():
        return StaticToken("Bearer", os.environ[token_env].strip())
    if token_env and token_env != "AZURE_ACCESS_TOKEN":
        raise CollectError(f"no token: the environment variable {token_env} is not set")
    return AzureIdentity(scope)


def next_link(data: Any, request: Request, body: bytes, headers: dict[str, str]) -> Request | None:
    """Graph's ``@odata.nextLink``, ARM's ``nextLink``: the whole next URL (query included)."""
    if not isinstance(data, dict):
        return None
    url = data.get("@odata.nextLink") or data.get("nextLink")
    return Request(url) if isinstance(url, str) and url else None
