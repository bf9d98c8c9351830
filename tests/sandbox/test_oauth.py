"""OAuth 2.1 as DeviantArt runs it: PKCE S256, exact redirects, single-use codes,
refresh rotation, expiry on the sandbox clock, client credentials, revocation."""

from __future__ import annotations

import base64
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from photomanager.sandbox import ManualClock, Sandbox, s256

REDIRECT = "http://127.0.0.1:8000/auth/callback"
API = "/api/v1/oauth2"


def _authorize(http: httpx.Client, **overrides: str | None) -> httpx.Response:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": "sandbox-client",
        "redirect_uri": REDIRECT,
        "scope": "browse comment.post user",
        "state": "st-123",
        "code_challenge": s256("v" * 64),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return http.get("/oauth2/authorize", params={k: v for k, v in params.items() if v is not None})


def _redirect_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def _exchange(
    http: httpx.Client, code: str, verifier: str = "v" * 64, redirect_uri: str = REDIRECT
) -> httpx.Response:
    return http.post(
        "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": redirect_uri,
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
        },
    )


def _refresh(http: httpx.Client, refresh_token: str) -> httpx.Response:
    return http.post(
        "/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
        },
    )


def _whoami(http: httpx.Client, access_token: str) -> httpx.Response:
    return http.get(f"{API}/user/whoami", headers={"Authorization": f"Bearer {access_token}"})


class TestAuthorize:
    def test_approves_at_once_with_code_and_echoed_state(self, http: httpx.Client) -> None:
        """A valid request redirects to the exact redirect URI with a code and the state."""
        params = _redirect_params(_authorize(http))
        assert params["state"] == "st-123"
        assert params["code"]

    @pytest.mark.parametrize(
        ("overrides", "error"),
        [
            ({"code_challenge": None}, "invalid_request"),
            ({"code_challenge_method": None}, "invalid_request"),
            ({"code_challenge_method": "plain"}, "invalid_request"),
            ({"code_challenge": "too-short"}, "invalid_request"),
            ({"response_type": "token"}, "unsupported_response_type"),
            ({"scope": "browse teleport"}, "invalid_scope"),
        ],
    )
    def test_bad_requests_redirect_an_error_with_state(
        self, http: httpx.Client, overrides: dict[str, str | None], error: str
    ) -> None:
        """Missing or plain PKCE and other faults come back as an error redirect with state."""
        params = _redirect_params(_authorize(http, **overrides))
        assert (params["error"], params["state"]) == (error, "st-123")
        assert "code" not in params

    @pytest.mark.parametrize(
        "redirect_uri",
        [REDIRECT + "/", REDIRECT + "?x=1", "http://127.0.0.1:8000/auth/callbacK", None],
    )
    def test_redirect_uri_must_match_exactly(
        self, http: httpx.Client, redirect_uri: str | None
    ) -> None:
        """A redirect URI that is not registered byte for byte gets a 400, never a redirect."""
        response = _authorize(http, redirect_uri=redirect_uri)
        assert response.status_code == 400
        assert "location" not in response.headers

    def test_unknown_client_gets_400(self, http: httpx.Client) -> None:
        """An unknown client_id is refused without redirecting."""
        assert _authorize(http, client_id="someone-else").status_code == 400

    def test_registered_redirect_uri_is_accepted(
        self, sandbox: Sandbox, http: httpx.Client
    ) -> None:
        """register_redirect_uri() adds one more exact URI."""
        sandbox.register_redirect_uri("http://localhost:9999/cb")
        response = _authorize(http, redirect_uri="http://localhost:9999/cb")
        assert response.headers["location"].startswith("http://localhost:9999/cb?code=")

    def test_denied_authorization_redirects_access_denied(
        self, sandbox: Sandbox, http: httpx.Client
    ) -> None:
        """With the deny fault the artist 'clicks deny'."""
        sandbox.faults.deny_authorization = True
        assert _redirect_params(_authorize(http))["error"] == "access_denied"


