"""Worker control through the API: the desired state lives in the database."""

from __future__ import annotations

import pytest

from api.support import PREFIX, TestClient, snapshot
from photomanager.bootstrap import Container
from photomanager.domain.models import WorkerDesired


class TestWorkerStartStop:
    def test_start_sets_desired_running(self, client: TestClient, container: Container) -> None:
        """POST worker/start records desired=running for every worker."""
        # Default settings post the watch feed unreviewed: confirm once (see tests/protect).
        response = client.post(f"{PREFIX}/worker/start", json={"confirm_unreviewed": True})
        assert response.status_code == 200
        assert response.json()["desired"] == "running"
        assert container.worker_control.status().desired is WorkerDesired.RUNNING

    def test_start_accepts_confirmation_flag(
        self, client: TestClient, container: Container
    ) -> None:
        """The one-time confirmation field is accepted."""
        response = client.post(f"{PREFIX}/worker/start", json={"confirm_unreviewed": True})
        assert response.status_code == 200

    def test_stop_sets_desired_stopped(self, client: TestClient, container: Container) -> None:
        """POST worker/stop records desired=stopped with a reason."""
        client.post(f"{PREFIX}/worker/start", json={"confirm_unreviewed": True})
        response = client.post(f"{PREFIX}/worker/stop", json={})
        assert response.json()["reason"] == "stopped by request"
        assert container.worker_control.status().desired is WorkerDesired.STOPPED

    def test_start_without_account_is_refused(
        self, client: TestClient, container: Container
    ) -> None:
        """Without a connected account, worker/start is a 409 not_connected; nothing changes."""
        container.auth.tokens.forget()
        response = client.post(f"{PREFIX}/worker/start", json={"confirm_unreviewed": True})
        assert response.status_code == 409
        assert response.json()["error"] == "not_connected"
        assert "connect your DeviantArt account first" in response.json()["message"]
        assert container.worker_control.status().desired is WorkerDesired.STOPPED

    def test_confirmation_message_names_the_field(
        self, client: TestClient, container: Container
    ) -> None:
        """The 409 confirmation_required says which field confirms: confirm_unreviewed."""
        response = client.post(f"{PREFIX}/worker/start", json={})
        assert response.status_code == 409
        assert response.json()["error"] == "confirmation_required"
        assert 'send {"confirm_unreviewed": true}' in response.json()["message"]
        assert container.worker_control.status().desired is WorkerDesired.STOPPED

    @pytest.mark.parametrize(
        "payload", [{"confirm_unreviewed": "yes"}, {"confirm_unreviewed": 1}, {"force": True}]
    )
    def test_bad_start_body_changes_nothing(
        self, client: TestClient, container: Container, payload: object
    ) -> None:
        """A malformed start request is a 422 and the worker stays stopped."""
        before = snapshot(container)
        response = client.post(f"{PREFIX}/worker/start", json=payload)
        assert response.status_code == 422
        assert snapshot(container) == before
