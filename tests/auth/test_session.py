"""AuthSession: login halves, status, logout, and the token lifecycle (fake OAuth, SQLite)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from urllib.parse import parse_qs, urlsplit

import pytest

from auth.fakes import FakeOAuth, FakeWhoAmI
from photomanager.domain.errors import (
    ClientNotConfigured,
    LoginRejected,
    NotConnected,
    ReauthRequired,
    TransportFailed,
)
from photomanager.domain.models import DeviantArtUser, OAuthToken, TokenKind
from photomanager.domain.pkce import code_challenge_s256
from photomanager.sandbox.world.clock import ManualClock
from photomanager.services.account.pending_logins import MAX_PENDING, PendingLogin, PendingLogins
from photomanager.services.account.session import (
    SCOPES,
    AuthSession,
    AuthStatus,
    LoginStart,
    loopback_redirect_uri,
)
from photomanager.services.ports import UnitOfWorkFactory

REDIRECT = loopback_redirect_uri(8000)

MakeSession = Callable[..., AuthSession]


def _query(start: LoginStart) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(start.authorize_url).query).items()}


def _complete(session: AuthSession, start: LoginStart, code: str = "code-abc-1") -> AuthStatus:
    """Complete `start` the way its browser would: its own state and nonce."""
    return session.complete_login(state=start.state, code=code, browser_nonce=start.browser_nonce)


def _connect(session: AuthSession) -> None:
    _complete(session, session.begin_login(REDIRECT), code="the-code-123")


def _stored_access(uow_factory: UnitOfWorkFactory) -> str | None:
    with uow_factory() as uow:
        token = uow.tokens.get()
    return None if token is None else token.access_token


def _stored_token(uow_factory: UnitOfWorkFactory) -> OAuthToken:
    """The stored token row; fails the test when there is none."""
    with uow_factory() as uow:
        token = uow.tokens.get()
    assert token is not None
    return token


@pytest.fixture
def make_session(
    oauth: FakeOAuth, uow_factory: UnitOfWorkFactory, clock: ManualClock
) -> MakeSession:
    """Builds another AuthSession on the same OAuth, database and clock (another process)."""
    return partial(AuthSession, oauth=oauth, uow_factory=uow_factory, clock=clock)


@pytest.fixture
def connected(session: AuthSession) -> AuthSession:
    """The session after a completed login: fresh tokens for "inkling" are stored."""
    _connect(session)
    return session


@pytest.fixture
def refresh_refused(connected: AuthSession, oauth: FakeOAuth, clock: ManualClock) -> AuthSession:
    """Connected, then DeviantArt stopped honouring the refresh token and the access expired."""
    oauth.live_refresh.clear()
    clock.advance(2 * 3600)
    return connected


class TestBeginLogin:
    def test_authorize_url_carries_s256_challenge_scopes_and_redirect(
        self, session: AuthSession, oauth: FakeOAuth
    ) -> None:
        """The authorize URL has state, scopes, the loopback redirect and an S256 challenge."""
        start = session.begin_login(REDIRECT)
        query = _query(start)
        assert query["state"] == start.state
        assert query["scope"] == SCOPES == "browse comment.post message user"
        assert query["redirect_uri"] == "http://127.0.0.1:8000/auth/callback"
        _complete(session, start, code="abcdefgh1")
        _code, verifier, _redirect = oauth.exchanged[0]
        assert query["code_challenge"] == code_challenge_s256(verifier)

    def test_verifier_is_43_to_128_unreserved_characters(
        self, session: AuthSession, oauth: FakeOAuth
    ) -> None:
        """The PKCE verifier sent at exchange has 43..128 unreserved characters."""
        _connect(session)
        _code, verifier, _redirect = oauth.exchanged[0]
        assert 43 <= len(verifier) <= 128
        assert set(verifier) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
        )

    def test_every_login_gets_its_own_state_nonce_and_verifier(self, session: AuthSession) -> None:
        """Two logins never share state, nonce or challenge."""
        first, second = session.begin_login(REDIRECT), session.begin_login(REDIRECT)
        assert first.state != second.state
        assert first.browser_nonce != second.browser_nonce
        assert _query(first)["code_challenge"] != _query(second)["code_challenge"]

    def test_without_client_id_explains_how_to_register(self, make_session: MakeSession) -> None:
        """No DA app configured: the error names the developers page and the redirect URI."""
        session = make_session(client_configured=False)
        with pytest.raises(ClientNotConfigured) as caught:
            session.begin_login(REDIRECT)
        assert "https://www.deviantart.com/developers/" in caught.value.message
        assert REDIRECT in caught.value.message

    def test_login_start_repr_hides_state_url_and_nonce(self, session: AuthSession) -> None:
        """The repr of a LoginStart shows none of its one-time values."""
        start = session.begin_login(REDIRECT)
        assert start.state not in repr(start)
        assert start.browser_nonce is not None
        assert start.browser_nonce not in repr(start)


class TestCompleteLogin:
    def test_stores_tokens_and_the_account_name(
        self, session: AuthSession, uow_factory: UnitOfWorkFactory
    ) -> None:
        """A valid callback stores the tokens with whoami's username and userid."""
        status = _complete(session, session.begin_login(REDIRECT))
        assert status.connected
        assert status.username == "inkling"
        token = _stored_token(uow_factory)
        assert (token.userid, token.username) == ("U-1", "inkling")

    @pytest.mark.parametrize(
        ("state", "nonce"),
        [(None, "ok"), ("not-a-known-state", "ok"), ("known", None), ("known", "wrong-nonce")],
        ids=["missing-state", "unknown-state", "missing-cookie", "wrong-cookie"],
    )
    def test_refuses_bad_state_or_cookie_without_token_request(
        self, session: AuthSession, oauth: FakeOAuth, state: str | None, nonce: str | None
    ) -> None:
        """Missing/unknown state or a missing/wrong browser nonce: LoginRejected, no exchange."""
        start = session.begin_login(REDIRECT)
        real_state = start.state if state == "known" else state
        real_nonce = start.browser_nonce if nonce == "ok" else nonce
        with pytest.raises(LoginRejected):
            session.complete_login(state=real_state, code="code-abc-1", browser_nonce=real_nonce)
        assert oauth.calls == []

    def test_a_state_works_once(self, session: AuthSession, oauth: FakeOAuth) -> None:
        """Replaying a used state is refused and makes no second exchange."""
        start = session.begin_login(REDIRECT)
        _complete(session, start)
        with pytest.raises(LoginRejected):
            _complete(session, start)
        assert oauth.calls == ["authorization_code"]

    def test_a_wrong_cookie_burns_the_state(self, session: AuthSession, oauth: FakeOAuth) -> None:
        """After a cookie mismatch, the same state is refused even with the right cookie."""
        start = session.begin_login(REDIRECT)
        with pytest.raises(LoginRejected):
            session.complete_login(state=start.state, code="code-abc-1", browser_nonce="x" * 43)
        with pytest.raises(LoginRejected):
            _complete(session, start)
        assert oauth.calls == []

    def test_an_expired_state_is_refused(
        self, session: AuthSession, oauth: FakeOAuth, clock: ManualClock
    ) -> None:
        """A state older than ten minutes is refused."""
        start = session.begin_login(REDIRECT)
        clock.advance(11 * 60)
        with pytest.raises(LoginRejected):
            _complete(session, start)
        assert oauth.calls == []

    def test_deviantart_error_param_is_refused_and_sanitised(
        self, session: AuthSession, oauth: FakeOAuth
    ) -> None:
        """error=access_denied is refused; the message keeps only a plain word."""
        start = session.begin_login(REDIRECT)
        with pytest.raises(LoginRejected) as caught:
            session.complete_login(
                state=start.state,
                code=None,
                browser_nonce=start.browser_nonce,
                error="access_denied<script>",
            )
        assert "access_deniedscript" in caught.value.message
        assert "<" not in caught.value.message
        assert oauth.calls == []

    def test_cli_login_needs_no_browser_nonce(self, session: AuthSession) -> None:
        """A login started without browser binding completes without a nonce."""
        start = session.begin_login(REDIRECT, bind_to_browser=False)
        status = session.complete_login(state=start.state, code="code-abc-1")
        assert status.connected

    def test_whoami_failure_still_connects(self, make_session: MakeSession) -> None:
        """If whoami fails the tokens stay stored; only the name is unknown."""

        def broken() -> DeviantArtUser:
            raise TransportFailed("could not reach DeviantArt (ConnectError)")

        session = make_session(whoami=broken)
        _connect(session)
        status = session.status()
        assert status.connected
        assert status.username is None

    def test_registers_code_verifier_and_tokens_as_secrets(
        self,
        connected: AuthSession,
        oauth: FakeOAuth,
        registered: list[str],
        uow_factory: UnitOfWorkFactory,
    ) -> None:
        """Code, verifier, access and refresh tokens all reach the redacting filter."""
        code, verifier, _redirect = oauth.exchanged[0]
        token = _stored_token(uow_factory)
        assert {code, verifier, token.access_token, token.refresh_token} <= set(registered)


