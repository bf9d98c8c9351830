"""A template deleted while the worker posts a text rendered from it breaks nothing."""

from __future__ import annotations

import random
from datetime import datetime

from photomanager.domain.models import Comment, LogStatus, QueueStatus
from photomanager.services.ports import DeviantArtApi
from photomanager.services.posting.outcomes import StepOutcome
from photomanager.services.posting.worker import CommentWorker
from protect.protect_support import enqueue, logs, posts, publish, row
from services.service_harness import Harness


class DeleteTemplateWhilePosting:
    """The real API; the artist deletes the template while the POST is on the wire."""

    def __init__(self, inner: DeviantArtApi, harness: Harness, message_id: int) -> None:
        self._inner = inner
        self._harness = harness
        self._message_id = message_id

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def post_comment(
        self, deviationid: str, body: str, *, deadline: datetime | None = None
    ) -> Comment:
        self._harness.templates.delete_template(self._message_id)
        return self._inner.post_comment(deviationid, body, deadline=deadline)


class TestTemplateDeletedMidway:
    def test_the_comment_is_recorded_with_its_text_and_no_template(self, harness: Harness) -> None:
        """The row becomes commented and the log keeps the text; the link is simply gone."""
        template = harness.add_template()
        [deviationid] = publish(harness, 1)
        enqueue(harness, [deviationid])
        worker = CommentWorker(
            uow_factory=harness.uow_factory,
            api=DeleteTemplateWhilePosting(harness.api, harness, template.message_id),  # type: ignore[arg-type]
            clock=harness.clock,
            rng=random.Random(3),
        )

        result = worker.run_once()

        assert result.outcome is StepOutcome.SENT
        item = row(harness, deviationid)
        assert (item.status, item.message_id) == (QueueStatus.COMMENTED, None)
        [sent] = logs(harness, LogStatus.SENT)
        assert (sent.body, sent.message_id) == (item.body, None)
        assert posts(harness) == 1
