"""Template usage and skips by reason over HTTP: the messages list, /usage and the status."""

from __future__ import annotations

from datetime import timedelta

from api.support import PREFIX, TestClient
from fixtures.database import METADATA_READ
from photomanager.bootstrap import Container
from photomanager.domain.models import NewQueueItem, Source
from photomanager.sandbox import Sandbox

ONE_TEXT = "Lovely work!"


def post_watch(container: Container, sandbox: Sandbox, count: int) -> None:
    """Queue `count` watch-feed deviations of distinct authors and let the worker post them."""
    now = container.clock.now()
    with container.uow_factory() as uow:
        for i in range(count):
            [deviationid] = sandbox.publish(1, author=sandbox.users[i])
            item = NewQueueItem(
                deviationid,
                Source.WATCH_FEED,
                now - timedelta(seconds=i),
                enriched_at=METADATA_READ,
            )
            uow.queue.add_deviation(item, now)
        uow.commit()
    for _ in range(count):
        container.worker.run_once()


class TestMessagesList:
    def test_each_template_carries_its_uses(
        self, client: TestClient, container: Container, sandbox: Sandbox
    ) -> None:
        """The list gives sent, last_used_at, variant_count and few_variants per template."""
        template = container.templates.create_template(title="one", body=ONE_TEXT)
        post_watch(container, sandbox, 2)
        [listed] = client.get(f"{PREFIX}/messages").json()
        assert listed["message_id"] == template.message_id
        uses = listed["uses"]
        assert (uses["sent"], uses["variant_count"], uses["few_variants"]) == (2, 1, True)
        assert uses["last_used_at"] is not None

    def test_an_unused_rich_template_is_not_flagged(
        self, client: TestClient, container: Container
    ) -> None:
        """27 variants, never used: sent 0, no last use, not few."""
        container.templates.create_template(
            title="rich", body="{a|b|c} {d|e|f} {g|h|i}, {{author}}"
        )
        [listed] = client.get(f"{PREFIX}/messages").json()
        assert listed["uses"] == {
            "sent": 0,
            "last_used_at": None,
            "variant_count": 27,
            "few_variants": False,
        }


class TestUsageEndpoint:
    def test_top_renderings_with_counts(
        self, client: TestClient, container: Container, sandbox: Sandbox
    ) -> None:
        """/usage lists the posted texts with how often each was posted."""
        template = container.templates.create_template(title="one", body=ONE_TEXT)
        post_watch(container, sandbox, 3)
        body = client.get(f"{PREFIX}/messages/{template.message_id}/usage").json()
        assert body["message_id"] == template.message_id
        assert body["uses"]["sent"] == 3
        assert body["top_renderings"] == [{"body": ONE_TEXT, "uses": 3}]

    def test_unknown_template_is_404(self, client: TestClient) -> None:
        """A template that does not exist answers 404 not_found."""
        response = client.get(f"{PREFIX}/messages/777/usage")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"

    def test_limit_out_of_range_is_422(self, client: TestClient, container: Container) -> None:
        """limit=0 is refused before any query."""
        template = container.templates.create_template(title="one", body=ONE_TEXT)
        response = client.get(f"{PREFIX}/messages/{template.message_id}/usage?limit=0")
        assert response.status_code == 422


class TestStatusSkips:
    def test_status_counts_dry_run_skips(
        self, client: TestClient, container: Container, sandbox: Sandbox
    ) -> None:
        """A dry run's rows appear as skipped_by_reason.dry_run in the status."""
        container.comment_settings.update_settings(dry_run=True)
        container.templates.create_template(title="one", body=ONE_TEXT)
        post_watch(container, sandbox, 2)
        status = client.get(f"{PREFIX}/status").json()
        assert status["skipped_by_reason"] == {"dry_run": 2}
        assert status["counts"]["skipped"] == 2
