"""Collect runs through the API: start on either feed, follow progress, refuse bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.support import APP_URL, JSON, PREFIX, TestClient, make_settings, snapshot
from photomanager.api.app import create_app
from photomanager.bootstrap import Container, bootstrap
from photomanager.domain.models import QueueStatus


class TestStartCollect:
    @pytest.mark.parametrize("feed", ["watch-feed", "global-feed"])
    def test_start_returns_run_id_and_fills_queue(
        self, client: TestClient, container: Container, feed: str
    ) -> None:
        """Starting a collect answers 202 with a run id; the run fills the queue."""
        response = client.post(f"{PREFIX}/collect/{feed}", json={"pages": 1})
        assert response.status_code == 202
        run_id = response.json()["run_id"]
        container.collect_runs.wait(run_id, timeout=30)
        assert container.queue.stats()[QueueStatus.PENDING] > 0

    def test_progress_of_finished_run(self, client: TestClient, container: Container) -> None:
        """GET collect/{id} returns the result of a finished run with its counters."""
        run_id = client.post(f"{PREFIX}/collect/global-feed", json={"pages": 1}).json()["run_id"]
        container.collect_runs.wait(run_id, timeout=30)
        body = client.get(f"{PREFIX}/collect/{run_id}").json()
        assert body["state"] == "done"
        assert body["pages_done"] == 1
        assert body["new"] == container.queue.stats()[QueueStatus.PENDING]
        assert body["source"] == "global_feed"

    @pytest.mark.parametrize("body", [{"json": {}}, {"headers": JSON}], ids=["empty", "none"])
    def test_default_is_one_page(
        self, client: TestClient, container: Container, body: dict[str, object]
    ) -> None:
        """An empty object, or no body at all, collects one page (as the CLI does)."""
        response = client.post(f"{PREFIX}/collect/global-feed", **body)  # type: ignore[arg-type]
        assert response.status_code == 202, response.text
        assert response.json()["pages_requested"] == 1
        container.collect_runs.wait(response.json()["run_id"], timeout=30)

    def test_watch_feed_without_account_is_refused_upfront(
        self, client: TestClient, container: Container
    ) -> None:
        """Without a connected account, watch-feed answers 409 not_connected and starts no run."""
        container.auth.tokens.forget()
        response = client.post(f"{PREFIX}/collect/watch-feed", json={"pages": 1})
        assert response.status_code == 409
        assert response.json()["error"] == "not_connected"
        assert "connect your DeviantArt account first" in response.json()["message"]
        assert container.collect_runs.recent() == []

    def test_global_feed_needs_the_account(self, client: TestClient, container: Container) -> None:
        """browse/home is the account's own feed: without an account, 409 not_connected."""
        container.auth.tokens.forget()
        response = client.post(f"{PREFIX}/collect/global-feed", json={"pages": 1})
        assert response.status_code == 409
        assert response.json()["error"] == "not_connected"

    def test_tag_feeds_without_account_use_the_app_token(
        self, client: TestClient, container: Container
    ) -> None:
        """With a client id but no account, tag feeds still run (client credentials)."""
        container.auth.tokens.forget()
        response = client.post(f"{PREFIX}/collect/tags", json={"pages": 1, "tags": ["watercolor"]})
        assert response.status_code == 202
        [run] = response.json()
        assert run["source"] == "tag:watercolor"
        container.collect_runs.wait(run["run_id"], timeout=30)
        assert container.collect_runs.get(run["run_id"]).state == "done"

    def test_global_feed_without_account_nor_client_is_refused(self, tmp_path: Path) -> None:
        """With neither an account nor a client id, the global feed answers 409 not_connected."""
        db = tmp_path / "bare.db"
        bare = bootstrap(make_settings(tmp_path, database_url=f"sqlite:///{db}"))
        try:
            with TestClient(create_app(bare), base_url=APP_URL) as http:
                response = http.post(f"{PREFIX}/collect/global-feed", json={"pages": 1})
            assert response.status_code == 409
            assert response.json()["error"] == "not_connected"
            assert bare.collect_runs.recent() == []
        finally:
            bare.close()


class TestCollectBadInput:
    @pytest.mark.parametrize(
        "payload",
        [
            {"pages": 0},
            {"pages": 101},
            {"pages": -1},
            {"pages": "3"},
            {"pages": 1.5},
            {"pages": True},
            {"pages": None},
            {"pages": 1, "offset": 5},
            [],
        ],
    )
    def test_refused_and_nothing_started(
        self, client: TestClient, container: Container, payload: object
    ) -> None:
        """Out-of-range or wrong-typed pages are a 422 that names the field; no run starts."""
        before = snapshot(container)
        response = client.post(f"{PREFIX}/collect/global-feed", json=payload)
        assert response.status_code == 422
        body = response.json()
        assert body["error"] == "invalid_input"
        assert body["message"]
        assert snapshot(container) == before

    def test_unknown_run_is_404(self, client: TestClient) -> None:
        """An unknown run id is a 404 in the error shape."""
        response = client.get(f"{PREFIX}/collect/nope")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"

    def test_overlong_run_id_is_422(self, client: TestClient) -> None:
        """A run id longer than any real one is refused before lookup."""
        assert client.get(f"{PREFIX}/collect/{'x' * 65}").status_code == 422
