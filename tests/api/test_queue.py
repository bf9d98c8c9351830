"""The queue through the API: keyset pages, clear, remove selected, reset failed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.support import PREFIX, TestClient, post_one, snapshot
from fixtures.database import add_unknown_row
from photomanager.bootstrap import Container
from photomanager.domain.models import QueueStatus

ITEM_FIELDS = {
    "deviationid",
    "source",
    "ts",
    "status",
    "attempts",
    "last_error",
    "title",
    "author",
    "url",
}


def _all_ids(client: TestClient, **params: object) -> list[str]:
    ids: list[str] = []
    cursor: str | None = None
    while True:
        query = dict(params, limit=7) | ({"cursor": cursor} if cursor else {})
        page = client.get(f"{PREFIX}/queue", params=query).json()
        ids += [item["deviationid"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


class TestListQueue:
    def test_items_have_the_documented_fields(
        self, client: TestClient, collected: Container
    ) -> None:
        """Each item carries the documented fields (ids, source, status, error, title...)."""
        [item] = client.get(f"{PREFIX}/queue", params={"limit": 1}).json()["items"]
        assert set(item) >= ITEM_FIELDS
        assert item["source"] == "watch_feed"

    def test_keyset_pages_cover_every_row_once(
        self, client: TestClient, collected: Container
    ) -> None:
        """Following next_cursor visits every row exactly once, newest first."""
        ids = _all_ids(client)
        assert len(ids) == len(set(ids)) == collected.queue.stats()[QueueStatus.PENDING]

    def test_status_filter(self, client: TestClient, posting: Container) -> None:
        """?status= keeps only rows in that state."""
        result = post_one(posting)
        assert _all_ids(client, status="commented") == [result.deviationid]

    @pytest.mark.parametrize(
        "params",
        [
            {"status": "bogus"},
            {"limit": 0},
            {"limit": 501},
            {"limit": "many"},
            {"cursor": "not-a-cursor"},
            {"cursor": "x" * 201},
        ],
    )
    def test_bad_query_is_422(self, client: TestClient, params: dict[str, object]) -> None:
        """Unknown statuses, out-of-range limits and foreign cursors are 422s."""
        response = client.get(f"{PREFIX}/queue", params=params)
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_input"


class TestClearQueue:
    def test_clear_by_status(self, client: TestClient, posting: Container) -> None:
        """Clearing one status leaves the other rows."""
        post_one(posting)
        pending = posting.queue.stats()[QueueStatus.PENDING]
        response = client.post(f"{PREFIX}/queue/clear", json={"status": "pending"})
        assert response.json() == {"count": pending}
        assert {s: n for s, n in posting.queue.stats().items() if n} == {QueueStatus.COMMENTED: 1}

    def test_clear_everything(self, client: TestClient, collected: Container) -> None:
        """Clearing without a status empties the queue."""
        assert client.post(f"{PREFIX}/queue/clear", json={}).json()["count"] > 0
        assert sum(collected.queue.stats().values()) == 0

    @pytest.mark.parametrize("payload", [{"status": "nope"}, {"status": 3}, {"all": True}])
    def test_bad_body_changes_nothing(
        self, client: TestClient, collected: Container, payload: object
    ) -> None:
        """A malformed clear request is a 422 and no row is deleted."""
        before = snapshot(collected)
        assert client.post(f"{PREFIX}/queue/clear", json=payload).status_code == 422
        assert snapshot(collected) == before


class TestRemoveSelected:
    def test_removes_given_rows(self, client: TestClient, collected: Container) -> None:
        """The selected rows are deleted, the others stay."""
        ids = _all_ids(client)[:3]
        response = client.post(f"{PREFIX}/queue/remove-selected", json={"deviationids": ids})
        assert response.json() == {"count": 3}
        assert not set(ids) & set(_all_ids(client))

    def test_refuses_rows_being_sent(self, client: TestClient, collected: Container) -> None:
        """A row in `sending` makes the whole request a 409; nothing is removed."""
        with collected.uow_factory() as uow:
            claim = uow.queue.claim_one_pending(collected.clock.now())
            uow.commit()
        assert claim is not None
        before = snapshot(collected)
        other = next(i for i in _all_ids(client) if i != claim.deviationid)
        response = client.post(
            f"{PREFIX}/queue/remove-selected",
            json={"deviationids": [other, claim.deviationid]},
        )
        assert response.status_code == 409
        assert response.json()["error"] == "conflict"
        assert snapshot(collected) == before

    @pytest.mark.parametrize(
        "payload",
        [{"deviationids": []}, {"deviationids": "abc"}, {"deviationids": ["x" * 65]}, {}],
    )
    def test_bad_body_is_422(
        self, client: TestClient, collected: Container, payload: object
    ) -> None:
        """Empty, wrong-typed or oversize id lists are refused; nothing changes."""
        before = snapshot(collected)
        assert client.post(f"{PREFIX}/queue/remove-selected", json=payload).status_code == 422
        assert snapshot(collected) == before

    def test_too_many_ids_is_422(self, client: TestClient) -> None:
        """More than 500 ids in one request is refused."""
        payload = {"deviationids": [f"id-{n}" for n in range(501)]}
        assert client.post(f"{PREFIX}/queue/remove-selected", json=payload).status_code == 422


class TestResetFailed:
    def test_failed_rows_back_to_pending(self, client: TestClient, posting: Container) -> None:
        """A row failed for good (deleted deviation) is pending again after reset-failed."""
        [newest] = _all_ids(client)[:1]
        posting.sandbox.delete_deviation(newest)  # type: ignore[union-attr]
        posting.worker.run_once()
        assert posting.queue.stats()[QueueStatus.FAILED] == 1
        assert client.post(f"{PREFIX}/reset-failed", json={}).json() == {"count": 1}
        assert posting.queue.stats()[QueueStatus.FAILED] == 0


class TestResolveUnknown:
    def test_posted_settles_the_row_as_commented(
        self, client: TestClient, container: Container
    ) -> None:
        """POST resolve-unknown {posted: true}: the row is commented."""
        deviationid = add_unknown_row(container.uow_factory, "UNK-1", datetime.now(UTC))
        response = client.post(
            f"{PREFIX}/queue/resolve-unknown", json={"deviationid": deviationid, "posted": True}
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "commented"

    def test_a_row_that_is_not_unknown_is_a_409(
        self, client: TestClient, container: Container
    ) -> None:
        """Settling a commented row again is refused with a message."""
        deviationid = add_unknown_row(container.uow_factory, "UNK-1", datetime.now(UTC))
        body = {"deviationid": deviationid, "posted": False}
        assert client.post(f"{PREFIX}/queue/resolve-unknown", json=body).status_code == 200
        again = client.post(f"{PREFIX}/queue/resolve-unknown", json=body)
        assert again.status_code == 409
        assert "not unknown" in again.json()["message"]

    @pytest.mark.parametrize(
        "body", [{"deviationid": "X"}, {"deviationid": "X", "posted": "yes"}, {"posted": True}]
    )
    def test_bad_bodies_are_422(self, client: TestClient, body: dict[str, object]) -> None:
        """`posted` must be a real boolean and the id is required."""
        assert client.post(f"{PREFIX}/queue/resolve-unknown", json=body).status_code == 422
