"""DeviantArt OAuth 2.1: `DeviantArtOAuth` (implements `OAuthApi`); PKCE is in domain.pkce.

Every call goes through `DeviantArtHttpClient.oauth_token()`/`oauth_revoke()`;
the client authenticates with form fields (client_id, and client_secret for
a confidential client). The secret never appears in a repr or a log.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from photomanager.deviantart.client import DeviantArtHttpClient
from photomanager.domain.clock import Clock, SystemClock
from photomanager.domain.errors import (
    DeviantArtError,
    InvalidInput,
    InvalidToken,
    ReauthRequired,
    RequestRejected,
)
from photomanager.domain.models import OAuthToken
from photomanager.logging_setup import register_secret

# When DeviantArt omits expires_in, assume the documented hour.
_DEFAULT_EXPIRES_IN = 3600
_MAX_EXPIRES_IN = 366 * 24 * 3600.0


class DeviantArtOAuth:
    """DeviantArt's OAuth endpoints; structurally a `services.ports.OAuthApi`."""

    def __init__(
        self,
        http: DeviantArtHttpClient,
        *,
        client_id: str,
        client_secret: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._http = http
        self.client_id = client_id
        self._client_secret = client_secret or None
        register_secret(self._client_secret)
        self._clock = clock or SystemClock()

    def __repr__(self) -> str:
        return f"DeviantArtOAuth(client_id={self.client_id!r}, client_secret=...)"

    def authorize_url(
        self, *, state: str, code_challenge: str, redirect_uri: str, scope: str
    ) -> str:
        """The URL of DeviantArt's authorize page (authorization code + PKCE S256)."""
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": scope,
                "state": state,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self._http.oauth_url('authorize')}?{query}"

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> OAuthToken:
        """Trade an authorization code (and its PKCE verifier) for tokens."""
        form = self._client_form(
            grant_type="authorization_code",
            code=code,
            code_verifier=code_verifier,
            redirect_uri=redirect_uri,
        )
        return self._token_from(self._http.oauth_token(form), previous_refresh=None)

    def refresh(self, refresh_token: str) -> OAuthToken:
        """New tokens from a refresh token (rotated: keep the one returned).

        A refresh token DeviantArt refuses raises `ReauthRequired`.
        """
        form = self._client_form(grant_type="refresh_token", refresh_token=refresh_token)
        try:
            body = self._http.oauth_token(form)
        except (RequestRejected, InvalidToken) as exc:
            raise ReauthRequired(
                "DeviantArt refused the refresh token; reconnect the account",
                status=exc.status,
                error=exc.error,
                error_code=exc.error_code,
            ) from None
        return self._token_from(body, previous_refresh=refresh_token)

    def client_credentials(self) -> OAuthToken:
        """An app token (no user) for public endpoints such as `browse/newest`."""
        if self._client_secret is None:
            raise InvalidInput("the client-credentials grant needs a client secret")
        form = self._client_form(grant_type="client_credentials")
        return self._token_from(self._http.oauth_token(form), previous_refresh=None)

    def revoke(self, token: str) -> None:
        """Revoke `token` at DeviantArt (logout)."""
        self._http.oauth_revoke(self._client_form(token=token))

    def _client_form(self, **fields: str) -> dict[str, str]:
        form = {"client_id": self.client_id, **fields}
        if self._client_secret is not None:
            form["client_secret"] = self._client_secret
        return form

    def _token_from(self, body: dict[str, Any], *, previous_refresh: str | None) -> OAuthToken:
        access = body.get("access_token")
        if not isinstance(access, str) or not access:
            raise DeviantArtError("DeviantArt's token response has no access token")
        register_secret(access)
        refresh = body.get("refresh_token")
        if not isinstance(refresh, str) or not refresh:
            # Without a rotated token the old one is the best we have.
            refresh = previous_refresh
        expires_in = _seconds(body.get("expires_in"))
        scope = body.get("scope")
        return OAuthToken(
            access_token=access,
            refresh_token=refresh,
            expires_at=self._clock.now() + timedelta(seconds=expires_in),
            scope=scope if isinstance(scope, str) else "",
        )


def _seconds(value: object) -> float:
    """`expires_in` as seconds; a missing or odd value means the documented hour."""
    seconds: float = _DEFAULT_EXPIRES_IN
    if isinstance(value, str) and value.strip().isdigit():
        seconds = float(value.strip())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    if not math.isfinite(seconds):
        return _DEFAULT_EXPIRES_IN
    return min(max(seconds, 0.0), _MAX_EXPIRES_IN)
