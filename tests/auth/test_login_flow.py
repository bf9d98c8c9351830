"""The browser login through the real routes, the real client and the sandbox's OAuth."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from auth.webapp import APP_URL, TestClient, app_container, browser_on
from photomanager.api.routes.auth import NONCE_COOKIE
from photomanager.bootstrap import Container
from photomanager.sandbox import ManualClock, Sandbox


@pytest.fixture
def container(
    tmp_path: Path, sandbox: Sandbox, sandbox_clock: ManualClock, sqlite_template: Path
) -> Iterator[Container]:
    """The real services on the sandbox; no account connected yet."""
    with app_container(tmp_path, sandbox, sandbox_clock, template_db=sqlite_template) as built:
        yield built


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    """The artist's browser on the real app (cookies kept between requests)."""
    with browser_on(container) as client:
        yield client


@pytest.fixture
def deviantart(sandbox_transport: httpx.BaseTransport) -> Iterator[httpx.Client]:
    """The artist's browser on DeviantArt's site (the sandbox)."""
    with httpx.Client(transport=sandbox_transport) as client:
        yield client


def _authorize(browser: TestClient, deviantart: httpx.Client) -> str:
    """Click Connect and approve at DeviantArt; returns the callback URL (path + query)."""
    login = browser.get("/auth/login", follow_redirects=False)
    assert login.status_code == 302
    approved = deviantart.get(login.headers["location"], follow_redirects=False)
    assert approved.status_code in (302, 303)
    callback = urlsplit(approved.headers["location"])
    assert f"{callback.scheme}://{callback.netloc}" == APP_URL
    return f"{callback.path}?{callback.query}"


def _with_state(callback: str, state: str | None) -> str:
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if state is None:
        query.pop("state")
    else:
        query["state"] = state
    return parts.path + "?" + "&".join(f"{k}={v}" for k, v in query.items())


class TestLoginRoundTrip:
    def test_connects_the_sandbox_artist(
        self, browser: TestClient, deviantart: httpx.Client, sandbox: Sandbox
    ) -> None:
        """Login -> DeviantArt approves -> callback -> redirect to / showing the username."""
        done = browser.get(_authorize(browser, deviantart), follow_redirects=False)
        assert done.status_code == 303
        assert done.headers["location"] == "/"
        assert browser.get("/").status_code == 200  # the page, which reads the status below
        status = browser.get("/api/auth/status").json()
        assert status["connected"] is True
        assert status["username"] == sandbox.artist.username
        assert sandbox.ledger.token_calls("authorization_code") == 1

    def test_login_redirect_is_pkce_s256_with_our_scopes(
        self, browser: TestClient, sandbox: Sandbox
    ) -> None:
        """The 302 goes to /oauth2/authorize with S256, the scopes and the loopback URI."""
        login = browser.get("/auth/login", follow_redirects=False)
        url = urlsplit(login.headers["location"])
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert url.path == "/oauth2/authorize"
        assert query["code_challenge_method"] == "S256"
        assert len(query["code_challenge"]) == 43
        assert query["scope"] == "browse comment.post message user"
        assert query["redirect_uri"] == "http://127.0.0.1:8000/auth/callback"
        assert query["client_id"] == sandbox.client_id

    def test_status_before_login(self, browser: TestClient) -> None:
        """Before login the status says not connected, in sandbox mode, with the redirect URI."""
        status = browser.get("/api/auth/status").json()
        assert status["connected"] is False
        assert status["reason"] == "not connected"
        assert status["sandbox"] is True
        assert status["client_configured"] is True
        assert status["redirect_uri"] == "http://127.0.0.1:8000/auth/callback"

    def test_state_cookie_is_httponly_and_lax(self, browser: TestClient) -> None:
        """The browser-binding cookie is HttpOnly and SameSite=Lax."""
        login = browser.get("/auth/login", follow_redirects=False)
        cookie = login.headers["set-cookie"].lower()
        assert cookie.startswith(NONCE_COOKIE)
        assert "httponly" in cookie
        assert "samesite=lax" in cookie

    def test_other_hostname_is_sent_to_the_loopback_ip_first(self, container: Container) -> None:
        """Opened as localhost, login first moves to 127.0.0.1 so the cookie matches."""
        with browser_on(container, "http://localhost:8000") as client:
            login = client.get("/auth/login", follow_redirects=False)
        assert login.status_code == 302
        assert login.headers["location"] == "http://127.0.0.1:8000/auth/login"

    def test_status_never_holds_a_token(
        self, browser: TestClient, deviantart: httpx.Client, container: Container
    ) -> None:
        """The status body has no token, only who and until when."""
        browser.get(_authorize(browser, deviantart), follow_redirects=False)
        body = browser.get("/api/auth/status").text
        token = container.auth.tokens.stored()
        assert token is not None
        assert token.access_token not in body
        assert token.refresh_token is not None
        assert token.refresh_token not in body


