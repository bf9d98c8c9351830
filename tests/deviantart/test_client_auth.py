"""`DeviantArtHttpClient`: the bearer header, one refresh and replay, and secrets kept out."""

from __future__ import annotations

import logging

import httpx
import pytest

from deviantart.da_doubles import (
    BASE_URL,
    CLIENT_TOKEN,
    USER_TOKEN,
    Harness,
    error_response,
    json_response,
)
from photomanager.domain.errors import (
    DeviantArtError,
    InsufficientScope,
    InvalidInput,
    InvalidToken,
    NotConnected,
)
from photomanager.domain.models import TokenKind

OK = {"status": "success"}


class TestBearerHeader:
    def test_user_token_goes_in_the_authorization_header(self, harness: Harness) -> None:
        """A GET carries `Authorization: Bearer <user token>` to the API prefix."""
        harness.server.reply(json_response(200, OK))
        harness.make().get("browse/tags", {"offset": 0, "mature_content": False})

        request = harness.server.requests[0]
        assert request.headers["Authorization"] == f"Bearer {USER_TOKEN}"
        assert str(request.url) == (
            f"{BASE_URL}/api/v1/oauth2/browse/tags?offset=0&mature_content=false"
        )

    def test_client_token_kind_uses_the_client_token(self, harness: Harness) -> None:
        """token_kind=CLIENT sends the client-credentials token."""
        harness.server.reply(json_response(200, OK))
        harness.make().get("browse/tags", token_kind=TokenKind.CLIENT)
        assert harness.server.requests[0].headers["Authorization"] == f"Bearer {CLIENT_TOKEN}"

    def test_post_sends_a_form_body(self, harness: Harness) -> None:
        """post() sends form-encoded fields and the bearer header."""
        harness.server.reply(json_response(200, OK))
        harness.make().post("comments/post/deviation/ABC", {"body": "Lovely colours!"})

        request = harness.server.requests[0]
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert harness.server.form() == {"body": "Lovely colours!"}

    def test_token_params_are_refused(self, harness: Harness) -> None:
        """A token in the query string is refused before any request is sent."""
        with pytest.raises(InvalidInput):
            harness.make().get("placebo", {"access_token": USER_TOKEN})
        assert harness.server.requests == []

    @pytest.mark.parametrize("path", ["../oauth2/token", "https://evil.test/x", "a?b=c", ""])
    def test_paths_cannot_escape_the_api_prefix(self, harness: Harness, path: str) -> None:
        """Relative escapes, absolute URLs and embedded queries are refused."""
        with pytest.raises(InvalidInput):
            harness.make().get(path)
        assert harness.server.requests == []

    def test_without_a_token_provider_nothing_is_sent(self, harness: Harness) -> None:
        """An API call with no provider raises NotConnected."""
        client = harness.make()
        client.token_provider = None
        with pytest.raises(NotConnected):
            client.get("placebo")
        assert harness.server.requests == []

    def test_oauth_calls_carry_no_bearer(self, harness: Harness) -> None:
        """oauth_token posts the form to /oauth2/token without an Authorization header."""
        harness.server.reply(json_response(200, {"access_token": "new-access-token-123456"}))
        harness.make().oauth_token({"grant_type": "client_credentials", "client_id": "42"})

        request = harness.server.requests[0]
        assert str(request.url) == f"{BASE_URL}/oauth2/token"
        assert "Authorization" not in request.headers
        assert harness.server.form() == {"grant_type": "client_credentials", "client_id": "42"}


