"""The collector: page one feed from the top and enqueue what may be commented.

Every run starts at offset 0, so new work is always seen first (a collector
that only grows its offset drifts ever older). It stops after `pages`, at the
end of the feed, or at the first page holding only deviations it already knows:
queued, commented, or (in a feed ordered by time) not newer than the feed's
high-water mark. A feed state kept for another endpoint is not used: the run
starts afresh (the global feed moved from `browse/newest` to `browse/home`).

Per page: the cheap filters first (what the feed says), then one
`deviation/metadata` call for the survivors not yet queued (tags, description,
comment rights), then the metadata filters (tags, keywords, language). When
DeviantArt refuses the metadata for a while (429, 5xx), the survivors are
queued unread and the worker reads them before rendering.

Two more bounds keep a firehose from growing the queue past what the artist
can ever comment. A deviation published before the pending TTL is "too old"
(housekeeping would remove its row at once); in a feed ordered by time, a page
holding only such deviations ends the run. And once `max_pending` rows wait,
nothing more is queued (counted "queue full", no metadata call for it) and the
run stops: what it turned away is not fetched again (the high-water mark moves
past it, and it will soon be too old anyway).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.errors import (
    Cancelled,
    EdgeBlocked,
    EndpointGone,
    InvalidInput,
    PhotomanagerError,
)
from photomanager.domain.models import (
    CollectProgress,
    CommentSettings,
    Deviation,
    FeedState,
    NewQueueItem,
    QueueStatus,
    Source,
)
from photomanager.services.account.identity import Me, lookup_me
from photomanager.services.collecting.sources import FeedSource
from photomanager.services.ports import DeviantArtApi, LanguageDetector, UnitOfWorkFactory
from photomanager.services.screening.filters import (
    QUEUE_FULL,
    detect_language,
    metadata_rejection_reason,
    rejection_reason,
)
from photomanager.services.screening.metadata import enrich

MAX_PAGES = 100

RUNNING = "running"  # the default state of CollectProgress
DONE = "done"
FAILED = "failed"
CANCELLED = "cancelled"
INTERRUPTED = "interrupted"  # the process running it stopped (see collect_runs.py)

STOP_PAGES = "pages done"
STOP_END = "end of feed"
STOP_KNOWN = "reached known deviations"
STOP_FULL = "queue full"
STOP_TOO_OLD = "reached deviations older than the pending TTL"
ALREADY_QUEUED = "already queued"  # worded like the filters' reasons
METADATA_UNAVAILABLE = "no metadata (deleted or hidden)"


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

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        api: DeviantArtApi,
        clock: Clock,
        language_detector: LanguageDetector | None = None,
    ) -> None:
        """`language_detector`: None detects nothing (every language "unclear")."""
        self._uow_factory = uow_factory
        self._api = api
        self._clock = clock
        self._detector = language_detector

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
        queued), a removed endpoint or the CDN's block in plain words; a stop
        request ends it with state "cancelled".
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
        except (EdgeBlocked, EndpointGone) as exc:
            # Plain words: "DeviantArt no longer offers browse/newest", or the CDN's block
            # with its next try (every process waits for it: a new run before then fails
            # the same way without sending anything).
            progress = replace(progress, state=FAILED, error=exc.message)
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
        if state.path is not None and state.path != source.path:
            state = FeedState(source=source.source)  # kept for another endpoint: start afresh
        me = lookup_me(self._uow_factory, self._api, required=False)
        page_filter = _PageFilter(
            settings=settings,
            me=me,
            state=state,
            newest_first=source.newest_first,
            published_after=self._clock.now() - timedelta(days=settings.pending_ttl_days),
        )
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
            new, all_known, full = self._enqueue(source, fresh, page_filter, stop)
            progress = replace(
                progress,
                pages_done=page_no + 1,
                found=len(seen),
                new=progress.new + new,
                filtered=dict(page_filter.filtered),
            )
            report(progress)
            if full:
                stopped_because = STOP_FULL
                break
            if page.results and page_filter.all_too_old(page.results):
                # Newest first: every later page is older still.
                stopped_because = STOP_TOO_OLD
                break
            if page.results and all_known:
                stopped_because = STOP_KNOWN
                break
            if not page.has_more or page.next_offset is None:
                stopped_because = STOP_END
                break
            offset = page.next_offset
        self._save_high_water(source, top, seen.values())
        if page_filter.metadata_note:
            stopped_because = f"{stopped_because}; {page_filter.metadata_note}"
        return replace(
            progress,
            state=DONE,
            stopped_because=stopped_because,
            filtered=dict(page_filter.filtered),
        )

    def _enqueue(
        self,
        source: FeedSource,
        deviations: Sequence[Deviation],
        page_filter: _PageFilter,
        stop: threading.Event,
    ) -> tuple[int, bool, bool]:
        """Filter, enrich and enqueue one page: (new rows, whether all were known, queue full).

        The room left under `max_pending` is looked at before the metadata call (a
        full queue costs no request) and again in the transaction that adds the
        rows; the rows first in line take it (read ones, then unread ones, each in the
        feed's order), the rest count as "queue full".
        """
        ids = [d.deviationid for d in deviations]
        with self._uow_factory(read_only=True) as uow:
            commented = uow.ledger.filter_known(ids) if ids else set()
            queued = {i for i in ids if uow.queue.get(i) is not None}
            room = page_filter.room(uow.queue.get_stats()[QueueStatus.PENDING])
        candidates = []
        for deviation in deviations:
            if not page_filter.accept(deviation, commented):
                continue
            if deviation.deviationid in queued:
                page_filter.filtered[ALREADY_QUEUED] += 1  # known: no metadata call
                continue
            candidates.append(deviation)
        turned_away = 0
        if room <= 0:
            turned_away, candidates = len(candidates), []
        items = self._read_metadata(source, candidates, page_filter, stop)
        new = 0
        if items:
            with self._uow_factory() as uow:
                room = page_filter.room(uow.queue.get_stats()[QueueStatus.PENDING])
                if len(items) > room:
                    turned_away += len(items) - room
                    items = items[:room]
                new = uow.queue.add_many(items, self._clock.now()) if items else 0
                uow.commit()
        if turned_away:
            page_filter.filtered[QUEUE_FULL] += turned_away
        if len(items) > new:
            # Queued meanwhile (another run, a race): its own reason, so found = new + filtered.
            page_filter.filtered[ALREADY_QUEUED] += len(items) - new
        all_known = all(
            d.deviationid in commented or d.deviationid in queued or page_filter.is_old(d)
            for d in deviations
        )
        return new, all_known, turned_away > 0

    def _read_metadata(
        self,
        source: FeedSource,
        candidates: Sequence[Deviation],
        page_filter: _PageFilter,
        stop: threading.Event,
    ) -> list[NewQueueItem]:
        """The candidates that pass the metadata filters (or could not be read), as new rows."""
        if not candidates:
            return []
        if not page_filter.metadata_failed:
            if stop.wait(self._api.get_recommended_delay()):
                raise Cancelled("collect stopped")
            result = enrich(self._api, candidates, token_kind=source.token_kind, stop=stop)
            page_filter.metadata_calls += result.calls
            if result.error is not None:
                # DeviantArt is busy: queue the rest unread this run; the worker reads them.
                page_filter.metadata_failed = True
                page_filter.metadata_note = (
                    f"deviation metadata not read ({result.error.code}): "
                    "the worker reads it before commenting"
                )
            read, missing, unread = result.enriched, result.missing, result.unread
        else:
            read, missing, unread = (), (), tuple(candidates)
        now = self._clock.now()
        items = [
            _new_item(source.source, d, language, enriched_at=now, fallback_ts=now)
            for d, language in page_filter.accept_metadata(read, self._detector)
        ]
        # No metadata at all: DeviantArt no longer shows it (deleted or hidden since the page).
        if missing:
            page_filter.filtered[METADATA_UNAVAILABLE] += len(missing)
        items += [
            _new_item(source.source, d, None, enriched_at=None, fallback_ts=now) for d in unread
        ]
        return items

    def _save_high_water(
        self, feed: FeedSource, top: Deviation | None, seen: Iterable[Deviation]
    ) -> None:
        times = [d.published_time for d in seen if d.published_time is not None]
        with self._uow_factory() as uow:
            state = uow.feed_state.get(feed.source)
            if state.path is not None and state.path != feed.path:
                state = FeedState(source=feed.source)
            newest_ts = max([*times, *([state.newest_ts] if state.newest_ts else [])], default=None)
            uow.feed_state.save(
                replace(
                    state,
                    newest_deviationid=top.deviationid if top else state.newest_deviationid,
                    newest_ts=newest_ts,
                    updated_at=self._clock.now(),
                    path=feed.path,
                )
            )
            uow.commit()


def _new_item(
    source: Source,
    deviation: Deviation,
    language: str | None,
    *,
    enriched_at: datetime | None,
    fallback_ts: datetime,
) -> NewQueueItem:
    return NewQueueItem(
        deviationid=deviation.deviationid,
        source=source,
        ts=deviation.published_time or fallback_ts,
        author=deviation.author.username,
        title=deviation.title,
        url=deviation.url,
        tags=deviation.tags,
        language=language,
        enriched_at=enriched_at,
        thumbnail_url=deviation.thumbnail_url,
    )


class _PageFilter:
    """Applies the artist's filters and counts rejections by reason."""

    def __init__(
        self,
        *,
        settings: CommentSettings,
        me: Me,
        state: FeedState,
        newest_first: bool,
        published_after: datetime,
    ) -> None:
        self._settings = settings
        self._me = me
        self._state = state
        self._newest_first = newest_first
        self._published_after = published_after
        self.filtered: Counter[str] = Counter()
        self.metadata_calls = 0
        self.metadata_failed = False
        self.metadata_note: str | None = None

    def accept(self, deviation: Deviation, commented: set[str]) -> bool:
        """True when the deviation may be enqueued; counts the reason otherwise."""
        reason = rejection_reason(
            deviation,
            settings=self._settings,
            me=self._me,
            commented=commented,
            published_after=self._published_after,
        )
        if reason is None:
            return True
        self.filtered[reason] += 1
        return False

    def accept_metadata(
        self, deviations: Iterable[Deviation], detector: LanguageDetector | None
    ) -> list[tuple[Deviation, str | None]]:
        """The enriched deviations that pass the metadata filters, with their language."""
        kept = []
        for deviation in deviations:
            language = detect_language(deviation, detector)
            reason = metadata_rejection_reason(deviation, language, settings=self._settings)
            if reason is None:
                kept.append((deviation, language))
            else:
                self.filtered[reason] += 1
        return kept

    def room(self, pending: int) -> int:
        """How many more rows may be queued while `pending` rows wait."""
        return max(0, self._settings.max_pending - pending)

    def all_too_old(self, deviations: Sequence[Deviation]) -> bool:
        """True in a feed ordered by time when every deviation is older than the pending TTL."""
        return self._newest_first and all(
            d.published_time is not None and d.published_time < self._published_after
            for d in deviations
        )

    def is_old(self, deviation: Deviation) -> bool:
        """True when a previous run already saw the feed past this deviation."""
        if deviation.deviationid == self._state.newest_deviationid:
            return True
        if not self._newest_first:
            return False  # a recommendation order says nothing about what is older
        mark = self._state.newest_ts
        return (
            mark is not None
            and deviation.published_time is not None
            and (deviation.published_time <= mark)
        )
