"""Local-admin hardening: Host allow-list, CSRF, security headers, API token, bind address."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.support import APP_URL, JSON, PREFIX, TestClient, snapshot
from photomanager.api.app import create_app
from photomanager.api.security import CONTENT_SECURITY_POLICY, MAX_BODY_BYTES, SecurityPolicy
from photomanager.bootstrap import Container

# Routes outside the OpenAPI schema (page, static files, OAuth redirects, docs).
UNDOCUMENTED = [
    ("GET", "/"),
    ("GET", "/auto-comments"),
    ("GET", "/static/app.js"),
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
    ("GET", "/auth/login"),
    ("GET", "/auth/callback"),
]


def _routes(client: TestClient) -> list[tuple[str, str]]:
    """Every documented operation (read from /openapi.json) plus the undocumented routes."""
    schema = client.get("/openapi.json").json()
    found = list(UNDOCUMENTED)
    for path, operations in schema["paths"].items():
        concrete = path.replace("{message_id}", "1").replace("{run_id}", "r")
        concrete = concrete.replace("{deviationid}", "D1")
        found += [(method.upper(), concrete) for method in operations]
    return found


class TestHostAllowList:
    def test_foreign_host_refused_on_every_route(
        self, client: TestClient, container: Container
    ) -> None:
        """Host: evil.example gets a 400 on every route, before anything runs."""
        before = snapshot(container)
        routes = _routes(client)
        assert len(routes) > 20
        for method, path in routes:
            response = client.request(
                method, path, headers={"Host": "evil.example", **JSON}, json={}
            )
            assert response.status_code == 400, (method, path)
            assert response.json()["error"] == "bad_host"
        assert snapshot(container) == before

    @pytest.mark.parametrize(
        "host", ["127.0.0.1", "127.0.0.1:8000", "localhost", "localhost:1234", "[::1]:8000"]
    )
    def test_loopback_names_allowed(self, client: TestClient, host: str) -> None:
        """Loopback names, with or without a port, are accepted."""
        assert client.get("/healthz", headers={"Host": host}).status_code == 200

    @pytest.mark.parametrize(
        "host", ["127.0.0.1.evil.example", "localhost.evil", "evil:127.0.0.1", "", "[::1]x"]
    )
    def test_lookalikes_refused(self, client: TestClient, host: str) -> None:
        """Names that only contain a loopback name are refused."""
        assert client.get("/healthz", headers={"Host": host}).status_code == 400

    def test_configured_host_allowed(self) -> None:
        """Extra hosts from the settings are accepted, with any port."""
        policy = SecurityPolicy.local(["photos.lan"])
        assert policy.host_allowed("photos.lan:8000")
        assert not policy.host_allowed("other.lan")


def _delete_a_template(
    client: TestClient, container: Container, **request_parts: Any
) -> httpx.Response:
    """Create a template, then send DELETE for it with `request_parts` (headers, content)."""
    template = container.templates.create_template(title="t", body="{a|b}", is_active=True)
    return client.request("DELETE", f"{PREFIX}/messages/{template.message_id}", **request_parts)


class TestCsrf:
    def test_text_plain_post_refused(self, client: TestClient, container: Container) -> None:
        """A text/plain POST (what a foreign form can send) is a 403; nothing changes."""
        before = snapshot(container)
        response = client.post(
            f"{PREFIX}/worker/start", content="{}", headers={"Content-Type": "text/plain"}
        )
        assert response.status_code == 403
        assert response.json()["error"] == "csrf_rejected"
        assert snapshot(container) == before

    @pytest.mark.parametrize(
        "content_type", [None, "application/x-www-form-urlencoded", "multipart/form-data"]
    )
    def test_non_json_refused(self, client: TestClient, content_type: str | None) -> None:
        """Form encodings and a missing content type are refused on state changes."""
        headers = {"Content-Type": content_type} if content_type else {}
        response = client.post(f"{PREFIX}/queue/clear", content=b"", headers=headers)
        assert response.status_code == 403

    def test_a_bodiless_delete_needs_no_content_type(
        self, client: TestClient, container: Container
    ) -> None:
        """DELETE without a body or content type (curl -X DELETE) works from the same origin."""
        response = _delete_a_template(client, container, headers={"Origin": APP_URL})
        assert response.status_code in (200, 204), response.text
        assert container.templates.list_templates() == []

    @pytest.mark.parametrize(
        "request_parts",
        [
            {"content": b"a=1", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            {"content": b"{}", "headers": {"Origin": APP_URL}},  # a body must say it is JSON
            {"headers": {"Origin": "http://evil.example"}},  # bodiless, but cross-origin
        ],
        ids=["form-body", "body-without-type", "cross-origin"],
    )
    def test_other_deletes_are_refused(
        self, client: TestClient, container: Container, request_parts: dict[str, Any]
    ) -> None:
        """Only a same-origin DELETE without a body may omit the JSON content type."""
        response = _delete_a_template(client, container, **request_parts)
        assert response.status_code == 403
        assert len(container.templates.list_templates()) == 1

    @pytest.mark.parametrize("method", ["PUT", "PATCH"])
    def test_other_methods_without_a_content_type_are_refused(
        self, client: TestClient, method: str
    ) -> None:
        """PUT and PATCH must say JSON, like POST."""
        response = client.request(
            method,
            f"{PREFIX}/settings",
            content=b'{"max_per_hour": 5}',
            headers={"Origin": APP_URL},
        )
        assert response.status_code == 403

    def test_foreign_origin_refused(self, client: TestClient, container: Container) -> None:
        """A JSON POST from another origin is a 403; nothing changes."""
        before = snapshot(container)
        response = client.post(
            f"{PREFIX}/queue/clear", json={}, headers={"Origin": "http://evil.example"}
        )
        assert response.status_code == 403
        assert snapshot(container) == before

    def test_null_origin_refused(self, client: TestClient) -> None:
        """Origin: null (sandboxed iframes, file pages) is refused."""
        response = client.post(f"{PREFIX}/worker/stop", json={}, headers={"Origin": "null"})
        assert response.status_code == 403

    def test_cross_site_fetch_without_origin_refused(self, client: TestClient) -> None:
        """Sec-Fetch-Site: cross-site without an Origin is refused."""
        response = client.post(
            f"{PREFIX}/worker/stop", json={}, headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert response.status_code == 403

    def test_same_origin_allowed(self, client: TestClient) -> None:
        """The page's own JSON requests pass."""
        response = client.post(
            f"{PREFIX}/worker/stop",
            json={},
            headers={"Origin": APP_URL, "Sec-Fetch-Site": "same-origin"},
        )
        assert response.status_code == 200

    def test_get_never_changes_state(self, client: TestClient, container: Container) -> None:
        """GET on state-changing paths is not a way around the checks."""
        before = snapshot(container)
        assert client.get(f"{PREFIX}/worker/start").status_code == 405
        assert client.get(f"{PREFIX}/queue/clear").status_code == 405
        assert snapshot(container) == before


