"""The review endpoints and the one-time confirmation to post without review, over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.support import JSON, PREFIX, TestClient
from fixtures.database import METADATA_READ
from photomanager.bootstrap import Container
from photomanager.domain.models import NewQueueItem, QueueStatus, Source, WorkerDesired
from photomanager.sandbox import Sandbox

REVIEW = f"{PREFIX}/review"


def park(container: Container, sandbox: Sandbox, count: int) -> list[str]:
    """Queue `count` global-feed deviations (distinct authors) and let the worker park them."""
    container.templates.create_template(title="t", body="{Lovely|Great} work, {{author}}!")
    ids = [sandbox.publish(1, author=sandbox.users[i])[0] for i in range(count)]
    now = container.clock.now()
    with container.uow_factory() as uow:
        for i, deviationid in enumerate(ids):
            shown = sandbox.deviation(deviationid)
            uow.queue.add_deviation(
                NewQueueItem(
                    deviationid,
                    Source.GLOBAL_FEED,
                    now - timedelta(seconds=i),
                    author=shown["author"]["username"],
                    enriched_at=METADATA_READ,
                ),
                now,
            )
        uow.commit()
    for _ in ids:
        container.worker.run_once()
    return ids


def status_of(container: Container, deviationid: str) -> QueueStatus:
    with container.uow_factory() as uow:
        item = uow.queue.get(deviationid)
    assert item is not None
    return item.status


class TestReviewList:
    def test_lists_parked_comments_with_their_text(
        self, client: TestClient, container: Container, sandbox: Sandbox
    ) -> None:
        """GET review returns the parked rows, newest first, each with its body."""
        ids = park(container, sandbox, 3)
        page = client.get(REVIEW, params={"limit": 2}).json()
        assert [item["deviationid"] for item in page["items"]] == ids[:2]
        assert all(item["body"] for item in page["items"])
        rest = client.get(REVIEW, params={"cursor": page["next_cursor"]}).json()
        assert [item["deviationid"] for item in rest["items"]] == ids[2:]
        assert rest["next_cursor"] is None

    def test_a_bad_limit_is_422(self, client: TestClient) -> None:
        """limit=0 is refused."""
        assert client.get(REVIEW, params={"limit": 0}).status_code == 422


class TestReviewCommands:
    def test_approve_with_an_edit(
        self, client: TestClient, container: Container, sandbox: Sandbox
    ) -> None:
        """POST approve {body} stores the edited text and makes the row pending."""
        [deviationid] = park(container, sandbox, 1)
        response = client.post(f"{REVIEW}/{deviationid}/approve", json={"body": "Beautiful!"})
        assert response.status_code == 200
        assert response.json()["body"] == "Beautiful!"
        assert status_of(container, deviationid) is QueueStatus.PENDING

    def test_approve_without_a_body(
        self, client: TestClient, container: Container, sandbox: Sandbox
    ) -> None:
        """POST approve with no JSON body approves the parked text."""
        [deviationid] = park(container, sandbox, 1)
        response = client.post(f"{REVIEW}/{deviationid}/approve", headers=JSON)
        assert response.status_code == 200
        assert status_of(container, deviationid) is QueueStatus.PENDING

    def test_an_empty_edit_is_422_and_changes_nothing(
        self, client: TestClient, container: Container, sandbox: Sandbox
    ) -> None:
        """An empty edited body is refused."""
        [deviationid] = park(container, sandbox, 1)
        response = client.post(f"{REVIEW}/{deviationid}/approve", json={"body": "  "})
        assert response.status_code == 422
        assert status_of(container, deviationid) is QueueStatus.AWAITING_REVIEW

    def test_unknown_id_is_404(self, client: TestClient) -> None:
        """Approving or skipping a row not awaiting review is 404."""
        assert client.post(f"{REVIEW}/nope/approve", json={}).status_code == 404
        assert client.post(f"{REVIEW}/nope/skip", headers=JSON).status_code == 404

    def test_skip(self, client: TestClient, container: Container, sandbox: Sandbox) -> None:
        """POST skip makes the row skipped."""
        [deviationid] = park(container, sandbox, 1)
        response = client.post(f"{REVIEW}/{deviationid}/skip", headers=JSON)
        assert response.json()["status"] == "skipped"
        assert status_of(container, deviationid) is QueueStatus.SKIPPED

    def test_approve_all(self, client: TestClient, container: Container, sandbox: Sandbox) -> None:
        """POST approve-all approves the listed rows and reports ids not awaiting review."""
        ids = park(container, sandbox, 2)
        response = client.post(f"{REVIEW}/approve-all", json={"deviationids": [*ids, "gone"]})
        assert response.json() == {"approved": ids, "not_found": ["gone"]}
        assert {status_of(container, d) for d in ids} == {QueueStatus.PENDING}

    def test_approve_all_needs_ids(self, client: TestClient) -> None:
        """An empty list is 422."""
        assert client.post(f"{REVIEW}/approve-all", json={"deviationids": []}).status_code == 422


class TestStartConfirmation:
    def test_unreviewed_start_needs_a_confirmation(
        self, client: TestClient, container: Container
    ) -> None:
        """Default settings post the watch feed unreviewed: 409 confirmation_required."""
        response = client.post(f"{PREFIX}/worker/start", json={})
        assert response.status_code == 409
        body = response.json()
        assert body["error"] == "confirmation_required"
        assert "review" in body["message"]
        assert container.worker_control.status().desired is WorkerDesired.STOPPED

    def test_confirming_starts_and_is_remembered(
        self, client: TestClient, container: Container
    ) -> None:
        """With confirm_unreviewed the worker starts; later starts need no confirmation."""
        response = client.post(f"{PREFIX}/worker/start", json={"confirm_unreviewed": True})
        assert response.status_code == 200
        assert response.json()["confirmed_unreviewed"] is True
        client.post(f"{PREFIX}/worker/stop", headers=JSON)
        assert client.post(f"{PREFIX}/worker/start", json={}).status_code == 200
        assert container.worker_control.status().confirmed_unreviewed

    @pytest.mark.parametrize(
        "settings",
        [{"review_sources": ["watch_feed", "global_feed", "tags"]}, {"dry_run": True}],
        ids=["all-reviewed", "dry-run"],
    )
    def test_no_confirmation_when_nothing_unreviewed_is_posted(
        self, client: TestClient, container: Container, settings: dict[str, object]
    ) -> None:
        """Every source reviewed, or dry run on: the start needs no confirmation."""
        container.comment_settings.update_settings(**settings)
        assert client.post(f"{PREFIX}/worker/start", json={}).status_code == 200
        assert not container.worker_control.status().confirmed_unreviewed
