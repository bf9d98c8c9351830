"""The feeds DeviantArt serves today: home feed, tag feeds, metadata, tag and language filters."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from photomanager.deviantart.endpoints import HOME_FEED
from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import CollectProgress, NewQueueItem, QueueStatus, Source
from photomanager.language import LanguageDetector
from photomanager.sandbox import RateLimit
from photomanager.services.collecting.collector import DONE, STOP_KNOWN, FeedCollector
from photomanager.services.collecting.sources import default_sources, tag_source
from photomanager.services.posting.outcomes import StepOutcome
from photomanager.services.screening import filters
from photomanager.services.screening.metadata import METADATA_BATCH, enrich
from services.service_harness import Harness

METADATA_PATH = "/api/v1/oauth2/deviation/metadata"
DETECT = LanguageDetector().detect


def metadata_calls(harness: Harness) -> list[list[str]]:
    """The ids of every `deviation/metadata` call the client made, call by call."""
    return [
        [value for key, value in record.query if key == "deviationids[]"]
        for record in harness.wire.records
        if record.path == METADATA_PATH
    ]


def queued(harness: Harness, source: Source | None = None) -> list[str]:
    items, _ = harness.queue.list_queue(limit=500)
    return [i.deviationid for i in items if source is None or i.source == source]


def collect_tag(harness: Harness, tag: str, pages: int = 1) -> CollectProgress:
    return harness.collector.collect(tag_source(tag), pages=pages, stop=harness.stop)


class TestGlobalFeedIsTheHomeFeed:
    def test_the_global_feed_reads_browse_home(self, harness: Harness) -> None:
        """Collect from Global Feed fills the queue from browse/home."""
        result = harness.collect(Source.GLOBAL_FEED, pages=1)
        assert result.state == DONE
        assert result.new > 0
        assert harness.sandbox.ledger.requests("home")
        assert set(queued(harness, Source.GLOBAL_FEED)) <= set(
            harness.sandbox.deviation_ids(feed="home")
        )

    @pytest.mark.parametrize(
        "path", ["browse/newest", "/browse/popular/", "browse/recommended?q=x", "browse/hot"]
    )
    def test_a_removed_endpoint_is_refused_with_its_replacement(self, path: str) -> None:
        """A removed browse endpoint is refused at start-up, naming browse/home."""
        with pytest.raises(InvalidInput, match=HOME_FEED):
            default_sources(global_feed_path=path)

    def test_a_feed_state_of_another_endpoint_is_not_used(self, harness: Harness) -> None:
        """A cursor kept for another path starts the run afresh at the top of the feed."""
        harness.collect(Source.GLOBAL_FEED, pages=1)
        with harness.uow_factory() as uow:
            state = uow.feed_state.get(Source.GLOBAL_FEED)
            assert state.path == HOME_FEED
            uow.feed_state.save(replace(state, path="browse/newest"))
            uow.commit()
        harness.queue.clear()
        again = harness.collect(Source.GLOBAL_FEED, pages=1)
        assert again.new > 0  # not stopped at the old cursor: the queue was refilled
        with harness.uow_factory(read_only=True) as uow:
            assert uow.feed_state.get(Source.GLOBAL_FEED).path == HOME_FEED


class TestTagFeeds:
    def test_two_tags_fill_the_queue_with_their_own_source(self, harness: Harness) -> None:
        """Each tag's rows carry `tag:NAME` and the deviations really have that tag."""
        for tag in ("watercolor", "landscape"):
            result = collect_tag(harness, tag)
            assert result.state == DONE
        for tag in ("watercolor", "landscape"):
            rows = queued(harness, Source.tag(tag))
            assert rows
            for deviationid in rows:
                names = [t["tag_name"] for t in harness.sandbox.metadata(deviationid)["tags"]]
                assert tag in names

    def test_each_tag_keeps_its_own_feed_state(self, harness: Harness) -> None:
        """A second run of one tag stops at known deviations; the other tag is untouched."""
        collect_tag(harness, "watercolor")
        again = collect_tag(harness, "watercolor", pages=3)
        assert again.stopped_because.startswith(STOP_KNOWN)
        with harness.uow_factory(read_only=True) as uow:
            water = uow.feed_state.get(Source.tag("watercolor"))
            land = uow.feed_state.get(Source.tag("landscape"))
        assert water.newest_deviationid is not None
        assert water.path == "browse/tags?tag=watercolor"
        assert land.newest_deviationid is None

    def test_tag_rows_keep_their_tags(self, harness: Harness) -> None:
        """Queued rows carry the tags read from the metadata, for the page and review."""
        collect_tag(harness, "watercolor")
        items, _ = harness.queue.list_queue(limit=50)
        assert items
        assert all("watercolor" in item.tags and item.enriched_at for item in items)

    def test_a_tag_source_is_reviewed_by_default(self, harness: Harness) -> None:
        """Review mode covers tag feeds by default: the worker parks their rows."""
        harness.add_template()
        collect_tag(harness, "watercolor")
        assert harness.worker.run_once().outcome is StepOutcome.REVIEW

    @pytest.mark.parametrize("tag", ["Water Color", "Watercolor", "", "a" * 51, "tag:x", "a-b"])
    def test_a_bad_tag_is_refused(self, tag: str) -> None:
        """Only DeviantArt tag names make a tag feed."""
        with pytest.raises(InvalidInput, match="not a DeviantArt tag"):
            tag_source(tag)