class TestCodeExchange:
    def test_code_and_verifier_give_user_tokens(self, sandbox: Sandbox, http: httpx.Client) -> None:
        """The right verifier turns the code into tokens that act as the artist."""
        code = _redirect_params(_authorize(http))["code"]
        body = _exchange(http, code).json()
        assert body["scope"].split() == sorted(["basic", "browse", "comment.post", "user"])
        assert _whoami(http, body["access_token"]).json()["userid"] == sandbox.artist.userid

    def test_wrong_verifier_is_invalid_grant(self, http: httpx.Client) -> None:
        """A verifier that does not hash to the challenge is refused."""
        code = _redirect_params(_authorize(http))["code"]
        response = _exchange(http, code, verifier="w" * 64)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")

    def test_redirect_uri_must_match_the_authorize_one(
        self, sandbox: Sandbox, http: httpx.Client
    ) -> None:
        """Exchanging with another (even registered) redirect URI is refused."""
        sandbox.register_redirect_uri("http://localhost:9999/cb")
        code = _redirect_params(_authorize(http))["code"]
        response = _exchange(http, code, redirect_uri="http://localhost:9999/cb")
        assert response.json()["error"] == "invalid_grant"

    def test_code_is_single_use_and_replay_revokes_its_tokens(self, http: httpx.Client) -> None:
        """A replayed code is refused and the tokens it produced stop working."""
        code = _redirect_params(_authorize(http))["code"]
        first = _exchange(http, code).json()
        replay = _exchange(http, code)
        assert replay.json()["error"] == "invalid_grant"
        assert _whoami(http, first["access_token"]).status_code == 401

    def test_code_expires_on_the_sandbox_clock(
        self, http: httpx.Client, sandbox_clock: ManualClock
    ) -> None:
        """A code older than ten minutes is refused."""
        code = _redirect_params(_authorize(http))["code"]
        sandbox_clock.advance(601)
        assert _exchange(http, code).json()["error"] == "invalid_grant"


class TestClientAuthentication:
    def test_http_basic_is_accepted(self, http: httpx.Client) -> None:
        """client_id and secret may come as HTTP Basic instead of form fields."""
        response = http.post(
            "/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=("sandbox-client", "sandbox-secret"),
        )
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "auth",
        [
            {"client_id": "sandbox-client", "client_secret": "wrong"},
            {"client_id": "sandbox-client"},
            {"client_id": "nobody", "client_secret": "sandbox-secret"},
        ],
    )
    def test_bad_client_credentials_are_invalid_client(
        self, http: httpx.Client, auth: dict[str, str]
    ) -> None:
        """A wrong or missing secret or unknown client gets 401 invalid_client."""
        response = http.post("/oauth2/token", data={"grant_type": "client_credentials", **auth})
        assert (response.status_code, response.json()["error"]) == (401, "invalid_client")

    def test_malformed_basic_header_is_invalid_client(self, http: httpx.Client) -> None:
        """A Basic header that is not base64 is refused, not crashed on."""
        response = http.post(
            "/oauth2/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": "Basic !!!not-base64"},
        )
        assert response.status_code == 401

    def test_secret_never_appears_in_the_error(self, http: httpx.Client) -> None:
        """Error bodies never echo a presented secret."""
        secret = base64.b64encode(b"sandbox-client:hunter2-secret").decode()
        response = http.post(
            "/oauth2/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {secret}"},
        )
        assert "hunter2" not in response.text

    def test_unknown_grant_type_is_refused(self, http: httpx.Client) -> None:
        """An unknown grant_type gets unsupported_grant_type."""
        response = http.post(
            "/oauth2/token",
            data={"grant_type": "password"},
            auth=("sandbox-client", "sandbox-secret"),
        )
        assert response.json()["error"] == "unsupported_grant_type"


class TestRefresh:
    def test_refresh_rotates_the_refresh_token(self, sandbox: Sandbox, http: httpx.Client) -> None:
        """A refresh answers a new refresh token; the old one is dead afterwards."""
        old = sandbox.issue_user_token().refresh_token
        assert old is not None
        new = _refresh(http, old).json()
        assert new["refresh_token"] != old
        assert _refresh(http, old).json()["error"] == "invalid_grant"
        assert _refresh(http, new["refresh_token"]).status_code == 200

    def test_access_token_expires_on_the_sandbox_clock(
        self, sandbox: Sandbox, http: httpx.Client, sandbox_clock: ManualClock
    ) -> None:
        """After expires_in seconds of sandbox time the token gets 401 invalid_token."""
        token = sandbox.issue_user_token()
        sandbox_clock.advance(3599)
        assert _whoami(http, token.access_token).status_code == 200
        sandbox_clock.advance(1)
        response = _whoami(http, token.access_token)
        assert (response.status_code, response.json()["error"]) == (401, "invalid_token")

    def test_refresh_after_expiry_gives_a_working_token(
        self, sandbox: Sandbox, http: httpx.Client, sandbox_clock: ManualClock
    ) -> None:
        """An expired access token is cured by a refresh."""
        token = sandbox.issue_user_token()
        sandbox_clock.advance(7200)
        assert token.refresh_token is not None
        fresh = _refresh(http, token.refresh_token).json()
        assert _whoami(http, fresh["access_token"]).status_code == 200

    def test_expire_all_tokens_keeps_refresh_working(
        self, sandbox: Sandbox, http: httpx.Client
    ) -> None:
        """expire_all_tokens() kills access tokens but not refresh tokens."""
        token = sandbox.issue_user_token()
        sandbox.expire_all_tokens()
        assert token.refresh_token is not None
        assert _whoami(http, token.access_token).status_code == 401
        assert _refresh(http, token.refresh_token).status_code == 200


