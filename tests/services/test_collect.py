"""Collectors: both feeds, filters, no drift, validation and background runs."""

from __future__ import annotations

from photomanager.domain.models import Source
from photomanager.services.collecting.collector import ALREADY_QUEUED, DONE, STOP_END, STOP_KNOWN
from photomanager.services.screening import filters
from services.service_harness import Harness


def queued_ids(h: Harness, source: Source | None = None) -> set[str]:
    items, _ = h.queue.list_queue(limit=500)
    return {i.deviationid for i in items if source is None or i.source is source}


class TestCollectFromBothSources:
    def test_watch_feed_fills_the_queue_with_watched_work(self, harness: Harness) -> None:
        """A watch-feed collect queues deviations of watched artists only."""
        result = harness.collect(Source.WATCH_FEED, pages=2)
        watched = set(harness.sandbox.deviation_ids(feed="watch"))
        queued = queued_ids(harness, Source.WATCH_FEED)
        assert result.state == DONE
        assert result.new == len(queued) > 0
        assert queued <= watched

    def test_global_feed_fills_the_queue_with_newest_work(self, harness: Harness) -> None:
        """A global-feed collect queues deviations of the home feed, tagged global_feed."""
        result = harness.collect(Source.GLOBAL_FEED, pages=1)
        newest = harness.sandbox.deviation_ids(feed="home", mature=False, commentable=True)
        queued = queued_ids(harness, Source.GLOBAL_FEED)
        assert result.new == len(queued) > 0
        assert queued <= set(newest)
        assert newest[0] in queued

    def test_the_global_feed_uses_the_account_token(self, harness: Harness) -> None:
        """browse/home (the account's home feed) is read with the user token."""
        harness.collect(Source.GLOBAL_FEED, pages=1)
        kinds = {r.token_kind for r in harness.sandbox.ledger.requests("home")}
        assert kinds == {harness.sources[Source.GLOBAL_FEED].token_kind}

    def test_progress_counts_add_up(self, harness: Harness) -> None:
        """found = new + filtered, on a first run over an empty queue."""
        result = harness.collect(Source.GLOBAL_FEED, pages=2)
        assert result.pages_done == 2
        assert result.found == result.new + sum(result.filtered.values())

    def test_already_queued_is_its_own_reason(self, harness: Harness) -> None:
        """On a second run, deviations still queued count as already_queued, so counts add up."""
        first = harness.collect(Source.GLOBAL_FEED, pages=1)
        again = harness.collect(Source.GLOBAL_FEED, pages=1)
        assert again.new == 0
        assert again.filtered[ALREADY_QUEUED] == first.new
        assert again.found == again.new + sum(again.filtered.values())


class TestCollectFilters:
    def test_unwanted_deviations_are_never_queued(self, harness: Harness) -> None:
        """Mature, comments-off and own deviations stay out of the queue."""
        harness.collect(Source.GLOBAL_FEED, pages=4)
        for deviationid in queued_ids(harness):
            shown = harness.sandbox.deviation(deviationid)
            assert not shown["is_mature"]
            assert shown["allows_comments"]
            assert shown["author"]["userid"] != harness.sandbox.artist.userid

    def test_each_rejection_is_counted_by_reason(self, harness: Harness) -> None:
        """Own work and comments-off work are counted under their own reasons."""
        own = harness.sandbox.publish(1, author=harness.sandbox.artist)[0]
        closed = harness.sandbox.publish(1)[0]
        harness.sandbox.set_allows_comments(closed, False)
        result = harness.collect(Source.GLOBAL_FEED, pages=1)
        assert result.filtered[filters.OWN_DEVIATION] >= 1
        assert result.filtered[filters.COMMENTS_DISABLED] >= 1
        assert {own, closed}.isdisjoint(queued_ids(harness))

    def test_mature_work_is_queued_when_the_artist_allows_it(self, harness: Harness) -> None:
        """With skip_mature off, mature deviations are collected too."""
        harness.settings.update_settings(skip_mature=False)
        harness.collect(Source.GLOBAL_FEED, pages=4)
        mature = set(harness.sandbox.deviation_ids(feed="home", mature=True))
        assert queued_ids(harness) & mature

    def test_excluded_authors_are_skipped(self, harness: Harness) -> None:
        """An excluded author's deviations are counted and not queued."""
        first = harness.sandbox.deviation(harness.sandbox.deviation_ids(feed="watch")[0])
        name = first["author"]["username"]
        harness.settings.update_settings(exclude_authors=[name.upper()])
        result = harness.collect(Source.WATCH_FEED, pages=1)
        authors = {i.author for i in harness.queue.list_queue(limit=500)[0]}
        assert name not in authors
        assert result.filtered[filters.EXCLUDED_AUTHOR] >= 1

    def test_excluded_keywords_in_titles_are_skipped(self, harness: Harness) -> None:
        """A keyword found in the title keeps the deviation out of the queue."""
        ids = harness.sandbox.publish(3, watched=True)
        keyword = harness.sandbox.deviation(ids[0])["title"].split()[0]
        harness.settings.update_settings(exclude_keywords=[keyword.lower()])
        result = harness.collect(Source.WATCH_FEED, pages=1)
        assert ids[0] not in queued_ids(harness)
        assert result.filtered[filters.EXCLUDED_KEYWORD] >= 1

    def test_deleted_deviations_are_skipped(self, harness: Harness) -> None:
        """A deviation the feed marks deleted is not queued."""
        ids = harness.sandbox.publish(2, watched=True)
        harness.sandbox.delete_deviation(ids[0])
        harness.collect(Source.WATCH_FEED, pages=1)
        assert ids[0] not in queued_ids(harness)
        assert ids[1] in queued_ids(harness)


class TestCollectNeverDrifts:
    def test_recollecting_the_same_feed_queues_nothing_new(self, harness: Harness) -> None:
        """A second run over an unchanged feed finds only known work and stops early."""
        harness.collect(Source.WATCH_FEED, pages=3)
        again = harness.collect(Source.WATCH_FEED, pages=3)
        assert again.new == 0
        assert again.pages_done == 1
        assert again.stopped_because == STOP_KNOWN

    def test_work_published_between_runs_is_found_first(self, harness: Harness) -> None:
        """New deviations at the top of the feed are queued by the next run."""
        harness.collect(Source.WATCH_FEED, pages=2)
        harness.clock.advance(600)
        fresh = harness.sandbox.publish(5, watched=True)
        again = harness.collect(Source.WATCH_FEED, pages=2)
        assert set(fresh) <= queued_ids(harness)
        assert again.new == 5

    def test_the_end_of_the_feed_ends_the_run(self, harness: Harness) -> None:
        """A run asking for more pages than the feed has stops at its end."""
        harness.settings.update_settings(pending_ttl_days=30, finished_ttl_days=30)  # all of it
        result = harness.collect(Source.WATCH_FEED, pages=100)
        assert result.stopped_because == STOP_END
        assert result.pages_done < 100
