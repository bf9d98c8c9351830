"""The collector: page one feed newest first and enqueue what may be commented.

Every run starts at offset 0, so new work is always seen first (a collector
that only grows its offset drifts ever older). It stops after `pages`, at the
end of the feed, or at the first page holding only deviations it already knows:
queued, commented, or not newer than the feed's high-water mark.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from photomanager.domain.clock import Clock
from photomanager.domain.errors import Cancelled, InvalidInput, PhotomanagerError
from photomanager.domain.models import (
    CollectProgress,
    CommentSettings,
    Deviation,
    FeedState,
    NewQueueItem,
    Source,
)
from photomanager.services.account.identity import Me, lookup_me
from photomanager.services.collecting.filters import rejection_reason
from photomanager.services.collecting.sources import FeedSource
from photomanager.services.ports import DeviantArtApi, UnitOfWorkFactory

MAX_PAGES = 100

RUNNING = "running"  # the default state of CollectProgress
DONE = "done"
FAILED = "failed"
CANCELLED = "cancelled"
INTERRUPTED = "interrupted"  # the process running it stopped (see collect_runs.py)

STOP_PAGES = "pages done"
STOP_END = "end of feed"
STOP_KNOWN = "reached known deviations"
ALREADY_QUEUED = "already queued"  # worded like the filters' reasons


def validate_pages(pages: int) -> int:
    """`pages` when it is within 1..MAX_PAGES; InvalidInput otherwise."""
    if isinstance(pages, bool) or not isinstance(pages, int) or not 1 <= pages <= MAX_PAGES:
        raise InvalidInput(
            f"pages must be a whole number from 1 to {MAX_PAGES}",
            details={"pages": f"must be between 1 and {MAX_PAGES}"},
        )
    return pages


class FeedCollector:
    """Collects one source at a time into the comment queue."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, api: DeviantArtApi, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._api = api
        self._clock = clock

    @property
    def uow_factory(self) -> UnitOfWorkFactory:
        """The database this collector fills (collect runs are recorded there too)."""
        return self._uow_factory

    def collect(
        self,
        source: FeedSource,
        *,
        pages: int,
        stop: threading.Event | None = None,
        on_progress: Callable[[CollectProgress], None] | None = None,
        run_id: str = "",
    ) -> CollectProgress:
        """Run one collect synchronously and return its final progress.

        DeviantArt errors end the run with state "failed" (pages already read stay
        queued); a stop request ends it with state "cancelled".
        """
        validate_pages(pages)
        stop = stop or threading.Event()
        progress = CollectProgress(
            run_id=run_id,
            source=source.source,
            pages_requested=pages,
            started_at=self._clock.now(),
        )
        report = on_progress or (lambda _p: None)
        report(progress)
        try:
            progress = self._pages(source, pages, stop, progress, report)
        except Cancelled:
            progress = replace(progress, state=CANCELLED, stopped_because="stopped")
        except PhotomanagerError as exc:
            progress = replace(progress, state=FAILED, error=f"{exc.code}: {exc.message}")
        progress = replace(progress, finished_at=self._clock.now())
        report(progress)
        return progress

    def _pages(
        self,
        source: FeedSource,
        pages: int,
        stop: threading.Event,
        progress: CollectProgress,
        report: Callable[[CollectProgress], None],
    ) -> CollectProgress:
        with self._uow_factory() as uow:
            settings = uow.settings.get()
            state = uow.feed_state.get(source.source)
        me = lookup_me(self._uow_factory, self._api, required=False)
        page_filter = _PageFilter(settings=settings, me=me, state=state)
        seen: dict[str, Deviation] = {}
        top: Deviation | None = None
        offset = 0
        stopped_because = STOP_PAGES
        for page_no in range(pages):
            if stop.is_set() or (page_no and stop.wait(self._api.get_recommended_delay())):
                raise Cancelled("collect stopped")
            page = self._api.browse(
                source.path,
                token_kind=source.token_kind,
                offset=offset,
                limit=source.page_size,
                mature_content=not settings.skip_mature,
            )
            if top is None and page.results:
                top = page.results[0]
            # Offsets shift while new work arrives: the same deviation can show up twice.
            fresh = [d for d in page.results if d.deviationid not in seen]
            seen.update((d.deviationid, d) for d in fresh)
            new, all_known = self._enqueue(source.source, fresh, page_filter)
            progress = replace(
                progress,
                pages_done=page_no + 1,
                found=len(seen),
                new=progress.new + new,
                filtered=dict(page_filter.filtered),
            )
            report(progress)
            if page.results and all_known:
                stopped_because = STOP_KNOWN
                break
            if not page.has_more or page.next_offset is None:
                stopped_because = STOP_END
                break
            offset = page.next_offset
        self._save_high_water(source.source, top, seen.values())
        return replace(progress, state=DONE, stopped_because=stopped_because)

    def _enqueue(
        self, source: Source, deviations: Sequence[Deviation], page_filter: _PageFilter
    ) -> tuple[int, bool]:
        """Filter and enqueue one page; (really new rows, whether all were known)."""
        now = self._clock.now()
        ids = [d.deviationid for d in deviations]
        with self._uow_factory() as uow:
            commented = uow.ledger.filter_known(ids) if ids else set()
            queued = {i for i in ids if uow.queue.get(i) is not None}
            items = [
                NewQueueItem(
                    deviationid=d.deviationid,
                    source=source,
                    ts=d.published_time or now,
                    author=d.author.username,
                    title=d.title,
                    url=d.url,
                )
                for d in deviations
                if page_filter.accept(d, commented)
            ]
            new = uow.queue.add_many(items, now) if items else 0
            uow.commit()
        if len(items) > new:
            # Accepted but already in the queue: its own reason, so found = new + filtered.
            page_filter.filtered[ALREADY_QUEUED] += len(items) - new
        all_known = all(
            d.deviationid in commented or d.deviationid in queued or page_filter.is_old(d)
            for d in deviations
        )
        return new, all_known

    def _save_high_water(
        self, source: Source, top: Deviation | None, seen: Iterable[Deviation]
    ) -> None:
        times = [d.published_time for d in seen if d.published_time is not None]
        with self._uow_factory() as uow:
            state = uow.feed_state.get(source)
            newest_ts = max([*times, *([state.newest_ts] if state.newest_ts else [])], default=None)
            uow.feed_state.save(
                replace(
                    state,
                    newest_deviationid=top.deviationid if top else state.newest_deviationid,
                    newest_ts=newest_ts,
                    updated_at=self._clock.now(),
                )
            )
            uow.commit()


class _PageFilter:
    """Applies the artist's filters and counts rejections by reason."""

    def __init__(self, *, settings: CommentSettings, me: Me, state: FeedState) -> None:
        self._settings = settings
        self._me = me
        self._state = state
        self.filtered: Counter[str] = Counter()

    def accept(self, deviation: Deviation, commented: set[str]) -> bool:
        """True when the deviation may be enqueued; counts the reason otherwise."""
        reason = rejection_reason(
            deviation, settings=self._settings, me=self._me, commented=commented
        )
        if reason is None:
            return True
        self.filtered[reason] += 1
        return False

    def is_old(self, deviation: Deviation) -> bool:
        """True when a previous run already saw the feed past this deviation."""
        if deviation.deviationid == self._state.newest_deviationid:
            return True
        mark = self._state.newest_ts
        return (
            mark is not None
            and deviation.published_time is not None
            and (deviation.published_time <= mark)
        )
