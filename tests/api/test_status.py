"""The status report: counts, totals, worker, account, caps, sandbox flag."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from api.support import PREFIX, TestClient, post_one
from photomanager.bootstrap import Container
from photomanager.domain.models import QueueStatus, Source
from photomanager.services.collecting.collect_runs import CollectRuns
from photomanager.services.collecting.collector import FeedCollector
from photomanager.services.collecting.sources import default_sources
from photomanager.services.reporting.status import StatusService


def _gated_runs(container: Container, gate: threading.Event) -> CollectRuns:
    """Collect runs whose threads wait for `gate` before reading the feed."""

    def thread_factory(*, target: Callable[..., None], **kwargs: Any) -> threading.Thread:
        def gated(*args: Any) -> None:
            gate.wait(30)
            target(*args)

        return threading.Thread(target=gated, **kwargs)

    runs = CollectRuns(
        collector=FeedCollector(
            uow_factory=container.uow_factory, api=container.api, clock=container.clock
        ),
        sources=default_sources(),
        clock=container.clock,
        thread_factory=thread_factory,
    )
    container.collect_runs = runs
    container.status = StatusService(
        uow_factory=container.uow_factory, clock=container.clock, collect_runs=runs
    )
    return runs


class TestStatus:
    def test_every_queue_status_is_counted(self, client: TestClient) -> None:
        """Counts list every queue status, zero included."""
        counts = client.get(f"{PREFIX}/status").json()["counts"]
        assert set(counts) == {status.value for status in QueueStatus}
        assert set(counts.values()) == {0}

    def test_counts_follow_the_queue(self, client: TestClient, collected: Container) -> None:
        """After a collect, the pending count equals the rows in the queue."""
        counts = client.get(f"{PREFIX}/status").json()["counts"]
        assert counts["pending"] == collected.queue.stats()[QueueStatus.PENDING] > 0

    def test_sandbox_and_account(self, client: TestClient) -> None:
        """Demo mode is flagged and the sandbox account shows as connected."""
        body = client.get(f"{PREFIX}/status").json()
        assert body["sandbox"] is True
        assert body["account"]["connected"] is True
        assert body["account"]["username"]

    def test_caps_reflect_settings(self, client: TestClient, container: Container) -> None:
        """Effective caps come from the saved settings."""
        container.comment_settings.update_settings(max_per_hour=7, max_per_day=70)
        caps = client.get(f"{PREFIX}/status").json()["caps"]
        assert (caps["max_per_hour"], caps["max_per_day"]) == (7, 70)
        assert caps["remaining_this_hour"] == 7

    def test_worker_state_and_reason(self, client: TestClient, container: Container) -> None:
        """The worker block shows desired state and the stop reason."""
        container.worker_control.start()
        container.worker_control.stop()
        worker = client.get(f"{PREFIX}/status").json()["worker"]
        assert worker["desired"] == "stopped"
        assert worker["reason"] == "stopped by request"
        assert worker["alive"] is False

    def test_running_collect_appears(self, client: TestClient, container: Container) -> None:
        """A collect run in progress is listed with its progress, then with its result."""
        gate = threading.Event()
        runs = _gated_runs(container, gate)
        run = runs.start(Source.GLOBAL_FEED, pages=1)
        listed = client.get(f"{PREFIX}/status").json()["collect_runs"]
        gate.set()
        runs.wait(run.run_id, timeout=30)
        assert [r["run_id"] for r in listed] == [run.run_id]
        assert listed[0]["state"] == "running"
        [finished] = client.get(f"{PREFIX}/status").json()["collect_runs"]
        assert finished["state"] == "done"
        assert finished["found"] == finished["new"] + sum(finished["filtered"].values())

    def test_finished_runs_leave_after_ten_minutes(
        self, client: TestClient, container: Container
    ) -> None:
        """A finished run stays in the status for ten minutes, then drops out."""
        run = container.collect_runs.start(Source.GLOBAL_FEED, pages=1)
        container.collect_runs.wait(run.run_id, timeout=30)
        container.clock.advance(9 * 60)  # type: ignore[attr-defined]
        assert len(client.get(f"{PREFIX}/status").json()["collect_runs"]) == 1
        container.clock.advance(2 * 60)  # type: ignore[attr-defined]
        assert client.get(f"{PREFIX}/status").json()["collect_runs"] == []

    def test_at_most_five_finished_runs(self, client: TestClient, container: Container) -> None:
        """Only the five newest finished runs are shown."""
        for _ in range(6):
            run = container.collect_runs.start(Source.GLOBAL_FEED, pages=1)
            container.collect_runs.wait(run.run_id, timeout=30)
            container.clock.advance(1)  # type: ignore[attr-defined]
        listed = client.get(f"{PREFIX}/status").json()["collect_runs"]
        assert len(listed) == 5
        assert all(r["state"] == "done" for r in listed)

    def test_processed_totals_count_sent_comments(
        self, client: TestClient, posting: Container
    ) -> None:
        """A posted comment counts in sent today and this hour."""
        post_one(posting)
        processed = client.get(f"{PREFIX}/status").json()["processed"]
        assert processed["sent_today"] == processed["sent_this_hour"] == 1


class TestHealth:
    def test_healthz(self, client: TestClient) -> None:
        """/healthz answers ok."""
        assert client.get("/healthz").json() == {"status": "ok"}

    def test_home_redirects_to_page(self, client: TestClient) -> None:
        """/ redirects to the web page."""
        response = client.get("/", follow_redirects=False)
        assert response.status_code in (302, 303, 307)
        assert response.headers["location"] == "/auto-comments"