class TestCallbackRefusals:
    def test_missing_state(
        self, browser: TestClient, deviantart: httpx.Client, sandbox: Sandbox
    ) -> None:
        """No state: 400, no token request."""
        response = browser.get(_with_state(_authorize(browser, deviantart), None))
        assert response.status_code == 400
        assert response.json()["error"] == "login_rejected"
        assert sandbox.ledger.token_calls() == 0

    def test_mismatched_state(
        self, browser: TestClient, deviantart: httpx.Client, sandbox: Sandbox
    ) -> None:
        """A state we never issued: 400, no token request."""
        response = browser.get(_with_state(_authorize(browser, deviantart), "forged-state-000"))
        assert response.status_code == 400
        assert sandbox.ledger.token_calls() == 0

    def test_replayed_state(
        self, browser: TestClient, deviantart: httpx.Client, sandbox: Sandbox
    ) -> None:
        """The same callback twice: the second is 400 and makes no token request."""
        callback = _authorize(browser, deviantart)
        assert browser.get(callback, follow_redirects=False).status_code == 303
        browser.cookies.clear()
        login_again = browser.get("/auth/login", follow_redirects=False)
        assert login_again.status_code == 302  # a fresh cookie, but the old state is spent
        response = browser.get(callback)
        assert response.status_code == 400
        assert sandbox.ledger.token_calls() == 1

    def test_wrong_cookie(
        self, browser: TestClient, deviantart: httpx.Client, sandbox: Sandbox
    ) -> None:
        """The state came back to another browser (other cookie): 400, no token request."""
        callback = _authorize(browser, deviantart)
        browser.cookies.clear()
        browser.cookies.set(NONCE_COOKIE, "someone-elses-nonce-value", path="/auth")
        response = browser.get(callback)
        assert response.status_code == 400
        assert sandbox.ledger.token_calls() == 0

    def test_missing_cookie(
        self, browser: TestClient, deviantart: httpx.Client, sandbox: Sandbox
    ) -> None:
        """A callback without the cookie (cross-site start): 400, no token request."""
        callback = _authorize(browser, deviantart)
        browser.cookies.clear()
        assert browser.get(callback).status_code == 400
        assert sandbox.ledger.token_calls() == 0

    def test_denied_at_deviantart(
        self, browser: TestClient, deviantart: httpx.Client, sandbox: Sandbox
    ) -> None:
        """DeviantArt redirects with error=access_denied: 400 naming it, no token request."""
        sandbox.faults.deny_authorization = True
        response = browser.get(_authorize(browser, deviantart))
        assert response.status_code == 400
        assert "access_denied" in response.json()["message"]
        assert sandbox.ledger.token_calls() == 0

    def test_browser_gets_a_small_page(self, browser: TestClient, deviantart: httpx.Client) -> None:
        """A browser (Accept: text/html) sees a plain page rather than JSON."""
        callback = _with_state(_authorize(browser, deviantart), "forged-state-000")
        response = browser.get(callback, headers={"Accept": "text/html"})
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("text/html")
        assert "start again" in response.text


class TestClientNotConfigured:
    def test_login_explains_how_to_register(
        self, tmp_path: Path, sandbox_clock: ManualClock, sqlite_template: Path
    ) -> None:
        """Without a DA app, /auth/login answers how to register it (no redirect)."""
        with (
            app_container(tmp_path, None, sandbox_clock, template_db=sqlite_template) as bare,
            browser_on(bare) as client,
        ):
            response = client.get("/auth/login", follow_redirects=False)
            status = client.get("/api/auth/status").json()
        assert response.status_code == 409
        assert response.json()["error"] == "client_not_configured"
        assert "https://www.deviantart.com/developers/" in response.json()["message"]
        assert "http://127.0.0.1:8000/auth/callback" in response.json()["message"]
        assert status["client_configured"] is False
        assert status["redirect_uri"] == "http://127.0.0.1:8000/auth/callback"


class TestLogout:
    def test_logout_revokes_at_deviantart_and_forgets(
        self, browser: TestClient, deviantart: httpx.Client, sandbox: Sandbox
    ) -> None:
        """POST /api/auth/logout revokes at the sandbox and status says disconnected."""
        browser.get(_authorize(browser, deviantart), follow_redirects=False)
        response = browser.post("/api/auth/logout", json={})
        assert response.status_code == 200
        assert response.json()["revoked"] is True
        assert response.json()["status"]["connected"] is False
        assert [r.endpoint for r in sandbox.ledger.requests("revoke")] == ["revoke"]