class TestStatusAndLogout:
    def test_status_when_nothing_is_connected(self, session: AuthSession) -> None:
        """Fresh install: not connected, client configured."""
        status = session.status()
        assert not status.connected
        assert status.client_configured
        assert status.username is None

    def test_logout_revokes_then_forgets(
        self, connected: AuthSession, oauth: FakeOAuth, uow_factory: UnitOfWorkFactory
    ) -> None:
        """Logout revokes the refresh token at DeviantArt and deletes the row."""
        token = _stored_token(uow_factory)
        result = connected.logout()
        assert result.revoked
        assert oauth.revoked == [token.refresh_token]
        assert _stored_access(uow_factory) is None
        assert not connected.status().connected

    def test_logout_forgets_even_when_revoke_fails(
        self, connected: AuthSession, oauth: FakeOAuth, uow_factory: UnitOfWorkFactory
    ) -> None:
        """DeviantArt unreachable: the tokens are still forgotten locally."""
        oauth.fail_revoke = True
        result = connected.logout()
        assert result.was_connected
        assert not result.revoked
        assert _stored_access(uow_factory) is None

    def test_after_logout_user_tokens_are_refused(self, connected: AuthSession) -> None:
        """No account after logout: a USER token raises NotConnected."""
        connected.get_token(TokenKind.USER)
        connected.logout()
        with pytest.raises(NotConnected):
            connected.get_token(TokenKind.USER)


