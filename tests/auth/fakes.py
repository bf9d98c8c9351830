"""Doubles for the auth session tests: DeviantArt's OAuth endpoints and whoami, in memory."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from photomanager.domain.clock import Clock
from photomanager.domain.errors import ReauthRequired, TransportFailed
from photomanager.domain.models import DeviantArtUser, OAuthToken

TOKEN_LIFETIME = timedelta(hours=1)


@dataclass
class FakeOAuth:
    """OAuthApi in memory: counts every grant, rotates refresh tokens."""

    clock: Clock
    calls: list[str] = field(default_factory=list)
    live_refresh: set[str] = field(default_factory=set)
    revoked: list[str] = field(default_factory=list)
    exchanged: list[tuple[str, str, str]] = field(default_factory=list, repr=False)
    fail_revoke: bool = False
    fail_refresh_transport: bool = False

    def _issue(self, *, with_refresh: bool) -> OAuthToken:
        refresh = f"refresh-{secrets.token_hex(12)}" if with_refresh else None
        if refresh:
            self.live_refresh.add(refresh)
        return OAuthToken(
            access_token=f"access-{secrets.token_hex(12)}",
            refresh_token=refresh,
            expires_at=self.clock.now() + TOKEN_LIFETIME,
            scope="basic browse comment.post user",
        )

    def authorize_url(
        self, *, state: str, code_challenge: str, redirect_uri: str, scope: str
    ) -> str:
        query = urlencode(
            {
                "state": state,
                "code_challenge": code_challenge,
                "redirect_uri": redirect_uri,
                "scope": scope,
            }
        )
        return f"https://da.example/oauth2/authorize?{query}"

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> OAuthToken:
        self.calls.append("authorization_code")
        self.exchanged.append((code, code_verifier, redirect_uri))
        return self._issue(with_refresh=True)

    def refresh(self, refresh_token: str) -> OAuthToken:
        self.calls.append("refresh_token")
        if self.fail_refresh_transport:
            raise TransportFailed("could not reach DeviantArt (ConnectError)")
        if refresh_token not in self.live_refresh:
            raise ReauthRequired("DeviantArt refused the refresh token", status=400)
        self.live_refresh.discard(refresh_token)  # rotation: each one works once
        return self._issue(with_refresh=True)

    def client_credentials(self) -> OAuthToken:
        self.calls.append("client_credentials")
        return self._issue(with_refresh=False)

    def revoke(self, token: str) -> None:
        self.calls.append("revoke")
        if self.fail_revoke:
            raise TransportFailed("could not reach DeviantArt (ConnectError)")
        self.revoked.append(token)
        self.live_refresh.discard(token)


@dataclass
class FakeWhoAmI:
    """`user/whoami` that answers a fixed user (or fails when told)."""

    user: DeviantArtUser = field(default_factory=lambda: DeviantArtUser("U-1", "inkling"))
    calls: int = 0

    def __call__(self) -> DeviantArtUser:
        self.calls += 1
        return self.user