class TestMetadataBatching:
    def test_no_call_holds_more_than_50_ids(self, harness: Harness) -> None:
        """Three pages of a tag feed: one metadata call per page, never over 50 ids."""
        result = collect_tag(harness, "illustration", pages=3)
        calls = metadata_calls(harness)
        assert calls
        assert max(len(ids) for ids in calls) <= METADATA_BATCH
        assert len(calls) <= result.pages_done
        assert sum(len(ids) for ids in calls) == len({i for ids in calls for i in ids})

    def test_enrich_splits_long_lists_into_calls_of_50(self, harness: Harness) -> None:
        """120 deviations are read in three calls (50, 50, 20), every one enriched."""
        kind = harness.sources[Source.GLOBAL_FEED].token_kind
        deviations = [
            d
            for offset in (0, 50, 100)
            for d in harness.api.browse(
                HOME_FEED, token_kind=kind, offset=offset, limit=50, mature_content=True
            ).results
        ][:120]
        assert len({d.deviationid for d in deviations}) == 120
        before = len(metadata_calls(harness))
        result = enrich(harness.api, deviations, token_kind=kind, stop=threading.Event())
        calls = metadata_calls(harness)[before:]
        assert [len(ids) for ids in calls] == [50, 50, 20]
        assert result.calls == 3
        assert len(result.enriched) + len(result.missing) == 120
        assert all(d.enriched for d in result.enriched)

    def test_already_queued_deviations_are_not_read_again(self, harness: Harness) -> None:
        """A second collect reads no metadata for deviations it already queued."""
        harness.collect(Source.GLOBAL_FEED, pages=1)
        first = metadata_calls(harness)
        harness.collect(Source.GLOBAL_FEED, pages=1)
        assert metadata_calls(harness) == first


class TestMetadataFilters:
    def test_include_tags_keep_only_matching_deviations(self, harness: Harness) -> None:
        """With include_tags set, only deviations with one of them are queued."""
        harness.settings.update_settings(include_tags=["portrait"])
        result = harness.collect(Source.GLOBAL_FEED, pages=2)
        rows = queued(harness)
        assert rows
        assert all(
            "portrait" in [t["tag_name"] for t in harness.sandbox.metadata(d)["tags"]] for d in rows
        )
        assert result.filtered[filters.NO_INCLUDED_TAG] > 0

    def test_exclude_tags_keep_them_out(self, harness: Harness) -> None:
        """A deviation carrying an excluded tag is counted and never queued."""
        harness.settings.update_settings(exclude_tags=["fantasy"])
        result = harness.collect(Source.GLOBAL_FEED, pages=2)
        assert result.filtered[filters.EXCLUDED_TAG] > 0
        for deviationid in queued(harness):
            names = [t["tag_name"] for t in harness.sandbox.metadata(deviationid)["tags"]]
            assert "fantasy" not in names

    def test_keywords_match_tags_and_descriptions(self, harness: Harness) -> None:
        """exclude_keywords reads the tags and the plain-text description too."""
        harness.settings.update_settings(exclude_keywords=["landscape"])
        result = harness.collect(Source.GLOBAL_FEED, pages=2)
        assert result.filtered[filters.EXCLUDED_KEYWORD] > 0
        for deviationid in queued(harness):
            entry = harness.sandbox.metadata(deviationid)
            assert "landscape" not in " ".join(t["tag_name"] for t in entry["tags"])
            assert "landscape" not in entry["description"].lower()

    def test_languages_keep_other_languages_out(self, harness: Harness) -> None:
        """languages: ["en"]: non-English deviations are counted under the language reason."""
        harness.settings.update_settings(languages=["en"], unknown_language="skip")
        collector = FeedCollector(
            uow_factory=harness.uow_factory,
            api=harness.api,
            clock=harness.clock,
            language_detector=DETECT,
        )
        result = collector.collect(harness.sources[Source.GLOBAL_FEED], pages=3, stop=harness.stop)
        rows = queued(harness)
        assert rows
        assert result.filtered[filters.OTHER_LANGUAGE] > 0
        assert {harness.sandbox.language(d) for d in rows} == {"en"}
        with harness.uow_factory(read_only=True) as uow:
            assert {uow.queue.get(d).language for d in rows} == {"en"}  # type: ignore[union-attr]


