"""PKCE helpers and `DeviantArtOAuth` over the single requester."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from deviantart.da_doubles import (
    BASE_URL,
    FROZEN_NOW,
    FrozenClock,
    Harness,
    error_response,
    json_response,
)
from photomanager.deviantart.oauth import (
    DeviantArtOAuth,
)
from photomanager.domain.errors import InvalidInput, OutcomeUnknown, ReauthRequired
from photomanager.domain.pkce import code_challenge_s256, make_code_verifier

UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]+")
CLIENT_SECRET = "app-client-secret-0123456789"


def _oauth(harness: Harness, secret: str | None = CLIENT_SECRET) -> DeviantArtOAuth:
    return DeviantArtOAuth(
        harness.make(), client_id="1234", client_secret=secret, clock=FrozenClock()
    )


def _token_body(**extra: object) -> dict[str, object]:
    return {
        "access_token": "fresh-access-token-abcdef",
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": "fresh-refresh-token-abcdef",
        "scope": "browse comment.post user",
        "status": "success",
        **extra,
    }


class TestPkce:
    def test_verifier_length_and_charset(self) -> None:
        """Verifiers are 43-128 characters from RFC 7636's unreserved set."""
        for length in (43, 64, 128):
            verifier = make_code_verifier(length)
            assert len(verifier) == length
            assert UNRESERVED.fullmatch(verifier)

    def test_verifiers_are_fresh(self) -> None:
        """Two verifiers are never the same."""
        assert make_code_verifier() != make_code_verifier()

    @pytest.mark.parametrize("length", [42, 129])
    def test_out_of_range_length_is_refused(self, length: int) -> None:
        """A verifier length outside 43..128 is a programming error."""
        with pytest.raises(ValueError, match="43 to 128"):
            make_code_verifier(length)

    def test_s256_matches_rfc7636_appendix_b(self) -> None:
        """The S256 challenge of RFC 7636's example verifier is the documented value."""
        verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        assert code_challenge_s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    def test_s256_refuses_an_invalid_verifier(self) -> None:
        """A too-short or non-unreserved verifier is refused."""
        with pytest.raises(ValueError, match="verifier"):
            code_challenge_s256("short")
        with pytest.raises(ValueError, match="verifier"):
            code_challenge_s256("x" * 42 + " ")


class TestAuthorizeUrl:
    def test_carries_every_pkce_parameter(self, harness: Harness) -> None:
        """The authorize URL asks for a code with an S256 challenge, state and scope."""
        url = _oauth(harness).authorize_url(
            state="st4te",
            code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            redirect_uri="http://127.0.0.1:8000/auth/callback",
            scope="browse comment.post user",
        )
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{BASE_URL}/oauth2/authorize"
        assert parse_qs(parts.query) == {
            "response_type": ["code"],
            "client_id": ["1234"],
            "redirect_uri": ["http://127.0.0.1:8000/auth/callback"],
            "scope": ["browse comment.post user"],
            "state": ["st4te"],
            "code_challenge": ["E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"],
            "code_challenge_method": ["S256"],
        }
        assert CLIENT_SECRET not in url


