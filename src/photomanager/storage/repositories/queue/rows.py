"""What every part of the queue repository shares: the statuses, the connection, row mapping."""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping

from photomanager.domain.models import Claim, QueueItem, QueueStatus, Source
from photomanager.storage.sql_helpers import split_tags

PENDING = QueueStatus.PENDING.value
SENDING = QueueStatus.SENDING.value
UNKNOWN = QueueStatus.UNKNOWN.value
AWAITING_REVIEW = QueueStatus.AWAITING_REVIEW.value


class QueuePart:
    """One part of the queue repository: a connection to `deviation_comment_queue`."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn


def to_item(row: RowMapping) -> QueueItem:
    return QueueItem(
        deviationid=row["deviationid"],
        source=Source(row["source"]),
        ts=row["ts"],
        status=QueueStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        author=row["author"],
        title=row["title"],
        url=row["url"],
        claimed_at=row["claimed_at"],
        claim_token=row["claim_token"],
        commentid=row["commentid"],
        message_id=row["message_id"],
        body_hash=row["body_hash"],
        body=row["body"],
        updated_at=row["updated_at"],
        approved_at=row["approved_at"],
        unknown_since=row["unknown_since"],
        reconcile_checked_at=row["reconcile_checked_at"],
        tags=split_tags(row["tags"]),
        language=row["language"],
        enriched_at=row["enriched_at"],
    )


def to_claim(row: RowMapping) -> Claim:
    item = to_item(row)
    assert item.claim_token is not None
    assert item.claimed_at is not None
    return Claim(
        deviationid=item.deviationid,
        claim_token=item.claim_token,
        claimed_at=item.claimed_at,
        item=item,
    )
