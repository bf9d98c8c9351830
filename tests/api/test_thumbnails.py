"""Thumbnails from the feeds: kept from a collect, served by the review and queue API, only
from the allowed image hosts; the Content-Security-Policy allows those hosts and no others."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.support import APP_URL, PREFIX, TestClient, build_container
from fixtures.database import METADATA_READ, add_review_row
from photomanager.api.app import create_app
from photomanager.api.security import CONTENT_SECURITY_POLICY
from photomanager.bootstrap import Container
from photomanager.domain.images import DEVIANTART_IMAGE_ORIGIN
from photomanager.domain.models import NewQueueItem, QueueStatus, Source
from photomanager.sandbox import ManualClock, Sandbox

# The in-process transport never dials it; the sandbox names its image URLs after it.
SANDBOX_URL = "http://127.0.0.1:9"


@pytest.fixture
def demo(
    tmp_path: Path, sandbox: Sandbox, sandbox_clock: ManualClock, sqlite_template: Path
) -> Iterator[Container]:
    """A sandbox-mode container whose DeviantArt is addressed as SANDBOX_URL."""
    built = build_container(
        tmp_path, sandbox, sandbox_clock, template_db=sqlite_template, da_base_url=SANDBOX_URL
    )
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def demo_client(demo: Container) -> Iterator[TestClient]:
    with TestClient(create_app(demo), base_url=APP_URL) as client:
        yield client


def held(container: Container, deviationid: str, thumbnail_url: str) -> None:
    """A row held for review with the given (possibly hostile) stored thumbnail."""
    now = datetime.now(UTC)
    item = NewQueueItem(
        deviationid,
        Source.GLOBAL_FEED,
        now,
        author="a",
        title="t",
        enriched_at=METADATA_READ,
        thumbnail_url=thumbnail_url,
    )
    add_review_row(container.uow_factory, item, now, body=f"Nice {deviationid}!")


class TestCollectedThumbnails:
    def test_a_collect_keeps_each_deviations_thumbnail(
        self, demo: Container, demo_client: TestClient
    ) -> None:
        """Rows collected in demo mode carry the sandbox's 150 px picture; the API shows it."""
        run = demo.collect_runs.start(Source.WATCH_FEED, pages=1)
        demo.collect_runs.wait(run.run_id, timeout=30)
        items = demo_client.get(f"{PREFIX}/queue?limit=20").json()["items"]
        assert items
        for item in items:
            assert item["thumbnail_url"] == (
                f"{SANDBOX_URL}/sandbox/images/{item['deviationid']}-150.svg"
            )

    def test_the_policy_allows_the_sandbox_images_in_demo_mode(
        self, demo_client: TestClient
    ) -> None:
        """img-src: self, DeviantArt's image host and the sandbox; nothing else changes."""
        policy = demo_client.get("/auto-comments").headers["content-security-policy"]
        assert f"img-src 'self' {SANDBOX_URL} {DEVIANTART_IMAGE_ORIGIN};" in policy
        assert policy.replace(f" {SANDBOX_URL}", "") == CONTENT_SECURITY_POLICY


class TestServedThumbnails:
    def test_review_serves_only_allowed_thumbnails(
        self, container: Container, client: TestClient
    ) -> None:
        """A stored URL off the image hosts (written by hand, say) is served as null."""
        good = f"{DEVIANTART_IMAGE_ORIGIN}/f/x/150.jpg"
        held(container, "GOOD-THUMB", good)
        held(container, "EVIL-THUMB", "https://evil.example/track.gif")
        items = client.get(f"{PREFIX}/review").json()["items"]
        shown = {item["deviationid"]: item["thumbnail_url"] for item in items}
        assert shown == {"GOOD-THUMB": good, "EVIL-THUMB": None}
        queued = client.get(f"{PREFIX}/queue?status={QueueStatus.AWAITING_REVIEW.value}").json()
        assert {i["deviationid"]: i["thumbnail_url"] for i in queued["items"]} == shown

    def test_outside_demo_mode_the_policy_names_deviantarts_image_host_only(
        self, client: TestClient
    ) -> None:
        """The page's img-src is this origin and DeviantArt's image host."""
        policy = client.get("/auto-comments").headers["content-security-policy"]
        assert policy == CONTENT_SECURITY_POLICY
        assert f"img-src 'self' {DEVIANTART_IMAGE_ORIGIN};" in policy