class TestTokenGrants:
    def test_exchange_code_posts_the_verifier_and_returns_a_token(self, harness: Harness) -> None:
        """The code grant sends code, verifier and redirect_uri; expires_at = now + expires_in."""
        harness.server.reply(json_response(200, _token_body()))
        token = _oauth(harness).exchange_code(
            code="the-code-123456", code_verifier="v" * 43, redirect_uri="http://x/cb"
        )
        assert harness.server.form() == {
            "grant_type": "authorization_code",
            "client_id": "1234",
            "client_secret": CLIENT_SECRET,
            "code": "the-code-123456",
            "code_verifier": "v" * 43,
            "redirect_uri": "http://x/cb",
        }
        assert token.access_token == "fresh-access-token-abcdef"
        assert token.refresh_token == "fresh-refresh-token-abcdef"
        assert token.expires_at == FROZEN_NOW + timedelta(hours=1)
        assert token.scope == "browse comment.post user"

    def test_public_client_sends_no_secret(self, harness: Harness) -> None:
        """Without a client secret (public client), the form has only the client id."""
        harness.server.reply(json_response(200, _token_body()))
        _oauth(harness, secret=None).exchange_code(
            code="c0de-abcdef", code_verifier="v" * 43, redirect_uri="http://x/cb"
        )
        assert "client_secret" not in harness.server.form()

    def test_refresh_returns_the_rotated_refresh_token(self, harness: Harness) -> None:
        """A refresh returns DeviantArt's new refresh token, not the old one."""
        harness.server.reply(json_response(200, _token_body()))
        token = _oauth(harness).refresh("old-refresh-token-abcdef")
        assert harness.server.form()["grant_type"] == "refresh_token"
        assert harness.server.form()["refresh_token"] == "old-refresh-token-abcdef"
        assert token.refresh_token == "fresh-refresh-token-abcdef"

    def test_refresh_without_rotation_keeps_the_old_token(self, harness: Harness) -> None:
        """When DeviantArt sends no new refresh token, the old one is kept."""
        body = _token_body()
        del body["refresh_token"]
        harness.server.reply(json_response(200, body))
        assert _oauth(harness).refresh("old-refresh-abcdef").refresh_token == "old-refresh-abcdef"

    @pytest.mark.parametrize("status", [400, 401])
    def test_refused_refresh_requires_reauth(self, harness: Harness, status: int) -> None:
        """A refresh token DeviantArt refuses means: reconnect the account."""
        harness.server.reply(error_response(status, "invalid_grant", "refresh token expired"))
        with pytest.raises(ReauthRequired):
            _oauth(harness).refresh("old-refresh-abcdef")

    def test_lost_refresh_answer_is_outcome_unknown(self, harness: Harness) -> None:
        """A refresh whose answer was lost is not replayed (the token may have rotated)."""
        harness.server.reply(httpx.ReadTimeout("slow"))
        with pytest.raises(OutcomeUnknown):
            _oauth(harness).refresh("old-refresh-abcdef")
        assert len(harness.server.requests) == 1

    def test_client_credentials(self, harness: Harness) -> None:
        """The client-credentials grant authenticates with id and secret; no refresh token."""
        body = _token_body()
        del body["refresh_token"]
        harness.server.reply(json_response(200, body))
        token = _oauth(harness).client_credentials()
        assert harness.server.form() == {
            "grant_type": "client_credentials",
            "client_id": "1234",
            "client_secret": CLIENT_SECRET,
        }
        assert token.refresh_token is None

    def test_client_credentials_need_a_secret(self, harness: Harness) -> None:
        """A public client cannot use the client-credentials grant."""
        with pytest.raises(InvalidInput):
            _oauth(harness, secret=None).client_credentials()
        assert harness.server.requests == []

    @pytest.mark.parametrize("expires_in", [None, "soon", True, float("nan"), -5])
    def test_odd_expires_in_is_tolerated(self, harness: Harness, expires_in: object) -> None:
        """A missing or odd expires_in falls back to an hour, a negative one to now."""
        harness.server.reply(json_response(200, _token_body(expires_in=expires_in)))
        token = _oauth(harness).client_credentials()
        expected = FROZEN_NOW if expires_in == -5 else FROZEN_NOW + timedelta(hours=1)
        assert token.expires_at == expected

    def test_revoke_posts_the_token(self, harness: Harness) -> None:
        """revoke() posts the token to /oauth2/revoke."""
        harness.server.reply(json_response(200, {"status": "success"}))
        _oauth(harness).revoke("access-to-revoke-abcdef")
        assert str(harness.server.requests[0].url) == f"{BASE_URL}/oauth2/revoke"
        assert harness.server.form()["token"] == "access-to-revoke-abcdef"

    def test_repr_hides_the_secret(self, harness: Harness) -> None:
        """The client secret never shows in a repr."""
        assert CLIENT_SECRET not in repr(_oauth(harness))
