"""The token lifecycle: hand out bearer tokens, refresh them once across processes.

`TokenKeeper` implements the DeviantArt client's `TokenProvider`:

- USER tokens come from `oauth_tokens`, cached in memory per process and
  refreshed ahead of expiry (`REFRESH_MARGIN`) or when DeviantArt rejects one.
- A refresh takes the cross-process `RefreshLock` and re-reads the row: if
  another process or thread already refreshed, its token is reused; otherwise
  this one refreshes and saves the rotated pair with a compare-and-set on the
  old refresh token (a login or logout that landed meanwhile wins). So however
  many workers hit an expired token, DeviantArt sees one refresh.
- No database transaction is open while DeviantArt answers the refresh (it can
  take a minute with retries): on SQLite a transaction would hold the file's
  write lock, and the worker recording a posted comment would time out behind
  it. The lock is a file lock there, an advisory lock on PostgreSQL (see
  `photomanager.storage.refresh_lock`); without one (tests of one process) the
  refresh is serialised within this object only.
- A refresh token DeviantArt refuses raises `ReauthRequired`; the refused value
  is remembered so we do not keep knocking with it.
- CLIENT tokens (public endpoints) are always a client-credentials token, kept
  in memory until it expires, so public reads spend the app's request budget,
  not the account's.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.errors import (
    InvalidToken,
    NotConnected,
    ReauthRequired,
    RequestRejected,
)
from photomanager.domain.models import OAuthToken, TokenKind
from photomanager.services.ports import OAuthApi, RefreshLock, UnitOfWorkFactory

logger = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=5)
RECONNECT_MESSAGE = "DeviantArt refused the saved login: reconnect your account"

SecretSink = Callable[[str], None]


def _ignore_secret(value: str) -> None:
    """Default sink when no redacting filter is wired (tests of pure logic)."""


def _same(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return hmac.compare_digest(a.encode(), b.encode())


class ProcessRefreshLock:
    """The default `RefreshLock`: excludes nothing beyond this object's own thread lock."""

    @contextmanager
    def held(self) -> Iterator[None]:
        """Nothing to take: `TokenKeeper` already serialises its threads."""
        yield


