"""The rows every benchmark enqueues: realistic queue items, generated lazily."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from photomanager.domain.models import NewQueueItem, Source
from photomanager.storage.engine import create_engine_for
from photomanager.storage.unit_of_work import SqlUnitOfWork, sql_unit_of_work_factory

START = datetime(2025, 1, 1, tzinfo=UTC)


def deviation_id(i: int, prefix: int = 0) -> str:
    """A DeviantArt-shaped (upper-case UUID) id, deterministic in `i`.

    Hashed, so ids arrive in random order as real ones do (not a sorted run
    that would flatter every B-tree).
    """
    digest = hashlib.blake2b(f"{prefix}:{i}".encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4)).upper()


def queue_items(count: int, *, prefix: int = 0) -> Iterator[NewQueueItem]:
    """`count` items, newest first, one second apart, never held in memory together."""
    for i in range(count):
        did = deviation_id(i, prefix)
        yield NewQueueItem(
            deviationid=did,
            source=Source.WATCH_FEED if i % 3 else Source.GLOBAL_FEED,
            ts=START - timedelta(seconds=i),
            author=f"artist{i % 5000}",
            title=f"Deviation number {i}",
            url=f"https://www.deviantart.com/artist{i % 5000}/art/Deviation-{i}",
        )


def open_uow_factory(url: str) -> tuple[Engine, Callable[..., SqlUnitOfWork]]:
    """An engine on `url` and units of work over it (dispose the engine when done)."""
    engine = create_engine_for(url)
    return engine, sql_unit_of_work_factory(engine)


def enqueue(url: str, count: int, *, prefix: int = 0) -> int:
    """Fill the queue at `url` with `count` rows through the repository; returns rows added."""
    engine, factory = open_uow_factory(url)
    try:
        with factory() as uow:
            added = uow.queue.add_many(queue_items(count, prefix=prefix), START)
            uow.commit()
        return added
    finally:
        engine.dispose()
