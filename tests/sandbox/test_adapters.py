"""Both adapters serve the same site: the in-process transport and real HTTP agree."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from photomanager.sandbox import ManualClock, Sandbox, s256
from photomanager.sandbox.adapters import SandboxServer, SandboxTransport, build_app

START = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
API = "/api/v1/oauth2"


def _twin() -> Sandbox:
    return Sandbox.seeded(seed=42, deviations=200, clock=ManualClock(START))


def _script(client: httpx.Client, sandbox: Sandbox) -> list[tuple[int, object]]:
    """The same conversation, replayed on any client; returns (status, body) per step."""
    token = sandbox.issue_user_token().access_token
    auth = {"Authorization": f"Bearer {token}"}
    target = sandbox.deviation_ids(commentable=True)[3]
    disabled = sandbox.deviation_ids(commentable=False)[0]
    steps = [
        client.get(f"{API}/user/whoami", headers=auth),
        client.get(f"{API}/browse/deviantsyouwatch", params={"limit": 5}, headers=auth),
        client.get(
            f"{API}/browse/home",
            params={"limit": 7, "offset": 3, "mature_content": "true"},
            headers=auth,
        ),
        client.get(f"{API}/browse/home", params={"limit": 500}, headers=auth),
        client.get(f"{API}/browse/tags", params={"tag": "Watercolor", "limit": 4}, headers=auth),
        client.get(
            f"{API}/deviation/metadata",
            params={"deviationids[]": [target, disabled, target.lower()]},
            headers=auth,
        ),
        client.get(f"{API}/browse/newest", headers=auth),
        client.post(
            f"{API}/comments/post/deviation/{target}", data={"body": "Ура 🎉 <3"}, headers=auth
        ),
        client.post(f"{API}/comments/post/deviation/{disabled}", data={"body": "x"}, headers=auth),
        client.get(f"{API}/comments/deviation/{target}", headers=auth),
        client.get(f"{API}/placebo", params={"access_token": token}),
        client.get(f"{API}/nowhere", headers=auth),
    ]
    return [(r.status_code, r.json()) for r in steps]


class TestAdaptersAgree:
    def test_transport_and_http_give_identical_answers(self) -> None:
        """Twin sandboxes answer the same script identically in process and over HTTP."""
        local, served = _twin(), _twin()
        with SandboxServer(served) as base_url:
            # One address for both: the feeds' image URLs name the host they were asked on.
            with httpx.Client(transport=SandboxTransport(local), base_url=base_url) as c:
                in_process = _script(c, local)
            with httpx.Client(base_url=base_url) as c:
                over_http = _script(c, served)
        assert [status for status, _ in in_process] == [
            *(200, 200, 200, 400, 200, 200, 404),
            *(200, 400, 200, 400, 404),
        ]
        assert over_http == in_process


class TestRealHttp:
    def test_oauth_flow_over_http(self, sandbox: Sandbox, sandbox_server: str) -> None:
        """authorize -> code -> token works over a real socket."""
        verifier = "k" * 50
        with httpx.Client(base_url=sandbox_server) as client:
            redirect = client.get(
                "/oauth2/authorize",
                params={
                    "response_type": "code",
                    "client_id": sandbox.client_id,
                    "redirect_uri": "http://127.0.0.1:8000/auth/callback",
                    "scope": "browse comment.post user",
                    "state": "xyz",
                    "code_challenge": s256(verifier),
                    "code_challenge_method": "S256",
                },
            )
            code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
            tokens = client.post(
                "/oauth2/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "code_verifier": verifier,
                    "redirect_uri": "http://127.0.0.1:8000/auth/callback",
                },
                auth=(sandbox.client_id, sandbox.client_secret or ""),
            )
        assert redirect.status_code == 302
        assert tokens.json()["status"] == "success"
        assert sandbox.ledger.token_calls("authorization_code") == 1

    def test_dropped_response_leaves_the_client_without_an_answer(
        self, sandbox: Sandbox, sandbox_server: str
    ) -> None:
        """Over HTTP a dropped POST cuts the connection; the comment is stored."""
        token = sandbox.issue_user_token().access_token
        target = sandbox.deviation_ids(commentable=True)[0]
        sandbox.faults.drop_next_posts = 1
        with httpx.Client(base_url=sandbox_server, timeout=5) as client:
            with pytest.raises(httpx.TransportError):
                client.post(
                    f"{API}/comments/post/deviation/{target}",
                    data={"body": "lost answer"},
                    headers={"Authorization": f"Bearer {token}"},
                )
            after = client.get(f"{API}/placebo", headers={"Authorization": f"Bearer {token}"})
        assert [c.body for c in sandbox.ledger.comments_for(target)] == ["lost answer"]
        assert after.status_code == 200

    def test_rate_limit_header_survives_http(self, sandbox: Sandbox, sandbox_server: str) -> None:
        """A 429 carries Retry-After over a real socket too."""
        from photomanager.sandbox import RateLimit

        sandbox.faults.rate_limit = RateLimit(capacity=0, refill_per_s=0.1)
        token = sandbox.issue_client_token().access_token
        response = httpx.get(
            f"{sandbox_server}{API}/placebo", headers={"Authorization": f"Bearer {token}"}
        )
        assert (response.status_code, response.headers["retry-after"]) == (429, "10")

    def test_server_stops_cleanly(self, sandbox: Sandbox) -> None:
        """After the with-block the port no longer answers."""
        with SandboxServer(sandbox) as base_url:
            assert httpx.get(f"{base_url}{API}/placebo").status_code == 401
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{base_url}{API}/placebo")


class TestMountedApp:
    def test_app_works_under_a_mount_prefix(self, sandbox: Sandbox) -> None:
        """Mounted under /da (demo mode inside another app), the routes still match."""
        import anyio
        from starlette.applications import Starlette
        from starlette.routing import Mount

        host = Starlette(routes=[Mount("/da", app=build_app(sandbox))])
        token = sandbox.issue_user_token().access_token

        async def whoami() -> httpx.Response:
            transport = httpx.ASGITransport(app=host)
            async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
                return await client.get(
                    f"/da{API}/user/whoami", headers={"Authorization": f"Bearer {token}"}
                )

        response = anyio.run(whoami)
        assert response.json()["userid"] == sandbox.artist.userid
