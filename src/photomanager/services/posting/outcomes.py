"""What one worker step did, for the loop, the tests and the status page."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class StepOutcome(enum.StrEnum):
    IDLE = "idle"  # nothing due in the queue
    NO_TEMPLATES = "no_templates"  # no active template: the worker stops
    SENT = "sent"  # posted (or found posted by reconciliation)
    FAILED = "failed"  # permanent for this deviation
    RETRY = "retry"  # surely not delivered: back to pending later
    UNKNOWN = "unknown"  # may have landed: reconciliation decides
    PAUSED = "paused"  # an account problem; the row was released untouched
    BLOCKED = "blocked"  # DeviantArt acts against the account: stopped for good
    STOPPED = "stopped"  # a stop request interrupted the step; the row was released
    LOST_CLAIM = "lost_claim"  # another worker took the row over (expired lease)
    REVIEW = "review"  # rendered and parked for the artist's review; nothing posted
    DRY_RUN = "dry_run"  # rendered and logged only (dry run); nothing posted
    SKIPPED = "skipped"  # a per-author limit forbids a comment; nothing posted
    RELEASED = "released"  # too late to post inside the claim lease: row given back, unsent
    REVIEW_FULL = "review_full"  # nothing to post; enough texts already await review


# Outcomes that prepared or skipped a row without any request: a short wait only.
QUIET_OUTCOMES = frozenset({StepOutcome.REVIEW, StepOutcome.DRY_RUN, StepOutcome.SKIPPED})


@dataclass(frozen=True, slots=True)
class StepResult:
    """The outcome of `CommentWorker.run_once()`."""

    outcome: StepOutcome
    deviationid: str | None = None
    commentid: str | None = None
    error: str | None = None
    retry_after: float | None = None
    pause_until: datetime | None = None
    body: str | None = None
    # True whenever `post_comment` was called in this step, whatever came of it:
    # a request may have reached DeviantArt, so pacing applies before the next one.
    posted: bool = False
