"""The render step: the text for a claimed row, and the two ways it stops short of a POST.

The text is the one the row already carries (approved in review, or rendered
before a retry), else a fresh rendering: least recently used template first,
never a text posted in the last 30 days if avoidable (see `repeat_guard`),
titles and author names sanitised first (see `sanitize`). A dry run logs the
text as `dry_run` and sets the row aside as `skipped` with `DRY_RUN_REASON`;
a row the artist must approve first is parked as `awaiting_review` with its text.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from photomanager.domain.body_hash import body_hash
from photomanager.domain.clock import Clock
from photomanager.domain.models import Claim, CommentTemplate, LogStatus
from photomanager.domain.templates.sanitize import sanitize_variable
from photomanager.services.account.identity import Me
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.posting.outcomes import StepOutcome, StepResult
from photomanager.services.posting.repeat_guard import REPEAT_WINDOW, choose_rendering

# The exact reason on rows a dry run set aside; `requeue_dry_run` matches it.
DRY_RUN_REASON = "dry run: nothing posted (queued again once dry run is off)"


class Rendering:
    """Chooses and renders the text of a claimed row; sets it aside when it is not to be sent."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, clock: Clock, rng: random.Random) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._rng = rng

    def render(
        self, claim: Claim, templates: Sequence[CommentTemplate], me: Me
    ) -> tuple[int | None, str]:
        """(template id, text) for the row; raises `InvalidInput` if no template renders."""
        item = claim.item
        if item.body and item.body_hash:
            # Rendered (and possibly approved) before: post exactly that text.
            return item.message_id, item.body
        # Titles and names are written by strangers: never quote them raw.
        variables = {
            "author": sanitize_variable(item.author or ""),
            "title": sanitize_variable(item.title or ""),
            "username": sanitize_variable(me.username or ""),
        }
        now = self._clock.now()
        with self._uow_factory(read_only=True) as uow:
            # Texts awaiting review will be posted too: do not repeat them either.
            # From the log's own texts too: housekeeping may have removed the queue rows.
            recent = uow.logs.recent_body_hashes(now - REPEAT_WINDOW)
            recent |= {body_hash(text) for text in uow.logs.recent_bodies(now - REPEAT_WINDOW)}
            recent |= uow.queue.awaiting_review_body_hashes()
            usage = uow.logs.template_usage()
        rendering = choose_rendering(
            templates,
            variables,
            self._rng,
            recent_hashes=recent,
            last_used={message_id: used_at for message_id, (_, used_at) in usage.items()},
        )
        return rendering.message_id, rendering.body

    def dry_run(self, claim: Claim, message_id: int | None, body: str) -> StepResult:
        """Log what would be posted; set the row aside until dry run is off."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            if not uow.queue.mark_skipped(claim, DRY_RUN_REASON, now):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
            uow.logs.append(
                deviationid=claim.deviationid,
                status=LogStatus.DRY_RUN,
                now=now,
                message_id=message_id,
                body=body,
                error_message="dry run: not posted",
            )
            uow.commit()
        return StepResult(StepOutcome.DRY_RUN, deviationid=claim.deviationid, body=body)

    def park_for_review(
        self, claim: Claim, message_id: int | None, body: str, fingerprint: str
    ) -> StepResult:
        """Keep the rendered text on the row for the artist to approve or skip."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            ok = uow.queue.mark_awaiting_review(
                claim, message_id=message_id, body_hash=fingerprint, body=body, now=now
            )
            uow.commit()
        outcome = StepOutcome.REVIEW if ok else StepOutcome.LOST_CLAIM
        return StepResult(outcome, deviationid=claim.deviationid, body=body)