class TestRefreshAndReplay:
    def test_401_invalid_token_refreshes_once_and_replays(self, harness: Harness) -> None:
        """One refresh through the provider, then the same request with the new token."""
        harness.server.reply(
            error_response(401, "invalid_token", "Expired oAuth2 user token."),
            json_response(200, OK),
        )
        assert harness.make().get("placebo") == OK

        assert harness.tokens.refreshes == [(TokenKind.USER, USER_TOKEN)]
        first, second = harness.server.requests
        assert first.headers["Authorization"] == f"Bearer {USER_TOKEN}"
        assert second.headers["Authorization"] == f"Bearer {harness.tokens.tokens[TokenKind.USER]}"
        assert second.url == first.url

    def test_second_401_raises_invalid_token(self, harness: Harness) -> None:
        """A 401 after the replay is final: InvalidToken, still only one refresh."""
        harness.server.reply(
            error_response(401, "invalid_token"), error_response(401, "invalid_token")
        )
        with pytest.raises(InvalidToken):
            harness.make().get("placebo")
        assert len(harness.tokens.refreshes) == 1
        assert len(harness.server.requests) == 2

    def test_401_on_post_replays_the_post_once(self, harness: Harness) -> None:
        """A POST refused for its token did not land: it is replayed once with the new token."""
        harness.server.reply(error_response(401, "invalid_token"), json_response(200, OK))
        harness.make().post("comments/post/deviation/ABC", {"body": "hi"})
        assert harness.server.methods() == ["POST", "POST"]
        assert harness.tokens.refreshes == [(TokenKind.USER, USER_TOKEN)]

    def test_client_kind_refreshes_the_client_token(self, harness: Harness) -> None:
        """The refresh asks for the kind of token that was rejected."""
        harness.server.reply(error_response(401, "invalid_token"), json_response(200, OK))
        harness.make().get("browse/tags", token_kind=TokenKind.CLIENT)
        assert harness.tokens.refreshes == [(TokenKind.CLIENT, CLIENT_TOKEN)]

    def test_insufficient_scope_is_not_refreshed(self, harness: Harness) -> None:
        """A missing scope is not cured by a refresh: InsufficientScope at once."""
        harness.server.reply(error_response(401, "insufficient_scope"))
        with pytest.raises(InsufficientScope):
            harness.make().get("placebo")
        assert harness.tokens.refreshes == []


class TestSecretsStayOut:
    def _run_everything(self, harness: Harness) -> list[DeviantArtError]:
        """Drive refreshes, retries, failures and OAuth calls; collect the errors."""
        client = harness.make()
        harness.server.reply(
            error_response(401, "invalid_token"),
            error_response(429, "user_api_threshold", headers={"Retry-After": "1"}),
            json_response(200, OK),
            error_response(401, "invalid_token", "expired"),
            error_response(401, "invalid_token", f"token {USER_TOKEN} is revoked"),
            httpx.ReadTimeout("slow"),
            json_response(
                200, {"access_token": "oauth-access-secret-1", "refresh_token": "oauth-refresh-2"}
            ),
        )
        client.get("browse/tags", {"offset": 0})
        errors: list[DeviantArtError] = []
        for call in (
            lambda: client.get("placebo"),
            lambda: client.post("comments/post/deviation/ABC", {"body": "hi"}),
        ):
            try:
                call()
            except DeviantArtError as exc:
                errors.append(exc)
        client.oauth_token(
            {
                "grant_type": "refresh_token",
                "refresh_token": "old-refresh-token-3",
                "client_secret": "app-secret-xyz",
            }
        )
        return errors

    def _secrets(self, harness: Harness) -> list[str]:
        return [
            USER_TOKEN,
            *harness.tokens.tokens.values(),
            "oauth-access-secret-1",
            "oauth-refresh-2",
            "old-refresh-token-3",
            "app-secret-xyz",
        ]

    def test_no_token_in_any_url(self, harness: Harness) -> None:
        """Every request the transport saw has a URL free of tokens."""
        self._run_everything(harness)
        assert len(harness.server.requests) == 7
        for request in harness.server.requests:
            for secret in self._secrets(harness):
                assert secret not in str(request.url)

    def test_no_token_in_debug_logs(
        self, harness: Harness, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Nothing logged at DEBUG (ours or httpx's) contains a token or a form secret."""
        caplog.set_level(logging.DEBUG)
        self._run_everything(harness)
        assert caplog.records  # the client does log each request
        text = "\n".join(record.getMessage() for record in caplog.records)
        for secret in self._secrets(harness):
            assert secret not in text

    def test_no_token_in_exception_strings(self, harness: Harness) -> None:
        """Errors, even those quoting DeviantArt's echo of the token, hide it."""
        errors = self._run_everything(harness)
        assert len(errors) == 2
        for error in errors:
            for secret in self._secrets(harness):
                assert secret not in str(error)
                assert secret not in repr(error)
                assert secret not in repr(error.args)

    def test_client_repr_has_no_token(self, harness: Harness) -> None:
        """The client's repr names the base URL only."""
        assert repr(harness.make()) == f"DeviantArtHttpClient(base_url={BASE_URL!r})"
