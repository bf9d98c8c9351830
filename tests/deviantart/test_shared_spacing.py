"""One budget per token: the spacing after a request holds every later request of its scope.

DeviantArt counts every call of the user token against one velocity filter: a
metadata read, a collect page or a message poll right after a post spends what
the next post needs. The client keeps when the next request of each scope may
start (with the other shared waits, so a restarted process keeps it too) and
obeys it before every request of that scope.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from deviantart.da_doubles import FROZEN_NOW, Harness, error_response, json_response
from photomanager.deviantart.penalties import InMemoryPenalties
from photomanager.deviantart.retry import RetryPolicy
from photomanager.domain.errors import PostDeadlinePassed
from photomanager.domain.models import PENALTY_NEXT_USER, PENALTY_USER, TokenKind

OK = {"status": "success"}
SPACED = RetryPolicy(retry_after_jitter_s=0.0, delay_floor_s=2.0)
DEVIATION = "9732F984-5CB2-410F-AF18-07B7DDACBFF4"


class MovingClock:
    """A clock that the fake sleep moves forward."""

    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def post(client: object) -> None:
    client.post(f"comments/post/deviation/{DEVIATION}", {"body": "hi"})  # type: ignore[attr-defined]


class TestReadsShareTheBudget:
    def test_a_user_token_read_right_after_a_post_waits_the_spacing(self, harness: Harness) -> None:
        """A metadata read just after a post starts one spacing (2 s) after the post."""
        harness.server.reply(json_response(200, {"commentid": "c"}), json_response(200, OK))
        clock = MovingClock()
        client = harness.make(policy=SPACED, clock=clock, sleep=clock.sleep)
        post(client)
        assert client.get("deviation/metadata") == OK
        assert clock.now() - FROZEN_NOW == timedelta(seconds=2)

    def test_an_app_token_read_is_not_held_by_the_users_spacing(self, harness: Harness) -> None:
        """The app's token has a budget of its own: no wait after a user-token post."""
        harness.server.reply(json_response(200, {"commentid": "c"}), json_response(200, OK))
        clock = MovingClock()
        client = harness.make(policy=SPACED, clock=clock, sleep=clock.sleep)
        post(client)
        client.get("browse/tags", {"tag": "x"}, token_kind=TokenKind.CLIENT)
        assert clock.now() == FROZEN_NOW


class TestRestartedProcess:
    def test_a_new_client_on_the_same_store_waits_for_its_predecessors_spacing(
        self, harness: Harness
    ) -> None:
        """A client built after a post (a restart) does not send before the spacing ends."""
        harness.server.reply(json_response(200, {"commentid": "c"}), json_response(200, OK))
        clock = MovingClock()
        shared = InMemoryPenalties()
        post(harness.make(policy=SPACED, clock=clock, sleep=clock.sleep, penalties=shared))
        clock.sleep(0.5)
        restarted = harness.make(policy=SPACED, clock=clock, sleep=clock.sleep, penalties=shared)
        restarted.get("placebo")
        assert clock.now() - FROZEN_NOW == timedelta(seconds=2)


class TestRetries:
    def test_a_retry_waits_for_a_turn_another_sender_took(self, harness: Harness) -> None:
        """A GET answered 500: while it backs off, another process takes the next turns."""
        clock = MovingClock()
        shared = InMemoryPenalties()
        taken_until = FROZEN_NOW + timedelta(seconds=5)

        def busy_then_other_sender(request: httpx.Request) -> httpx.Response:
            shared.impose(PENALTY_NEXT_USER, taken_until, "another process", clock.now())
            return error_response(500, "server_error")

        harness.server.reply(busy_then_other_sender, json_response(200, OK))
        client = harness.make(policy=SPACED, clock=clock, sleep=clock.sleep, penalties=shared)
        assert client.get("placebo") == OK
        assert clock.now() == taken_until


