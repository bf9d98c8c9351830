"""Review mode end to end on the sandbox: render -> awaiting_review -> approve -> posted once."""

from __future__ import annotations

import threading

import pytest

from photomanager.domain.body_hash import body_hash
from photomanager.domain.errors import InvalidInput, NotFound
from photomanager.domain.models import LogStatus, QueueStatus, Source
from photomanager.domain.templates.sanitize import sanitize_variable
from photomanager.services.posting.outcomes import StepOutcome
from photomanager.services.upkeep.review import ReviewService
from protect.protect_support import configure, enqueue, logs, me, posts, publish, row
from services.service_harness import Harness


class PostCrashed(BaseException):
    """Stands for the process dying right after DeviantArt stored the comment."""


class CrashAfterPost:
    """The real API, except the process "dies" once a POST has reached DeviantArt."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def post_comment(self, deviationid: str, body: str, **kw: object) -> object:
        self._inner.post_comment(deviationid, body, **kw)  # type: ignore[attr-defined]
        raise PostCrashed


@pytest.fixture
def review(harness: Harness) -> ReviewService:
    return ReviewService(uow_factory=harness.uow_factory, clock=harness.clock)


@pytest.fixture
def parked(harness: Harness) -> str:
    """One global-feed deviation rendered and parked for review."""
    harness.add_template()
    [deviationid] = publish(harness, 1)
    enqueue(harness, [deviationid], Source.GLOBAL_FEED)
    assert harness.worker.run_once().outcome is StepOutcome.REVIEW
    return deviationid


class TestParking:
    def test_a_reviewed_source_is_parked_with_its_text_and_not_posted(
        self, harness: Harness, parked: str
    ) -> None:
        """The worker renders the comment, parks the row as awaiting_review, posts nothing."""
        item = row(harness, parked)
        assert item.status is QueueStatus.AWAITING_REVIEW
        assert item.body
        assert item.body_hash == body_hash(item.body)
        assert item.claim_token is None
        assert posts(harness) == 0

    def test_a_parked_row_is_not_claimed_again(self, harness: Harness, parked: str) -> None:
        """With only parked rows, the worker is idle."""
        assert harness.worker.run_once().outcome is StepOutcome.IDLE
        assert posts(harness) == 0

    def test_an_unreviewed_source_is_posted_directly(self, harness: Harness) -> None:
        """Watch-feed rows (not in review_sources by default) are posted at once."""
        harness.add_template()
        [deviationid] = publish(harness, 1)
        enqueue(harness, [deviationid], Source.WATCH_FEED)
        assert harness.worker.run_once().outcome is StepOutcome.SENT
        assert posts(harness) == 1

    def test_review_can_be_switched_on_for_the_watch_feed(self, harness: Harness) -> None:
        """review_sources decides which sources are parked."""
        configure(harness, review_sources=["watch_feed", "global_feed"])
        harness.add_template()
        [deviationid] = publish(harness, 1)
        enqueue(harness, [deviationid], Source.WATCH_FEED)
        assert harness.worker.run_once().outcome is StepOutcome.REVIEW


class TestApprove:
    def test_an_approved_comment_is_posted_once_with_exactly_its_text(
        self, harness: Harness, review: ReviewService, parked: str
    ) -> None:
        """approve -> pending; the worker posts the parked body, once."""
        parked_body = row(harness, parked).body
        assert review.approve(parked).status is QueueStatus.PENDING
        assert harness.worker.run_once().outcome is StepOutcome.SENT
        assert harness.worker.run_once().outcome is StepOutcome.IDLE
        [comment] = harness.sandbox.ledger.comments_for(parked)
        assert comment.body == parked_body
        assert row(harness, parked).status is QueueStatus.COMMENTED
        assert posts(harness) == 1

    def test_an_edited_text_is_what_gets_posted(
        self, harness: Harness, review: ReviewService, parked: str
    ) -> None:
        """approve with a body posts that body, trimmed."""
        review.approve(parked, "  Thank you for sharing this!  ")
        harness.worker.run_once()
        [comment] = harness.sandbox.ledger.comments_for(parked)
        assert comment.body == "Thank you for sharing this!"

    def test_variables_in_an_edited_text_are_filled_in(
        self, harness: Harness, review: ReviewService, parked: str
    ) -> None:
        """An edit is a template: {{author}} and groups are rendered at approval, not raw."""
        author = sanitize_variable(row(harness, parked).author or "")
        approved = review.approve(parked, "Lovely {work|piece}, {{author}}!")
        assert approved.body in (f"Lovely work, {author}!", f"Lovely piece, {author}!")
        harness.worker.run_once()
        [comment] = harness.sandbox.ledger.comments_for(parked)
        assert comment.body == approved.body
        assert "{" not in comment.body

    def test_a_broken_edit_says_where(
        self, harness: Harness, review: ReviewService, parked: str
    ) -> None:
        """An unclosed group or unknown variable in an edit is refused with its position."""
        before = row(harness, parked)
        with pytest.raises(InvalidInput) as refused:
            review.approve(parked, "Nice {work, {{autor}}")
        assert "line 1, column" in refused.value.message
        assert {issue["code"] for issue in refused.value.details} >= {
            "unclosed_group",
            "unknown_variable",
        }
        assert row(harness, parked) == before

    @pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
    def test_an_invalid_edit_is_refused_and_changes_nothing(
        self, harness: Harness, review: ReviewService, parked: str, body: str
    ) -> None:
        """Empty or too long edited text: InvalidInput, the row still awaits review."""
        before = row(harness, parked)
        with pytest.raises(InvalidInput):
            review.approve(parked, body)
        assert row(harness, parked) == before

    def test_approving_a_row_not_awaiting_review_is_not_found(
        self, harness: Harness, review: ReviewService, parked: str
    ) -> None:
        """A second approval of the same row is refused."""
        review.approve(parked)
        with pytest.raises(NotFound):
            review.approve(parked)

    def test_approve_all_approves_the_listed_rows_and_reports_the_rest(
        self, harness: Harness, review: ReviewService
    ) -> None:
        """approve-all moves every listed parked row to pending; unknown ids are reported."""
        harness.add_template()
        ids = publish(harness, 3)
        enqueue(harness, ids, Source.GLOBAL_FEED)
        for _ in ids:
            harness.worker.run_once()
        result = review.approve_all([*ids, "not-a-row"])
        assert result.approved == ids
        assert result.not_found == ["not-a-row"]
        assert {row(harness, d).status for d in ids} == {QueueStatus.PENDING}


class TestSkip:
    def test_a_skipped_comment_is_never_posted(
        self, harness: Harness, review: ReviewService, parked: str
    ) -> None:
        """skip -> skipped with a log row; the worker never posts it."""
        assert review.skip(parked).status is QueueStatus.SKIPPED
        assert harness.worker.run_once().outcome is StepOutcome.IDLE
        assert posts(harness) == 0
        [entry] = logs(harness, LogStatus.SKIPPED)
        assert entry.deviationid == parked

    def test_a_skipped_row_cannot_be_approved(
        self, harness: Harness, review: ReviewService, parked: str
    ) -> None:
        """Skipping is final."""
        review.skip(parked)
        with pytest.raises(NotFound):
            review.approve(parked)


class TestCrashBetweenApprovalAndRecord:
    def test_a_crash_after_the_post_is_reconciled_to_one_comment(
        self, harness: Harness, review: ReviewService, parked: str
    ) -> None:
        """POST reached DeviantArt, the DB never heard: lease expiry + reconcile -> once."""
        review.approve(parked)
        crashing = CrashAfterPost(harness.api)
        harness.worker._api = crashing  # type: ignore[assignment]  # the process "dies" there
        with pytest.raises(PostCrashed):
            harness.worker.run_once()
        harness.worker._api = harness.api
        assert row(harness, parked).status is QueueStatus.SENDING
        reconciler = harness.worker.reconciler
        harness.clock.advance(reconciler.lease.total_seconds() + 1)
        assert reconciler.expire_claims() == 1
        result = reconciler.reconcile(parked, me(harness), threading.Event())
        assert result.outcome is StepOutcome.SENT
        assert harness.worker.run_once().outcome is StepOutcome.IDLE
        assert len(harness.sandbox.ledger.comments_for(parked)) == 1
        assert row(harness, parked).status is QueueStatus.COMMENTED