class TestUserToken:
    def test_not_connected_raises(self, session: AuthSession) -> None:
        """Without a connected account a USER token is NotConnected."""
        with pytest.raises(NotConnected):
            session.get_token(TokenKind.USER)

    def test_fresh_token_is_served_without_refresh(
        self, connected: AuthSession, oauth: FakeOAuth, uow_factory: UnitOfWorkFactory
    ) -> None:
        """A token far from expiry is used as is."""
        assert connected.get_token(TokenKind.USER) == _stored_access(uow_factory)
        assert oauth.calls == ["authorization_code"]

    def test_refreshes_five_minutes_ahead_of_expiry(
        self,
        connected: AuthSession,
        oauth: FakeOAuth,
        clock: ManualClock,
        uow_factory: UnitOfWorkFactory,
    ) -> None:
        """Within the margin, the token is refreshed and the rotated pair saved."""
        old = connected.get_token(TokenKind.USER)
        clock.advance(56 * 60)
        new = connected.get_token(TokenKind.USER)
        assert new != old
        assert oauth.calls == ["authorization_code", "refresh_token"]
        token = _stored_token(uow_factory)
        assert token.access_token == new
        assert token.refresh_token in oauth.live_refresh
        assert token.username == "inkling"

    def test_rejected_token_is_refreshed(self, connected: AuthSession, oauth: FakeOAuth) -> None:
        """refresh_token() with the current token as rejected refreshes once."""
        old = connected.get_token(TokenKind.USER)
        new = connected.refresh_token(TokenKind.USER, old)
        assert new != old
        assert oauth.calls.count("refresh_token") == 1

    def test_stale_rejection_reuses_a_token_someone_else_refreshed(
        self, connected: AuthSession, oauth: FakeOAuth, make_session: MakeSession
    ) -> None:
        """Another process already rotated the row: reuse it, no second refresh."""
        old = connected.get_token(TokenKind.USER)
        refreshed = make_session().refresh_token(TokenKind.USER, old)
        assert connected.refresh_token(TokenKind.USER, old) == refreshed
        assert oauth.calls.count("refresh_token") == 1

    def test_cache_is_reread_when_rejected(
        self, connected: AuthSession, make_session: MakeSession, uow_factory: UnitOfWorkFactory
    ) -> None:
        """A process with a cached token picks up another process's refresh on rejection."""
        cached = connected.get_token(TokenKind.USER)
        make_session().refresh_token(TokenKind.USER, cached)
        assert connected.get_token(TokenKind.USER) == cached  # still cached, not expired
        assert connected.refresh_token(TokenKind.USER, cached) == _stored_access(uow_factory)

    def test_rejected_refresh_token_requires_reauth(self, refresh_refused: AuthSession) -> None:
        """DeviantArt refuses the refresh token: ReauthRequired, and status says so."""
        with pytest.raises(ReauthRequired):
            refresh_refused.get_token(TokenKind.USER)
        assert refresh_refused.status().reauth_required

    def test_dead_refresh_token_is_not_retried(
        self, refresh_refused: AuthSession, oauth: FakeOAuth
    ) -> None:
        """Once refused, the same refresh token is not sent to DeviantArt again."""
        for _ in range(3):
            with pytest.raises(ReauthRequired):
                refresh_refused.get_token(TokenKind.USER)
        assert oauth.calls.count("refresh_token") == 1

    def test_relogin_clears_reauth(self, refresh_refused: AuthSession) -> None:
        """A new login after a refused refresh works again."""
        with pytest.raises(ReauthRequired):
            refresh_refused.get_token(TokenKind.USER)
        _connect(refresh_refused)
        assert not refresh_refused.status().reauth_required
        assert refresh_refused.get_token(TokenKind.USER)

    def test_still_valid_token_survives_a_refused_refresh(
        self, connected: AuthSession, oauth: FakeOAuth, clock: ManualClock
    ) -> None:
        """Inside the margin but not expired: the current token is still used."""
        current = connected.get_token(TokenKind.USER)
        oauth.live_refresh.clear()
        clock.advance(57 * 60)
        assert connected.get_token(TokenKind.USER) == current

    def test_transport_failure_during_refresh_keeps_the_row(
        self,
        connected: AuthSession,
        oauth: FakeOAuth,
        clock: ManualClock,
        uow_factory: UnitOfWorkFactory,
    ) -> None:
        """A refresh that never reached DeviantArt changes nothing and is not reauth."""
        before = _stored_access(uow_factory)
        oauth.fail_refresh_transport = True
        clock.advance(2 * 3600)
        with pytest.raises(TransportFailed):
            connected.get_token(TokenKind.USER)
        assert _stored_access(uow_factory) == before
        assert not connected.status().reauth_required