class TestClientCredentials:
    def test_client_token_reads_the_public_endpoints(
        self, sandbox: Sandbox, app_api: httpx.Client
    ) -> None:
        """A client-credentials token reads the tag feed, metadata and comment threads."""
        some = sandbox.deviation_ids()[0]
        responses = [
            app_api.get("/browse/tags", params={"tag": "watercolor"}),
            app_api.get("/deviation/metadata", params={"deviationids[]": some}),
            app_api.get(f"/comments/deviation/{some}"),
        ]
        assert [r.status_code for r in responses] == [200, 200, 200]

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/browse/deviantsyouwatch"),
            ("GET", "/browse/home"),
            ("GET", "/user/whoami"),
            ("POST", "/comments/post/deviation/00000000-0000-4000-8000-000000000000"),
        ],
    )
    def test_client_token_is_refused_on_user_endpoints(
        self, app_api: httpx.Client, method: str, path: str
    ) -> None:
        """User endpoints answer a client token with 401 invalid_token, as DeviantArt does."""
        response = app_api.request(method, path, data={"body": "x"} if method == "POST" else None)
        assert (response.status_code, response.json()["error"]) == (401, "invalid_token")

    def test_client_credentials_have_no_refresh_token(self, http: httpx.Client) -> None:
        """The client-credentials answer carries no refresh token."""
        body = http.post(
            "/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=("sandbox-client", "sandbox-secret"),
        ).json()
        assert "refresh_token" not in body
        assert body["token_type"] == "Bearer"


class TestBearerTokens:
    def test_token_in_query_string_is_rejected(self, sandbox: Sandbox, http: httpx.Client) -> None:
        """A valid token sent as ?access_token= is refused."""
        token = sandbox.issue_user_token().access_token
        response = http.get(f"{API}/placebo", params={"access_token": token})
        assert (response.status_code, response.json()["error"]) == (400, "invalid_request")

    def test_token_in_post_body_is_accepted(self, sandbox: Sandbox, http: httpx.Client) -> None:
        """A POST may carry the token as the access_token form field."""
        token = sandbox.issue_user_token().access_token
        target = sandbox.deviation_ids(commentable=True)[0]
        response = http.post(
            f"{API}/comments/post/deviation/{target}",
            data={"body": "hello", "access_token": token},
        )
        assert response.status_code == 200

    def test_missing_and_unknown_tokens_are_401(self, http: httpx.Client) -> None:
        """No token or a made-up one answers 401 invalid_token."""
        missing = http.get(f"{API}/placebo")
        unknown = http.get(
            f"{API}/placebo", headers={"Authorization": "Bearer " + secrets.token_hex(8)}
        )
        assert [missing.status_code, unknown.status_code] == [401, 401]
        assert {missing.json()["error"], unknown.json()["error"]} == {"invalid_token"}

    def test_missing_scope_is_403_insufficient_scope(
        self, sandbox: Sandbox, http: httpx.Client
    ) -> None:
        """A user token without comment.post cannot post and is told which scope it lacks."""
        token = sandbox.issue_user_token(scope="browse user").access_token
        target = sandbox.deviation_ids(commentable=True)[0]
        response = http.post(
            f"{API}/comments/post/deviation/{target}",
            data={"body": "hello"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 403
        assert (response.json()["error"], response.json()["scope"]) == (
            "insufficient_scope",
            "comment.post",
        )
        assert sandbox.ledger.all_comments() == []


class TestRevoke:
    def test_revoking_an_access_token_kills_its_refresh_token(
        self, sandbox: Sandbox, http: httpx.Client
    ) -> None:
        """POST /oauth2/revoke revokes the whole grant."""
        token = sandbox.issue_user_token()
        assert http.post("/oauth2/revoke", data={"token": token.access_token}).json() == {
            "success": True,
            "status": "success",
        }
        assert token.refresh_token is not None
        assert _whoami(http, token.access_token).status_code == 401
        assert _refresh(http, token.refresh_token).json()["error"] == "invalid_grant"

    def test_revoke_refresh_only_keeps_the_access_token(
        self, sandbox: Sandbox, http: httpx.Client
    ) -> None:
        """revoke_refresh_only=true leaves the access token working."""
        token = sandbox.issue_user_token()
        assert token.refresh_token is not None
        http.post(
            "/oauth2/revoke", data={"token": token.refresh_token, "revoke_refresh_only": "true"}
        )
        assert _whoami(http, token.access_token).status_code == 200
        assert _refresh(http, token.refresh_token).status_code == 400
