"""Review is built once in the container, with the configured comment length, for API and CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.support import APP_URL, PREFIX, TestClient, build_container
from fixtures.database import METADATA_READ
from photomanager.api.app import create_app
from photomanager.bootstrap import Container
from photomanager.cli import app as cli_app
from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import NewQueueItem, QueueStatus, Source
from photomanager.sandbox import ManualClock, Sandbox

MAX_LENGTH = 20
TOO_LONG = "x" * (MAX_LENGTH + 1)
JUST_RIGHT = "y" * MAX_LENGTH


@pytest.fixture
def container(
    tmp_path: Path, sandbox: Sandbox, sandbox_clock: ManualClock, sqlite_template: Path
) -> Iterator[Container]:
    """A container whose comments may be at most MAX_LENGTH characters long."""
    built = build_container(
        tmp_path, sandbox, sandbox_clock, template_db=sqlite_template, comment_max_length=MAX_LENGTH
    )
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def parked(container: Container) -> str:
    """One queue row awaiting review, with a short rendered text."""
    now = container.clock.now()
    with container.uow_factory() as uow:
        uow.queue.add_deviation(
            NewQueueItem(
                "dev-review-1",
                Source.GLOBAL_FEED,
                now - timedelta(minutes=1),
                enriched_at=METADATA_READ,
            ),
            now,
        )
        claim = uow.queue.claim_one_pending(now)
        assert claim is not None
        assert uow.queue.mark_awaiting_review(
            claim, message_id=None, body_hash="h", body="Nice!", now=now
        )
        uow.commit()
    return "dev-review-1"


def _status(container: Container, deviationid: str) -> QueueStatus:
    with container.uow_factory(read_only=True) as uow:
        item = uow.queue.get(deviationid)
    assert item is not None
    return item.status


class TestOneReviewService:
    def test_api_refuses_an_edit_over_the_configured_length(
        self, container: Container, parked: str
    ) -> None:
        """POST approve with a body longer than the setting is 422; the row still awaits review."""
        with TestClient(create_app(container), base_url=APP_URL) as client:
            url = f"{PREFIX}/review/{parked}/approve"
            assert client.post(url, json={"body": TOO_LONG}).status_code == 422
            assert _status(container, parked) is QueueStatus.AWAITING_REVIEW
            assert client.post(url, json={"body": JUST_RIGHT}).status_code == 200
        assert _status(container, parked) is QueueStatus.PENDING

    def test_cli_refuses_an_edit_over_the_configured_length(
        self, container: Container, parked: str
    ) -> None:
        """`review approve --body` longer than the setting exits 1; the row still awaits review."""
        runner = CliRunner()
        refused = runner.invoke(
            cli_app, ["review", "approve", parked, "--body", TOO_LONG], obj=container
        )
        assert refused.exit_code == 1
        assert f"longer than {MAX_LENGTH}" in refused.stderr
        assert _status(container, parked) is QueueStatus.AWAITING_REVIEW

    def test_templates_obey_the_same_limit(self, container: Container) -> None:
        """The configured length is the templates' limit too."""
        with pytest.raises(InvalidInput) as refused:
            container.templates.create_template(title="long", body=TOO_LONG)
        assert refused.value.details is not None
        assert "too_long" in {issue["code"] for issue in refused.value.details}