class TestWorkerReadsUnreadRows:
    def _queue_unread(self, harness: Harness, source: Source = Source.WATCH_FEED) -> str:
        [deviationid] = harness.sandbox.publish(1, watched=True)
        now = harness.clock.now()
        with harness.uow_factory() as uow:
            uow.queue.add_deviation(NewQueueItem(deviationid, source, now, title="t"), now)
            uow.commit()
        return deviationid

    def test_an_unread_row_is_read_then_posted(self, harness: Harness) -> None:
        """A row queued without metadata is read before rendering; its tags are kept."""
        harness.add_template()
        deviationid = self._queue_unread(harness)
        result = harness.worker.run_once()
        assert result.outcome is StepOutcome.SENT
        assert metadata_calls(harness) == [[deviationid]]
        with harness.uow_factory(read_only=True) as uow:
            item = uow.queue.get(deviationid)
        assert item is not None
        assert item.enriched_at is not None
        assert list(item.tags) == [
            t["tag_name"] for t in harness.sandbox.metadata(deviationid)["tags"]
        ]

    def test_an_unread_row_that_fails_a_filter_is_skipped(self, harness: Harness) -> None:
        """The same filters apply: a filtered row becomes skipped with its reason."""
        harness.add_template()
        deviationid = self._queue_unread(harness)
        tags = [t["tag_name"] for t in harness.sandbox.metadata(deviationid)["tags"]]
        harness.settings.update_settings(exclude_tags=tags[:1])
        result = harness.worker.run_once()
        assert result.outcome is StepOutcome.SKIPPED
        with harness.uow_factory(read_only=True) as uow:
            item = uow.queue.get(deviationid)
        assert item is not None
        assert item.status is QueueStatus.SKIPPED
        assert item.last_error == f"filtered: {filters.EXCLUDED_TAG}"
        assert harness.sandbox.ledger.all_comments() == []

    def test_a_throttled_read_gives_the_row_back_without_an_attempt(self, harness: Harness) -> None:
        """429s on the metadata read: nothing posted, the row waits, no attempt spent."""
        harness.add_template()
        deviationid = self._queue_unread(harness)
        harness.sandbox.faults.rate_limit = RateLimit(
            capacity=0, refill_per_s=0.0001, endpoints=frozenset({"metadata"})
        )
        result = harness.worker.run_once()
        assert result.outcome is StepOutcome.RELEASED
        with harness.uow_factory(read_only=True) as uow:
            item = uow.queue.get(deviationid)
        assert item is not None
        assert item.status is QueueStatus.PENDING
        assert item.attempts == 0
        assert item.enriched_at is None
        assert item.next_attempt_at is not None
        assert harness.sandbox.ledger.all_comments() == []

    def test_a_removed_metadata_endpoint_keeps_the_row_unskipped(self, harness: Harness) -> None:
        """deviation/metadata gone: the unread row waits an hour, neither skipped nor failed."""
        harness.add_template()
        deviationid = self._queue_unread(harness)
        harness.sandbox.faults.gone_paths = frozenset({"deviation/metadata"})
        result = harness.worker.run_once()
        assert result.outcome is StepOutcome.RELEASED
        assert "no longer offers" in (result.error or "")
        with harness.uow_factory(read_only=True) as uow:
            item = uow.queue.get(deviationid)
        assert item is not None
        assert item.status is QueueStatus.PENDING
        assert item.attempts == 0
        assert item.next_attempt_at is not None
        assert item.next_attempt_at - harness.clock.now() >= timedelta(minutes=59)
        assert harness.sandbox.ledger.all_comments() == []
