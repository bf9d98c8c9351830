"""Helpers for the account-protection tests: queue rows, read rows, count posts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fixtures.database import METADATA_READ
from photomanager.domain.models import (
    DeviantArtUser,
    LogEntry,
    LogStatus,
    NewQueueItem,
    QueueItem,
    Source,
)
from photomanager.services.account.identity import Me, lookup_me
from services.service_harness import Harness


def enqueue(h: Harness, deviationids: list[str], source: Source = Source.WATCH_FEED) -> None:
    """Queue sandbox deviations directly, the first one newest (claimed first)."""
    with h.uow_factory() as uow:
        for i, deviationid in enumerate(deviationids):
            shown = h.sandbox.deviation(deviationid)
            uow.queue.add_deviation(
                NewQueueItem(
                    deviationid=deviationid,
                    source=source,
                    ts=h.clock.now() - timedelta(seconds=i),
                    author=shown["author"]["username"],
                    title=shown["title"],
                    enriched_at=METADATA_READ,
                ),
                h.clock.now(),
            )
        uow.commit()


def publish(h: Harness, n: int, *, author: DeviantArtUser | None = None) -> list[str]:
    """Publish `n` deviations now; distinct authors unless one is given."""
    if author is not None:
        return h.sandbox.publish(n, author=author)
    users = h.sandbox.users
    return [h.sandbox.publish(1, author=users[i])[0] for i in range(n)]


def configure(h: Harness, **changes: Any) -> None:
    """Change the artist's settings through the settings service."""
    h.settings.update_settings(**changes)


def row(h: Harness, deviationid: str) -> QueueItem:
    with h.uow_factory() as uow:
        item = uow.queue.get(deviationid)
    assert item is not None
    return item


def posts(h: Harness) -> int:
    """How many comments the fake DeviantArt stored."""
    return len(h.sandbox.ledger.all_comments())


def logs(h: Harness, status: LogStatus | None = None) -> list[LogEntry]:
    """Log entries (oldest first), optionally of one status."""
    entries, _ = h.logs.list_logs(limit=500)
    return [e for e in reversed(entries) if status is None or e.status is status]


def me(h: Harness) -> Me:
    return lookup_me(h.uow_factory, h.api, required=True)