class TestBodySize:
    def test_oversized_body_is_413(self, client: TestClient, container: Container) -> None:
        """A body over the limit is refused before it is parsed; nothing changes."""
        before = snapshot(container)
        huge = b'{"title": "t", "body": "' + b"x" * (MAX_BODY_BYTES + 1) + b'"}'
        response = client.post(f"{PREFIX}/messages", content=huge, headers=JSON)
        assert response.status_code == 413
        assert response.json()["error"] == "body_too_large"
        assert snapshot(container) == before

    def test_oversized_chunked_body_is_413(self, client: TestClient) -> None:
        """A body without Content-Length (chunked) is counted as it arrives."""

        def chunks() -> Iterator[bytes]:
            yield b'{"title": "t", "body": "'
            for _ in range(MAX_BODY_BYTES // 65536 + 2):
                yield b"x" * 65536
            yield b'"}'

        response = client.post(f"{PREFIX}/messages", content=chunks(), headers=JSON)
        assert response.status_code == 413

    def test_small_chunked_body_is_read_normally(self, client: TestClient) -> None:
        """Under the limit, a chunked body reaches the route intact."""

        def chunks() -> Iterator[bytes]:
            yield b'{"title": "Thanks", '
            yield b'"body": "{Thanks|Thank you}, {{author}}!"}'

        response = client.post(f"{PREFIX}/messages", content=chunks(), headers=JSON)
        assert response.status_code == 201, response.text


class TestSecurityHeaders:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", f"{PREFIX}/status"),
            ("GET", "/nope"),
            ("GET", "/auto-comments"),
            ("POST", f"{PREFIX}/worker/stop"),
        ],
    )
    def test_headers_on_every_response(self, client: TestClient, method: str, path: str) -> None:
        """CSP, nosniff and no-referrer are on answers, errors and refusals alike."""
        response = client.request(method, path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"

    def test_headers_on_refused_host(self, client: TestClient) -> None:
        """Even a refused Host gets the headers."""
        response = client.get("/healthz", headers={"Host": "evil.example"})
        assert response.headers["x-content-type-options"] == "nosniff"

    def test_docs_get_their_own_strict_policy(self, client: TestClient) -> None:
        """/docs pins its one inline script by hash instead of allowing inline scripts."""
        policy = client.get("/docs").headers["content-security-policy"]
        assert "'sha256-" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert "https:" not in policy

    def test_docs_assets_are_served_locally(self, client: TestClient) -> None:
        """Swagger UI's script and style come from this server, so /docs works offline."""
        page = client.get("/docs").text
        assert "cdn." not in page
        script = client.get("/docs/assets/swagger-ui-bundle.js")
        assert script.status_code == 200
        assert "SwaggerUIBundle" in script.text
        assert client.get("/docs/assets/../../etc/passwd").status_code == 404


class TestApiToken:
    @pytest.fixture
    def remote_client(self, container: Container) -> TestClient:
        """The app with an API token configured (remote mode)."""
        from pydantic import SecretStr

        container.settings = container.settings.model_copy(
            update={"api_token": SecretStr("s3cret-token-value")}
        )
        return TestClient(create_app(container), base_url=APP_URL)

    def test_missing_token_is_401(self, remote_client: TestClient) -> None:
        """Without the token every request is refused."""
        response = remote_client.get(f"{PREFIX}/status")
        assert response.status_code == 401
        assert "s3cret" not in response.text

    def test_wrong_token_is_401(self, remote_client: TestClient) -> None:
        """A wrong bearer token is refused."""
        headers = {"Authorization": "Bearer nope"}
        assert remote_client.get("/healthz", headers=headers).status_code == 401

    def test_bearer_or_cookie_accepted(self, remote_client: TestClient) -> None:
        """The token works as a bearer header or as the cookie."""
        headers = {"Authorization": "Bearer s3cret-token-value"}
        assert remote_client.get("/healthz", headers=headers).status_code == 200
        cookie = {"Cookie": "photomanager_token=s3cret-token-value"}
        assert remote_client.get("/healthz", headers=cookie).status_code == 200


class TestControlCharacters:
    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("/messages", {"title": "T\u0000", "body": "Hello"}),
            ("/messages", {"title": "T", "body": "Hel\u0000lo"}),
            ("/messages/preview", {"body": "Hi\u001b[31m"}),
        ],
    )
    def test_nul_and_escapes_are_422(
        self, client: TestClient, container: Container, path: str, body: dict[str, str]
    ) -> None:
        """NUL and terminal escapes in text are refused with the position; nothing stored."""
        before = snapshot(container)
        response = client.post(f"{PREFIX}{path}", json=body, headers=JSON)
        assert response.status_code == 422
        assert "control character" in response.text
        assert snapshot(container) == before

    def test_settings_lists_refuse_nul(self, client: TestClient) -> None:
        """A NUL inside an excluded author is a 422, not a database error."""
        response = client.put(
            f"{PREFIX}/settings", json={"exclude_authors": ["a\u0000b"]}, headers=JSON
        )
        assert response.status_code == 422

    def test_line_breaks_and_tabs_are_fine(self, client: TestClient) -> None:
        """Multi-line templates keep working."""
        response = client.post(
            f"{PREFIX}/messages",
            json={"title": "Two lines", "body": "Wow!\n\tGreat {work|piece}, {{author}}."},
            headers=JSON,
        )
        assert response.status_code == 201, response.text
