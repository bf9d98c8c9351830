"""DeviantArt's JSON error bodies mapped onto the typed error tree."""

from __future__ import annotations

import json

import pytest

from photomanager.deviantart.error_mapping import error_from_response, parse_error_body
from photomanager.domain.errors import (
    AccountRestricted,
    DeviantArtError,
    EdgeBlocked,
    EndpointGone,
    InsufficientScope,
    InvalidToken,
    RateLimited,
    RequestRejected,
    ServerError,
    ServiceUnavailable,
)


def _body(**fields: object) -> bytes:
    return json.dumps({"status": "error", **fields}).encode()


class TestParseErrorBody:
    def test_reads_every_documented_field(self) -> None:
        """error, error_description, error_details and error_code are all kept."""
        body = parse_error_body(
            _body(
                error="invalid_request",
                error_description="Request field validation failed.",
                error_details={"body": "body is required"},
                error_code=2,
            )
        )
        assert body.error == "invalid_request"
        assert body.description == "Request field validation failed."
        assert body.details == {"body": "body is required"}
        assert body.error_code == 2

    @pytest.mark.parametrize("content", [b"", b"<html>oops</html>", b"[1, 2]", b'"text"', b"\xff"])
    def test_unreadable_body_is_empty(self, content: bytes) -> None:
        """A body that is not a JSON object yields no fields instead of crashing."""
        body = parse_error_body(content)
        assert (body.error, body.description, body.details, body.error_code) == (
            None,
            "",
            None,
            None,
        )

    def test_wrong_types_are_dropped(self) -> None:
        """Fields of the wrong type are treated as absent."""
        body = parse_error_body(_body(error=5, error_description=["x"], error_code="7"))
        assert (body.error, body.description, body.error_code) == (None, "", None)

    def test_description_is_one_short_line(self) -> None:
        """Control characters are flattened and a huge description is truncated."""
        body = parse_error_body(_body(error="x", error_description="a\nb\r\x00c" + "z" * 1000))
        assert body.description.startswith("a b c")
        assert len(body.description) <= 300


class TestErrorFromResponse:
    @pytest.mark.parametrize(
        ("status", "fields", "expected"),
        [
            (400, {"error": "invalid_request"}, RequestRejected),
            (404, {"error": "invalid_request"}, RequestRejected),
            (
                404,
                {"error": "invalid_request", "error_description": "Deviation not found."},
                RequestRejected,
            ),
            (
                404,
                {"error": "invalid_request", "error_description": "Api endpoint not found."},
                EndpointGone,
            ),
            (429, {"error": "application_api_threshold"}, RateLimited),
            (401, {"error": "invalid_token"}, InvalidToken),
            (403, {"error": "invalid_request"}, AccountRestricted),
            (403, {}, AccountRestricted),
            (403, {"error": "insufficient_scope"}, InsufficientScope),
            (401, {"error": "insufficient_scope"}, InsufficientScope),
            (429, {"error": "user_api_threshold"}, RateLimited),
            (400, {"error": "user_api_threshold"}, RateLimited),
            (503, {}, ServiceUnavailable),
            (500, {"error": "server_error"}, ServerError),
            (502, {}, ServerError),
            (504, {}, ServerError),
            (
                400,
                {"error": "invalid_request", "error_description": "Flagged as spam"},
                AccountRestricted,
            ),
            (
                400,
                {"error": "invalid_request", "error_description": "Your account is suspended"},
                AccountRestricted,
            ),
            (
                429,
                {"error": "user_api_threshold", "error_description": "abuse detected"},
                AccountRestricted,
            ),
            (401, {"error": "account_banned"}, AccountRestricted),
        ],
    )
    def test_status_and_error_give_the_typed_error(
        self, status: int, fields: dict[str, object], expected: type[DeviantArtError]
    ) -> None:
        """Each documented (status, error) pair maps to exactly one error class."""
        error = error_from_response(status, parse_error_body(_body(**fields)))
        assert type(error) is expected
        assert error.status == status

    def test_rate_limited_carries_retry_after(self) -> None:
        """A 429 keeps the parsed Retry-After for the worker's pause."""
        error = error_from_response(429, parse_error_body(b""), retry_after=30.0)
        assert isinstance(error, RateLimited)
        assert error.retry_after == 30.0

    def test_message_names_status_and_error(self) -> None:
        """The message is readable: status, error type and description."""
        body = parse_error_body(_body(error="invalid_request", error_description="Comments off"))
        error = error_from_response(400, body)
        assert str(error) == "DeviantArt answered 400 invalid_request: Comments off"
        assert error.error == "invalid_request"

    def test_banner_is_not_a_ban(self) -> None:
        """Only whole restriction words count: "banner" stays an ordinary rejection."""
        body = parse_error_body(_body(error="invalid_request", error_description="bad banner"))
        assert type(error_from_response(400, body)) is RequestRejected


class TestEdgeBlock:
    @pytest.mark.parametrize(
        ("content", "content_type"),
        [
            (b"<html><body>Request blocked.</body></html>", "text/html"),
            (b"", None),
            (b"", "text/plain"),
            (_body(error="invalid_request"), "text/html"),
        ],
    )
    def test_a_403_that_is_not_deviantarts_json_is_an_edge_block(
        self, content: bytes, content_type: str | None
    ) -> None:
        """HTML, empty or non-JSON 403s come from the network in front: EdgeBlocked."""
        error = error_from_response(403, parse_error_body(content, content_type))
        assert type(error) is EdgeBlocked
        assert "refused this machine" in error.message

    def test_a_json_403_still_restricts_the_account(self) -> None:
        """DeviantArt's own JSON 403 keeps its meaning: AccountRestricted."""
        body = parse_error_body(_body(error="unauthorized"), "application/json; charset=utf-8")
        assert type(error_from_response(403, body)) is AccountRestricted

    def test_an_html_page_mentioning_spam_is_still_an_edge_block(self) -> None:
        """The page's words are never read: only DeviantArt's JSON fields are."""
        body = parse_error_body(b"<html>spam protection: Request blocked.</html>", "text/html")
        assert type(error_from_response(403, body)) is EdgeBlocked


class TestEndpointGone:
    def test_names_the_path_that_is_gone(self) -> None:
        """The message says which endpoint DeviantArt no longer offers."""
        body = parse_error_body(
            _body(error="invalid_request", error_description="Api endpoint not found.")
        )
        error = error_from_response(404, body, path="comments/deviation")
        assert isinstance(error, EndpointGone)
        assert error.message == "DeviantArt no longer offers comments/deviation"
        assert error.path == "comments/deviation"

    def test_the_same_sentence_on_a_400_is_an_ordinary_rejection(self) -> None:
        """Only a 404 with that exact sentence is a removed endpoint."""
        body = parse_error_body(
            _body(error="invalid_request", error_description="Api endpoint not found.")
        )
        assert type(error_from_response(400, body)) is RequestRejected
