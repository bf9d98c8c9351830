"""The comment queue (`deviation_comment_queue`) and its state machine.

Every transition out of a claim matches deviationid AND claim_token AND the
expected statuses, so a worker whose claim went stale changes nothing.

One repository, written in parts that each hold one concern and import none
of the others (only `rows`, what they share):

- `adds`: new deviations, in batches, never one already commented;
- `listing`: one row, counts, pages, `unknown` rows;
- `claims`: claiming a row (worker, reconciler), expiring stale claims;
- `transitions`: what becomes of a claimed row, guarded by its token;
- `review`: texts awaiting the artist's review, approved or skipped;
- `commands`: the artist's bulk commands (retry failed, requeue, remove, clear);
- `pruning`: expired rows for housekeeping.
"""

from __future__ import annotations

from photomanager.storage.repositories.queue.adds import QueueAdds
from photomanager.storage.repositories.queue.claims import QueueClaims
from photomanager.storage.repositories.queue.commands import QueueCommands
from photomanager.storage.repositories.queue.listing import QueueListing
from photomanager.storage.repositories.queue.pruning import QueuePruning
from photomanager.storage.repositories.queue.review import QueueReview
from photomanager.storage.repositories.queue.transitions import QueueTransitions

__all__ = ["DeviationCommentQueueRepository"]


class DeviationCommentQueueRepository(
    QueueAdds,
    QueueListing,
    QueueClaims,
    QueueTransitions,
    QueueReview,
    QueueCommands,
    QueuePruning,
):
    """Deviations waiting for a comment, and what happened to them (all parts on one connection)."""