class TokenKeeper:
    """Process-local cache in front of the shared token row. Thread-safe."""

    def __init__(
        self,
        *,
        oauth: OAuthApi,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        register_secret: SecretSink = _ignore_secret,
        refresh_margin: timedelta = REFRESH_MARGIN,
        refresh_lock: RefreshLock | None = None,
    ) -> None:
        self._oauth = oauth
        self._refresh_lock: RefreshLock = refresh_lock or ProcessRefreshLock()
        self._uow_factory = uow_factory
        self._clock = clock
        self._register = register_secret
        self._margin = refresh_margin
        self._user: OAuthToken | None = None
        self._client: OAuthToken | None = None
        self._dead_refresh_token: str | None = None
        self._user_lock = threading.Lock()
        self._client_lock = threading.Lock()

    # -- TokenProvider ------------------------------------------------------

    def get_token(self, kind: TokenKind) -> str:
        """A valid token of `kind`; NotConnected when a USER token is needed but absent."""
        if kind is TokenKind.USER:
            return self._user_token().access_token
        return self._client_kind_token()

    def refresh_token(self, kind: TokenKind, rejected: str) -> str:
        """A fresh token after DeviantArt rejected `rejected` (one refresh, shared)."""
        client = self._client
        if kind is TokenKind.CLIENT and client is not None and _same(client.access_token, rejected):
            return self._client_credentials(rejected=rejected).access_token
        try:
            return self._refresh_user(rejected=rejected).access_token
        except (NotConnected, ReauthRequired):
            if kind is TokenKind.USER:
                raise
            # Public endpoints still work without the artist's account.
            return self._client_credentials(rejected=None).access_token

    # -- what the auth session needs ------------------------------------------

    def store(self, token: OAuthToken) -> OAuthToken:
        """Save a token from a fresh login (keeping the known account), and cache it."""
        self._register_token(token)
        with self._user_lock, self._uow_factory() as uow:
            uow.tokens.save(token)
            uow.commit()
            self._user = token
            self._dead_refresh_token = None
        return token

    def forget(self) -> OAuthToken | None:
        """Delete the stored token (logout); returns what was stored."""
        with self._user_lock, self._uow_factory() as uow:
            stored = uow.tokens.get()
            uow.tokens.delete()
            uow.commit()
            self._user = None
            self._dead_refresh_token = None
        return stored

    def stored(self) -> OAuthToken | None:
        """The stored token as it is now in the database (not the cache)."""
        with self._uow_factory(read_only=True) as uow:
            token = uow.tokens.get()
        if token is not None:
            self._register_token(token)
        return token

    @property
    def reauth_required(self) -> bool:
        """True after DeviantArt refused the stored refresh token in this process."""
        return self._dead_refresh_token is not None

    # -- internals ---------------------------------------------------------------

    def _fresh(self, token: OAuthToken) -> bool:
        return token.expires_at - self._margin > self._clock.now()

    def _user_token(self) -> OAuthToken:
        cached = self._user
        if cached is not None and self._fresh(cached):
            return cached
        token = self.stored()
        if token is None:
            self._user = None
            raise NotConnected("no DeviantArt account is connected")
        if self._fresh(token):
            self._user = token
            return token
        try:
            return self._refresh_user(rejected=None)
        except ReauthRequired:
            if token.expires_at > self._clock.now():
                return token  # still valid for a few minutes: use them
            raise

    def _client_kind_token(self) -> str:
        # The app's own token even when an account is connected: DeviantArt counts requests
        # per user and per app, so public reads (the tag feeds) spend the app's budget and
        # leave the account's smaller one to posting. Client requests keep their own turns
        # (`next:client`); with the user token they would spend the user's budget unseen.
        cached = self._client
        if cached is not None and self._fresh(cached):
            return cached.access_token
        return self._client_credentials(rejected=None).access_token

    def _refresh_user(self, *, rejected: str | None) -> OAuthToken:
        # No transaction is open during the network call (see the module docstring).
        with self._user_lock, self._refresh_lock.held():
            current = self._read_stored()
            if current is None:
                self._user = None
                raise NotConnected("no DeviantArt account is connected")
            self._register_token(current)
            if not _same(current.access_token, rejected) and self._fresh(current):
                # Someone else refreshed while we waited for the lock: share their token.
                self._user = current
                return current
            old_refresh = current.refresh_token
            if old_refresh is None or _same(old_refresh, self._dead_refresh_token):
                raise ReauthRequired(RECONNECT_MESSAGE)
            try:
                fresh = self._oauth.refresh(old_refresh)
            except (ReauthRequired, InvalidToken, RequestRejected) as exc:
                self._dead_refresh_token = old_refresh
                logger.warning("DeviantArt refused the refresh token; reconnect needed")
                raise ReauthRequired(
                    RECONNECT_MESSAGE, status=exc.status, error=exc.error
                ) from None
            self._register_token(fresh)
            token = replace(
                fresh,
                # Rotation is the norm; keep the old one only if DeviantArt sent none.
                refresh_token=fresh.refresh_token or old_refresh,
                scope=fresh.scope or current.scope,
                userid=current.userid,
                username=current.username,
            )
            return self._save_rotated(token, previous_refresh_token=old_refresh)

    def _read_stored(self) -> OAuthToken | None:
        with self._uow_factory(read_only=True) as uow:
            return uow.tokens.get()

    def _save_rotated(self, token: OAuthToken, *, previous_refresh_token: str) -> OAuthToken:
        """Save the refreshed pair unless the row changed during the refresh."""
        with self._uow_factory() as uow:
            saved = uow.tokens.save_rotated(token, previous_refresh_token=previous_refresh_token)
            if saved:
                uow.commit()
                stored: OAuthToken | None = token
            else:
                stored = uow.tokens.get()
        if not saved:
            # A login or logout landed meanwhile (they do not take the refresh lock): it wins.
            logger.info("the stored DeviantArt token changed during a refresh; using it")
            self._user = stored
            if stored is None:
                raise NotConnected("no DeviantArt account is connected")
            self._register_token(stored)
            return stored
        self._user = token
        logger.info("refreshed the DeviantArt user token (expires %s)", token.expires_at)
        return token

    def _client_credentials(self, *, rejected: str | None) -> OAuthToken:
        with self._client_lock:
            cached = self._client
            if (
                cached is not None
                and not _same(cached.access_token, rejected)
                and self._fresh(cached)
            ):
                return cached
            token = self._oauth.client_credentials()
            self._register_token(token)
            self._client = token
            return token

    def _register_token(self, token: OAuthToken) -> None:
        self._register(token.access_token)
        if token.refresh_token:
            self._register(token.refresh_token)