class TestDeadline:
    def test_a_post_whose_turn_comes_after_its_deadline_is_refused_without_waiting(
        self, harness: Harness
    ) -> None:
        """The next turn is 2 s away, the post must end within 1 s: refused at once, unsent,
        and the turn is left for the next request (waiting first wasted both)."""
        harness.server.reply(json_response(200, {"commentid": "c"}), json_response(200, OK))
        clock = MovingClock()
        shared = InMemoryPenalties()
        client = harness.make(policy=SPACED, clock=clock, sleep=clock.sleep, penalties=shared)
        post(client)
        turn = shared.get_many([PENALTY_NEXT_USER])[PENALTY_NEXT_USER]
        with pytest.raises(PostDeadlinePassed):
            client.post(
                f"comments/post/deviation/{DEVIATION}",
                {"body": "hi"},
                deadline=FROZEN_NOW + timedelta(seconds=1),
            )
        assert clock.now() == FROZEN_NOW
        assert shared.get_many([PENALTY_NEXT_USER])[PENALTY_NEXT_USER] == turn
        assert len(harness.server.requests) == 1


class BusyAccount(InMemoryPenalties):
    """Shared waits where another process wins the race for the next turn `losses` times."""

    def __init__(self, losses: int) -> None:
        super().__init__()
        self.losses = losses

    def reserve(self, scope: str, until: datetime, reason: str, now: datetime) -> datetime | None:
        if self.losses:
            self.losses -= 1
            taken = now + timedelta(seconds=2)
            self.impose(scope, taken, "another process", now)
            return taken
        return super().reserve(scope, until, reason, now)


class ThrottledMeanwhile(InMemoryPenalties):
    """Another sender holds the next turn (2 s), and its request is answered 429 while we
    wait for that turn: it imposes a cool-off until 8 s."""

    def reserve(self, scope: str, until: datetime, reason: str, now: datetime) -> datetime | None:
        if not self.get_many([PENALTY_USER]):
            taken = now + timedelta(seconds=2)
            self.impose(scope, taken, "another sender", now)
            self.impose(PENALTY_USER, now + timedelta(seconds=8), "their 429's cool-off", now)
            return taken
        return super().reserve(scope, until, reason, now)


class TestCoolOffMetWhileWaiting:
    def test_a_read_waiting_for_a_post_that_is_throttled_waits_out_the_cool_off(
        self, harness: Harness
    ) -> None:
        """The read goes when the cool-off ends (8 s), not when the post's turn does (2 s)."""
        harness.server.reply(json_response(200, OK))
        clock = MovingClock()
        client = harness.make(
            policy=SPACED, clock=clock, sleep=clock.sleep, penalties=ThrottledMeanwhile()
        )
        assert client.get("deviation/metadata") == OK
        assert clock.now() - FROZEN_NOW == timedelta(seconds=8)
        assert len(harness.server.requests) == 1


class TestContendedTurns:
    def test_a_request_never_goes_without_a_turn_however_often_it_loses_the_race(
        self, harness: Harness
    ) -> None:
        """Another process takes the next turn five times in a row: the read waits all five."""
        harness.server.reply(json_response(200, OK))
        clock = MovingClock()
        client = harness.make(
            policy=SPACED, clock=clock, sleep=clock.sleep, penalties=BusyAccount(losses=5)
        )
        assert client.get("deviation/metadata") == OK
        assert clock.now() - FROZEN_NOW == timedelta(seconds=10)


class TestSpareTurn:
    def test_a_poll_fits_only_where_its_spacing_ends_before_the_next_post(
        self, harness: Harness
    ) -> None:
        """After a post: not during its spacing; then yes if one more spacing fits the turn."""
        harness.server.reply(json_response(200, {"commentid": "c"}))
        clock = MovingClock()
        client = harness.make(policy=SPACED, clock=clock, sleep=clock.sleep)
        post(client)
        next_post = FROZEN_NOW + timedelta(seconds=10)
        assert not client.spare_turn(next_post)  # the post's own spacing still runs
        clock.sleep(2.0)
        assert client.spare_turn(next_post)
        clock.sleep(6.5)
        assert not client.spare_turn(next_post)  # a poll now would delay the post
