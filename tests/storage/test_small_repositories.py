"""Templates, ledger, feed state, settings, worker control and tokens."""

from __future__ import annotations

from datetime import timedelta

from fixtures.database import FIXED_NOW as NOW
from photomanager.domain.models import (
    CommentSettings,
    FeedState,
    OAuthToken,
    Source,
    SourceKind,
    WorkerControl,
    WorkerDesired,
)
from photomanager.storage.unit_of_work import SqlUnitOfWork


class TestMessages:
    def test_add_get_update_delete(self, uow: SqlUnitOfWork) -> None:
        """A template goes through its life cycle with its timestamps."""
        added = uow.messages.add("Hello", "{Hi|Hello} {name}", True, NOW)
        later = NOW + timedelta(minutes=1)

        updated = uow.messages.update(
            added.message_id, title="Hey", body="Hey!", is_active=False, now=later
        )

        assert uow.messages.get(added.message_id) == updated
        assert updated is not None
        assert (updated.title, updated.body, updated.is_active) == ("Hey", "Hey!", False)
        assert (updated.created_at, updated.updated_at) == (NOW, later)
        assert uow.messages.delete(added.message_id) is True
        assert uow.messages.get(added.message_id) is None

    def test_missing_template(self, uow: SqlUnitOfWork) -> None:
        """Updating or deleting an unknown id reports it."""
        assert uow.messages.update(999, title="t", body="b", is_active=True, now=NOW) is None
        assert uow.messages.delete(999) is False

    def test_list_active(self, uow: SqlUnitOfWork) -> None:
        """list_active leaves out inactive templates; list_all keeps them, in id order."""
        a = uow.messages.add("a", "A", True, NOW)
        b = uow.messages.add("b", "B", False, NOW)

        assert uow.messages.list_all() == [a, b]
        assert uow.messages.list_active() == [a]


class TestLedger:
    def test_add_is_idempotent(self, uow: SqlUnitOfWork) -> None:
        """Adding an id twice keeps the first record, and says which call recorded it."""
        first = uow.ledger.add("A", NOW, "ann")
        second = uow.ledger.add("A", NOW + timedelta(days=1), "ann")

        assert (first, second) == (True, False)
        assert uow.ledger.contains("A")
        assert uow.ledger.count_author_since("ann", NOW + timedelta(hours=1)) == 0

    def test_filter_known(self, uow: SqlUnitOfWork) -> None:
        """filter_known returns the known subset, across chunk boundaries."""
        known = [f"k{i}" for i in range(600)]
        for deviationid in known:
            uow.ledger.add(deviationid, NOW)

        result = uow.ledger.filter_known([*known, "new1", "new2", "k1"])

        assert result == set(known)

    def test_count_author_since(self, uow: SqlUnitOfWork) -> None:
        """Per-author counts respect the cooldown start; None means ever."""
        uow.ledger.add("A", NOW - timedelta(days=30), "ann")
        uow.ledger.add("B", NOW - timedelta(days=1), "ann")
        uow.ledger.add("C", NOW, "bob")

        assert uow.ledger.count_author_since("ann", NOW - timedelta(days=14)) == 1
        assert uow.ledger.count_author_since("ann", None) == 2


class TestFeedState:
    def test_blank_state_for_a_new_source(self, uow: SqlUnitOfWork) -> None:
        """A source never collected has an empty state."""
        assert uow.feed_state.get(Source.GLOBAL_FEED) == FeedState(source=Source.GLOBAL_FEED)

    def test_save_and_overwrite(self, uow: SqlUnitOfWork) -> None:
        """save upserts one row per source."""
        first = FeedState(Source.WATCH_FEED, "D1", NOW, 0, NOW)
        second = FeedState(Source.WATCH_FEED, "D2", NOW + timedelta(hours=1), 48, NOW)

        uow.feed_state.save(first)
        uow.feed_state.save(second)

        assert uow.feed_state.get(Source.WATCH_FEED) == second
        assert uow.feed_state.get(Source.GLOBAL_FEED) == FeedState(Source.GLOBAL_FEED)


class TestSettings:
    def test_defaults_when_never_saved(self, uow: SqlUnitOfWork) -> None:
        """No stored settings means the conservative defaults."""
        assert uow.settings.get() == CommentSettings()

    def test_round_trip_keeps_types(self, uow: SqlUnitOfWork) -> None:
        """Every field comes back with its type: tuples, enums, None, bools."""
        settings = CommentSettings(
            min_interval_s=10,
            max_interval_s=20,
            max_per_hour=5,
            max_per_day=50,
            active_hours="09:00-23:00",
            timezone="Europe/Paris",
            skip_mature=False,
            exclude_authors=("spammer",),
            exclude_keywords=("nsfw", "ai"),
            max_attempts=4,
            max_consecutive_failures=2,
            review_sources=(SourceKind.WATCH_FEED, SourceKind.GLOBAL_FEED, SourceKind.TAGS),
            dry_run=True,
            author_cooldown_days=3,
            max_per_author=None,
        )

        uow.settings.save(settings, NOW)
        uow.settings.save(settings, NOW)

        loaded = uow.settings.get()
        assert loaded == settings
        assert all(isinstance(s, SourceKind) for s in loaded.review_sources)


class TestWorkerControl:
    def test_defaults_to_stopped(self, uow: SqlUnitOfWork) -> None:
        """Without a saved row the worker is wanted stopped."""
        assert uow.worker_control.get() == WorkerControl()

    def test_round_trip(self, uow: SqlUnitOfWork) -> None:
        """Every field is stored and read back."""
        control = WorkerControl(
            desired=WorkerDesired.RUNNING,
            state="waiting",
            reason="waiting 74 s (pacing)",
            waiting_until=NOW + timedelta(seconds=74),
            consecutive_failures=2,
            heartbeat_at=NOW,
            updated_at=NOW,
            confirmed_unreviewed=True,
        )

        uow.worker_control.save(WorkerControl())
        uow.worker_control.save(control)

        assert uow.worker_control.get() == control


class TestTokens:
    TOKEN = OAuthToken("access-secret", "refresh-secret", NOW, "browse comment.post", "u1", "ann")

    def test_round_trip_and_delete(self, uow: SqlUnitOfWork) -> None:
        """The single token row is saved, replaced and deleted."""
        assert uow.tokens.get() is None
        uow.tokens.save(self.TOKEN)
        newer = OAuthToken("access-2", None, NOW + timedelta(hours=1))
        uow.tokens.save(newer)

        assert uow.tokens.get() == newer
        uow.tokens.delete()
        assert uow.tokens.get() is None

    def test_lock_for_refresh_reads_the_token(self, uow: SqlUnitOfWork) -> None:
        """lock_for_refresh returns the stored token (or None)."""
        assert uow.tokens.lock_for_refresh() is None
        uow.tokens.save(self.TOKEN)

        assert uow.tokens.lock_for_refresh() == self.TOKEN