class TestClientToken:
    def test_the_apps_own_token_even_when_connected(
        self, connected: AuthSession, oauth: FakeOAuth
    ) -> None:
        """Connected: public endpoints still get a client-credentials token (the app's budget)."""
        client = connected.get_token(TokenKind.CLIENT)
        assert client != connected.get_token(TokenKind.USER)
        assert oauth.calls[-1] == "client_credentials"

    def test_client_credentials_when_not_connected_and_cached(
        self, session: AuthSession, oauth: FakeOAuth
    ) -> None:
        """Not connected: one client-credentials token, reused until it nears expiry."""
        first = session.get_token(TokenKind.CLIENT)
        assert session.get_token(TokenKind.CLIENT) == first
        assert oauth.calls == ["client_credentials"]

    def test_client_credentials_renewed_near_expiry(
        self, session: AuthSession, oauth: FakeOAuth, clock: ManualClock
    ) -> None:
        """Near expiry, a new client-credentials token is fetched."""
        first = session.get_token(TokenKind.CLIENT)
        clock.advance(58 * 60)
        assert session.get_token(TokenKind.CLIENT) != first
        assert oauth.calls == ["client_credentials", "client_credentials"]

    def test_rejected_client_token_is_replaced(
        self, session: AuthSession, oauth: FakeOAuth
    ) -> None:
        """A client token DeviantArt rejects is replaced by a new grant."""
        first = session.get_token(TokenKind.CLIENT)
        assert session.refresh_token(TokenKind.CLIENT, first) != first
        assert oauth.calls == ["client_credentials", "client_credentials"]

    def test_falls_back_to_client_credentials_after_reauth(
        self, refresh_refused: AuthSession, oauth: FakeOAuth
    ) -> None:
        """The user login died: the global feed still works with an app token."""
        token = refresh_refused.get_token(TokenKind.CLIENT)
        assert oauth.calls[-1] == "client_credentials"
        assert token.startswith("access-")

    def test_posting_never_uses_a_client_token(
        self, session: AuthSession, oauth: FakeOAuth
    ) -> None:
        """With only an app token around, a USER token is still NotConnected."""
        session.get_token(TokenKind.CLIENT)
        with pytest.raises(NotConnected):
            session.get_token(TokenKind.USER)


class TestWhoamiBinding:
    def test_bind_whoami_later(self, make_session: MakeSession) -> None:
        """The API client can be bound after the session is built."""
        session = make_session()
        session.bind_whoami(FakeWhoAmI(DeviantArtUser("U-9", "late")))
        _connect(session)
        assert session.status().username == "late"


def test_stored_token_expiry_is_reported(connected: AuthSession, clock: ManualClock) -> None:
    """Status reports when the access token expires."""
    status = connected.status()
    assert status.expires_at is not None
    assert status.expires_at - clock.now() == timedelta(hours=1)


class TestPendingLogins:
    def test_oldest_pending_login_is_dropped_beyond_the_cap(self, clock: ManualClock) -> None:
        """Past MAX_PENDING open logins, the oldest state stops working."""
        pending = PendingLogins()
        for i in range(MAX_PENDING + 1):
            pending.add(PendingLogin(f"state-{i}", "v" * 43, REDIRECT, clock.now()))
            clock.advance(1)
        assert len(pending) == MAX_PENDING
        assert pending.take("state-0", clock.now()) is None
        assert pending.take(f"state-{MAX_PENDING}", clock.now()) is not None

    def test_repr_shows_no_state_or_verifier(self, clock: ManualClock) -> None:
        """A pending login's repr holds neither its state nor its verifier."""
        login = PendingLogin("state-secret-1", "verifier-secret-" * 3, REDIRECT, clock.now())
        assert "state-secret-1" not in repr(login)
        assert "verifier-secret" not in repr(login)
