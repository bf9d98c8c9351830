"""The real auth stack over the sandbox: client, OAuth, API and AuthSession.

Wired the way bootstrap does it (the session is the client's TokenProvider).
The multi-process test builds it in each child, so it imports no web framework.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from photomanager.deviantart import DeviantArtApiClient, DeviantArtHttpClient, DeviantArtOAuth
from photomanager.domain.clock import Clock
from photomanager.logging_setup import register_secret
from photomanager.services.account.session import AuthSession
from photomanager.services.ports import RefreshLock, UnitOfWorkFactory

DA_BASE_URL = "https://www.deviantart.com"


@dataclass
class AuthStack:
    http: DeviantArtHttpClient
    api: DeviantArtApiClient
    session: AuthSession


def build_stack(
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    client_id: str,
    client_secret: str | None,
    transport: httpx.BaseTransport | None = None,
    base_url: str = DA_BASE_URL,
    refresh_lock: RefreshLock | None = None,
) -> AuthStack:
    """Wire the stack the way bootstrap does: the session is the client's TokenProvider."""
    http = DeviantArtHttpClient(base_url, transport=transport, clock=clock, sleep=lambda _s: None)
    oauth = DeviantArtOAuth(http, client_id=client_id, client_secret=client_secret, clock=clock)
    api = DeviantArtApiClient(http)
    session = AuthSession(
        oauth=oauth,
        uow_factory=uow_factory,
        clock=clock,
        register_secret=register_secret,
        whoami=api.whoami,
        refresh_lock=refresh_lock,
    )
    http.token_provider = session
    return AuthStack(http=http, api=api, session=session)
