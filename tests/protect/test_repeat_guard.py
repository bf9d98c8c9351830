"""No repeated text: re-rolls on a recent repeat, least recently used template first."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from fixtures.database import METADATA_READ
from photomanager.domain.body_hash import body_hash
from photomanager.domain.models import (
    CommentTemplate,
    LogStatus,
    NewQueueItem,
    QueueStatus,
    Source,
)
from photomanager.services.posting.repeat_guard import choose_rendering
from photomanager.services.upkeep.housekeeping import Housekeeping
from protect.protect_support import configure, enqueue, logs, publish, row
from services.service_harness import Harness

AT = datetime(2025, 1, 1, tzinfo=UTC)
FIVE = "{Lovely|Great|Wonderful|Superb|Neat} work!"


def template(message_id: int, body: str) -> CommentTemplate:
    return CommentTemplate(message_id, "t", body, True, AT, AT)


class TestNoRepeatedText:
    def test_five_variants_for_five_deviations_are_five_texts(self, harness: Harness) -> None:
        """A template with 5 renderings gives 5 deviations 5 distinct comments."""
        configure(harness, author_cooldown_days=0)
        harness.add_template(FIVE)
        ids = publish(harness, 5)
        enqueue(harness, ids)
        for _ in ids:
            harness.worker.run_once()
        bodies = [e.body for e in logs(harness, LogStatus.SENT)]
        assert len(bodies) == 5
        assert len(set(bodies)) == 5

    def test_texts_stay_remembered_after_their_queue_rows_are_removed(
        self, harness: Harness
    ) -> None:
        """Rows pruned by housekeeping: the guard still knows their texts from the log."""
        configure(harness, author_cooldown_days=0, finished_ttl_days=7)
        harness.add_template(FIVE)
        first = publish(harness, 4)
        enqueue(harness, first)
        for _ in first:
            harness.worker.run_once()
        harness.clock.advance(8 * 86_400)
        Housekeeping(uow_factory=harness.uow_factory, clock=harness.clock, pause_s=0).prune()
        assert harness.queue.list_queue(limit=10)[0] == []  # every row pruned
        second = publish(harness, 1)
        enqueue(harness, second)

        harness.worker.run_once()

        bodies = [e.body for e in logs(harness, LogStatus.SENT)]
        assert len(bodies) == 5
        assert len(set(bodies)) == 5

    def test_a_sixth_comment_repeats_only_when_nothing_else_is_left(self) -> None:
        """Every rendering used recently: the guard still answers, flagged as a repeat."""
        used = {body_hash(f"{w} work!") for w in ("Lovely", "Great", "Wonderful", "Superb", "Neat")}
        chosen = choose_rendering(
            [template(1, FIVE)], {}, random.Random(1), recent_hashes=used, last_used={}
        )
        assert chosen.repeated

    def test_the_least_recently_used_template_goes_first(self) -> None:
        """A never-used template beats a used one; the oldest use beats the newest."""
        templates = [template(1, "one"), template(2, "two"), template(3, "three")]
        last_used = {1: AT.replace(day=3), 3: AT.replace(day=2)}
        picks = {
            choose_rendering(
                templates, {}, random.Random(seed), recent_hashes=set(), last_used=last_used
            ).message_id
            for seed in range(10)
        }
        assert picks == {2}
        without_two = {1: AT.replace(day=3), 2: AT.replace(day=4), 3: AT.replace(day=2)}
        chosen = choose_rendering(
            templates, {}, random.Random(0), recent_hashes=set(), last_used=without_two
        )
        assert chosen.message_id == 3

    def test_templates_rotate_through_the_worker(self, harness: Harness) -> None:
        """Two templates, two deviations: each template is used once."""
        configure(harness, author_cooldown_days=0)
        first = harness.add_template("Thank you for sharing!")
        second = harness.add_template("What a piece, well done!")
        ids = publish(harness, 2)
        enqueue(harness, ids)
        for _ in ids:
            harness.worker.run_once()
        used = {e.message_id for e in logs(harness, LogStatus.SENT)}
        assert used == {first.message_id, second.message_id}


SPECIAL = st.text(alphabet=st.sampled_from("{}|%{{}}ab \\$"), min_size=1, max_size=30)


class TestVariablesStayVerbatim:
    @given(title=SPECIAL, author=SPECIAL)
    def test_values_with_template_syntax_come_out_verbatim(self, title: str, author: str) -> None:
        """`{ } | %` in a title or author are inserted as is, never interpreted."""
        chosen = choose_rendering(
            [template(1, "{Nice|Fine} {{title}} by {{author}}.")],
            {"title": title, "author": author, "username": "me"},
            random.Random(0),
            recent_hashes=set(),
            last_used={},
        )
        assert chosen.body in (f"Nice {title} by {author}.", f"Fine {title} by {author}.")

    def test_a_title_with_template_syntax_is_posted_verbatim(self, harness: Harness) -> None:
        """End to end through the worker: the posted comment quotes the title unchanged."""
        harness.add_template("Love {{title}}!")
        [deviationid] = publish(harness, 1)
        nasty = "{a|b} %s {{author}} 100%"
        with harness.uow_factory() as uow:
            uow.queue.add_deviation(
                NewQueueItem(
                    deviationid,
                    Source.WATCH_FEED,
                    harness.clock.now(),
                    title=nasty,
                    enriched_at=METADATA_READ,
                ),
                harness.clock.now(),
            )
            uow.commit()
        harness.worker.run_once()
        assert row(harness, deviationid).status is QueueStatus.COMMENTED
        assert row(harness, deviationid).body == f"Love {nasty}!"
