"""Helpers for the sandbox's own tests: httpx clients holding sandbox tokens."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from photomanager.sandbox import Sandbox

BASE = "https://www.deviantart.com"
API = "/api/v1/oauth2"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def http(sandbox_transport: httpx.BaseTransport) -> Iterator[httpx.Client]:
    """A plain client over the sandbox transport, no token."""
    with httpx.Client(transport=sandbox_transport, base_url=BASE) as client:
        yield client


@pytest.fixture
def user_api(sandbox: Sandbox, sandbox_transport: httpx.BaseTransport) -> Iterator[httpx.Client]:
    """A client sending a user token with every scope we need."""
    token = sandbox.issue_user_token()
    with httpx.Client(
        transport=sandbox_transport, base_url=BASE + API, headers=bearer(token.access_token)
    ) as client:
        yield client


@pytest.fixture
def app_api(sandbox: Sandbox, sandbox_transport: httpx.BaseTransport) -> Iterator[httpx.Client]:
    """A client sending a client-credentials token."""
    token = sandbox.issue_client_token()
    with httpx.Client(
        transport=sandbox_transport, base_url=BASE + API, headers=bearer(token.access_token)
    ) as client:
        yield client
