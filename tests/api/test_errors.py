"""The one error shape: domain errors mapped in one place, validation, 404/405, crashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.support import APP_URL, PREFIX, TestClient
from photomanager.api.app import create_app
from photomanager.api.errors import INTERNAL_MESSAGE, domain_error_response, status_for
from photomanager.bootstrap import Container
from photomanager.domain import errors as e
from photomanager.services.reporting.status import StatusReport

SHAPE = {"error", "message", "details"}


class TestDomainErrorMapping:
    @pytest.mark.parametrize(
        ("error", "status"),
        [
            (e.InvalidInput("x"), 422),
            (e.NotFound("x"), 404),
            (e.Conflict("x"), 409),
            (e.ClientNotConfigured("x"), 409),
            (e.NotConnected("x"), 409),
            (e.Cancelled("x"), 409),
            (e.LoginRejected("x"), 400),
            (e.ReauthRequired("x"), 409),
            (e.InvalidToken("x"), 409),
            (e.InsufficientScope("x"), 409),
            (e.RateLimited("x", retry_after=3), 503),
            (e.ServiceUnavailable("x"), 503),
            (e.TransportFailed("x"), 502),
            (e.ServerError("x"), 502),
            (e.OutcomeUnknown("x"), 502),
            (e.RequestRejected("x"), 502),
            (e.AccountRestricted("x"), 502),
            (e.EdgeBlocked("x"), 503),
            (e.EndpointGone("x", path="comments/deviation"), 502),
        ],
    )
    def test_status_per_error(self, error: e.PhotomanagerError, status: int) -> None:
        """Each domain error has its HTTP status."""
        assert status_for(error) == status


class _ExplodingStatus:
    def status(self) -> StatusReport:
        raise RuntimeError("database password hunter2 leaked in a message")


class _RateLimitedStatus:
    def status(self) -> StatusReport:
        raise e.RateLimited("DeviantArt is rate limiting", retry_after=42.5)


class TestErrorShape:
    def test_unknown_route_is_404_in_shape(self, client: TestClient) -> None:
        """A missing route answers the one shape."""
        response = client.get("/api/nothing-here")
        assert response.status_code == 404
        assert set(response.json()) == SHAPE

    def test_wrong_method_is_405_in_shape(self, client: TestClient) -> None:
        """A wrong method answers the one shape."""
        response = client.put(f"{PREFIX}/status", json={})
        assert response.status_code == 405
        assert set(response.json()) == SHAPE

    def test_validation_names_field_and_fix(self, client: TestClient) -> None:
        """A validation error says which field and what is wrong, with a details list."""
        body = client.post(f"{PREFIX}/collect/global-feed", json={"pages": 500}).json()
        assert body["message"].startswith("body.pages:")
        assert "100" in body["message"]
        assert body["details"][0]["field"] == "body.pages"

    def test_invalid_json_is_422(self, client: TestClient) -> None:
        """A body that is not JSON is a 422 in the shape."""
        response = client.post(
            f"{PREFIX}/messages", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422
        assert set(response.json()) == SHAPE

    def test_invalid_json_names_line_and_column(self, client: TestClient) -> None:
        """A malformed body says where it breaks, in lines and columns, not a char offset."""
        response = client.post(
            f"{PREFIX}/messages",
            content=b'{\n  "title": "x",\n  "body": oops\n}',
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 422
        assert response.json()["message"] == (
            "the request body is not valid JSON (at line 3, column 11)"
        )

    def test_validation_does_not_echo_input(self, client: TestClient) -> None:
        """Rejected input is not echoed back (it may be huge or secret)."""
        response = client.post(f"{PREFIX}/collect/global-feed", json={"pages": "secret-value-xyz"})
        assert "secret-value-xyz" not in response.text

    def test_unexpected_error_is_500_without_details(self, container: Container) -> None:
        """A crash answers internal_error with no trace and no exception text."""
        container.status = _ExplodingStatus()  # type: ignore[assignment]
        with TestClient(create_app(container), base_url=APP_URL) as client:
            response = client.get(f"{PREFIX}/status")
        assert response.status_code == 500
        assert response.json() == {
            "error": "internal_error",
            "message": INTERNAL_MESSAGE,
            "details": None,
        }
        assert "hunter2" not in response.text
        assert "Traceback" not in response.text

    def test_rate_limited_carries_retry_after(self, container: Container) -> None:
        """A DeviantArt rate limit is a 503 with Retry-After rounded up."""
        container.status = _RateLimitedStatus()  # type: ignore[assignment]
        with TestClient(create_app(container), base_url=APP_URL) as client:
            response = client.get(f"{PREFIX}/status")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "43"
        assert response.json()["error"] == "rate_limited"


class TestEdgeBlockedAnswer:
    def test_an_edge_block_says_when_to_come_back(self) -> None:
        """503 with Retry-After up to the shared pause's next try."""
        retry_at = datetime.now(UTC) + timedelta(minutes=5)
        response = domain_error_response(e.EdgeBlocked("refused", retry_at=retry_at))
        assert response.status_code == 503
        assert 290 <= int(response.headers["retry-after"]) <= 300
