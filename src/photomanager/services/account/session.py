"""Connecting a DeviantArt account: OAuth 2.1 authorization code + PKCE (S256).

`AuthSession` is the one object the web routes, the CLI and the DeviantArt
client talk to about the account:

- `begin_login()` / `complete_login()`: the two halves of the browser flow,
  with a one-time `state` (10 minutes) optionally bound to the browser by a
  nonce the route keeps in an HttpOnly cookie;
- `status()` and `logout()` (revoke at DeviantArt, then forget locally);
- `get_token()` / `refresh_token()`: the client's `TokenProvider`, delegated
  to `TokenKeeper` (see `auth_tokens.py` for the cross-process refresh).

Nothing here returns or logs a token, a code or a verifier.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.errors import (
    ClientNotConfigured,
    DeviantArtError,
    LoginRejected,
    NotConnected,
)
from photomanager.domain.models import DeviantArtUser, TokenKind
from photomanager.domain.pkce import code_challenge_s256, make_code_verifier, new_opaque_value
from photomanager.services.account.pending_logins import (
    DEFAULT_STATE_TTL,
    PendingLogin,
    PendingLogins,
)
from photomanager.services.account.tokens import REFRESH_MARGIN, SecretSink, TokenKeeper
from photomanager.services.ports import OAuthApi, RefreshLock, UnitOfWorkFactory

logger = logging.getLogger(__name__)

SCOPES = "browse comment.post message user"
CALLBACK_PATH = "/auth/callback"
LOOPBACK_IP = "127.0.0.1"
DEVELOPERS_URL = "https://www.deviantart.com/developers/"

# DeviantArt's `error=` value is echoed back to the artist: keep it a plain word.
_ERROR_WORD = re.compile(r"[^a-z0-9_.\-]")

WhoAmI = Callable[[], DeviantArtUser]


def loopback_redirect_uri(port: int) -> str:
    """The redirect URI to register at DeviantArt (loopback IP, exact match)."""
    return f"http://{LOOPBACK_IP}:{port}{CALLBACK_PATH}"


def registration_help(redirect_uri: str) -> str:
    """What to do when no DeviantArt app is configured."""
    return (
        "No DeviantArt app is configured. Register one at "
        f"{DEVELOPERS_URL} (OAuth 2.1, authorization code grant), add the redirect URI "
        f"{redirect_uri} exactly, then set PHOTOMANAGER_DA_CLIENT_ID and "
        "PHOTOMANAGER_DA_CLIENT_SECRET in the environment or in .env and restart."
    )


@dataclass(frozen=True, slots=True)
class LoginStart:
    """Where to send the browser, and the nonce the browser must bring back."""

    authorize_url: str = field(repr=False)
    state: str = field(repr=False)
    redirect_uri: str
    expires_at: datetime
    browser_nonce: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class AuthStatus:
    """What the page and `auth status` show. Holds no secret."""

    connected: bool
    client_configured: bool
    username: str | None = None
    userid: str | None = None
    expires_at: datetime | None = None
    scope: str | None = None
    reauth_required: bool = False


@dataclass(frozen=True, slots=True)
class LogoutResult:
    was_connected: bool
    revoked: bool


class AuthSession:
    """Login, status, logout and token provision for the one connected account."""

    def __init__(
        self,
        *,
        oauth: OAuthApi,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        client_configured: bool = True,
        register_secret: SecretSink | None = None,
        whoami: WhoAmI | None = None,
        refresh_margin: timedelta = REFRESH_MARGIN,
        state_ttl: timedelta = DEFAULT_STATE_TTL,
        refresh_lock: RefreshLock | None = None,
    ) -> None:
        self._oauth = oauth
        self._clock = clock
        self._client_configured = client_configured
        self._register: SecretSink = register_secret or (lambda _value: None)
        self._whoami = whoami
        self._state_ttl = state_ttl
        self._pending = PendingLogins(state_ttl)
        self.tokens = TokenKeeper(
            oauth=oauth,
            uow_factory=uow_factory,
            clock=clock,
            register_secret=self._register,
            refresh_margin=refresh_margin,
            refresh_lock=refresh_lock,
        )

    @property
    def client_configured(self) -> bool:
        return self._client_configured

    def bind_whoami(self, whoami: WhoAmI) -> None:
        """Give the session `user/whoami` (the API client needs the session first)."""
        self._whoami = whoami

    # -- TokenProvider -------------------------------------------------------

    def get_token(self, kind: TokenKind) -> str:
        """A valid token of `kind` (see `TokenKeeper.get_token`)."""
        return self.tokens.get_token(kind)

    def refresh_token(self, kind: TokenKind, rejected: str) -> str:
        """A fresh token after DeviantArt rejected one (see `TokenKeeper.refresh_token`)."""
        return self.tokens.refresh_token(kind, rejected)

    # -- login -----------------------------------------------------------------

    def begin_login(self, redirect_uri: str, *, bind_to_browser: bool = True) -> LoginStart:
        """Start the authorization-code flow; ClientNotConfigured without a DA app."""
        if not self._client_configured:
            raise ClientNotConfigured(
                registration_help(redirect_uri), details={"redirect_uri": redirect_uri}
            )
        verifier = make_code_verifier()
        self._register(verifier)
        state = new_opaque_value()
        nonce = new_opaque_value() if bind_to_browser else None
        now = self._clock.now()
        self._pending.add(
            PendingLogin(
                state=state,
                code_verifier=verifier,
                redirect_uri=redirect_uri,
                created_at=now,
                browser_nonce=nonce,
            )
        )
        url = self._oauth.authorize_url(
            state=state,
            code_challenge=code_challenge_s256(verifier),
            redirect_uri=redirect_uri,
            scope=SCOPES,
        )
        return LoginStart(
            authorize_url=url,
            state=state,
            redirect_uri=redirect_uri,
            expires_at=now + self._state_ttl,
            browser_nonce=nonce,
        )

    def complete_login(
        self,
        *,
        state: str | None,
        code: str | None,
        browser_nonce: str | None = None,
        error: str | None = None,
    ) -> AuthStatus:
        """Finish the flow: check state (one use) and nonce, exchange, store, whoami.

        Raises LoginRejected before any request to DeviantArt when anything is off.
        """
        if code:
            self._register(code)
        if not state:
            raise LoginRejected("The login callback has no state; start again from Connect.")
        pending = self._pending.take(state, self._clock.now())
        if pending is None:
            raise LoginRejected(
                "This login link is unknown, expired or already used; start again from Connect."
            )
        if pending.browser_nonce is not None and not (
            browser_nonce
            and hmac.compare_digest(pending.browser_nonce.encode(), browser_nonce.encode())
        ):
            raise LoginRejected(
                "This login was started in another browser; start again from Connect."
            )
        if error:
            word = _ERROR_WORD.sub("", error.lower())[:40] or "error"
            raise LoginRejected(f"DeviantArt did not authorize the app ({word}).")
        if not code:
            raise LoginRejected("DeviantArt sent no authorization code; start again from Connect.")
        token = self._oauth.exchange_code(
            code=code, code_verifier=pending.code_verifier, redirect_uri=pending.redirect_uri
        )
        token = self.tokens.store(replace(token, userid=None, username=None))
        user = self._lookup_user()
        if user is not None:
            self.tokens.store(replace(token, userid=user.userid, username=user.username))
        logger.info("connected DeviantArt account %s", user.username if user else "(unknown)")
        return self.status()

    def _lookup_user(self) -> DeviantArtUser | None:
        if self._whoami is None:
            return None
        try:
            return self._whoami()
        except (DeviantArtError, NotConnected) as exc:
            # The tokens work or not; the name can be read later (services/account/identity.py).
            logger.warning("connected, but user/whoami failed: %s", exc.message)
            return None

    # -- status and logout -----------------------------------------------------

    def status(self) -> AuthStatus:
        """The account as stored now; never contacts DeviantArt."""
        token = self.tokens.stored()
        if token is None:
            return AuthStatus(connected=False, client_configured=self._client_configured)
        return AuthStatus(
            connected=True,
            client_configured=self._client_configured,
            username=token.username,
            userid=token.userid,
            expires_at=token.expires_at,
            scope=token.scope or None,
            reauth_required=self.tokens.reauth_required,
        )

    def logout(self) -> LogoutResult:
        """Revoke at DeviantArt where it works, then forget the tokens locally."""
        stored = self.tokens.stored()
        if stored is None:
            return LogoutResult(was_connected=False, revoked=False)
        revoked = False
        try:
            # Revoking the refresh token ends the whole grant, access tokens included.
            self._oauth.revoke(stored.refresh_token or stored.access_token)
            revoked = True
        except DeviantArtError as exc:
            logger.warning("could not revoke at DeviantArt (%s); forgetting locally", exc.code)
        self.tokens.forget()
        return LogoutResult(was_connected=True, revoked=revoked)
