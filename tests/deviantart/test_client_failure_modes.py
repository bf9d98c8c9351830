"""DeviantArt's real failure modes at the client: the CDN's 403, removed endpoints, shared waits."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from deviantart.da_doubles import FROZEN_NOW, Harness, error_response, json_response
from photomanager.deviantart.penalties import InMemoryPenalties
from photomanager.deviantart.retry import RetryPolicy
from photomanager.domain.errors import (
    AccountRestricted,
    EdgeBlocked,
    EndpointGone,
    RateLimited,
)
from photomanager.domain.models import PENALTY_EDGE, PENALTY_PACE, PENALTY_USER

OK = {"status": "success"}
BLOCKED_PAGE = "<html><body><h1>403 ERROR</h1>Request blocked.</body></html>"
DEVIATION = "0A1B2C3D-0000-4000-8000-000000000001"


def edge_403() -> httpx.Response:
    return httpx.Response(403, text=BLOCKED_PAGE, headers={"Content-Type": "text/html"})


def gone() -> httpx.Response:
    return error_response(404, "invalid_request", "Api endpoint not found.")


def throttled() -> httpx.Response:
    return error_response(429, "user_api_threshold", "User request limit reached.")


class TestEdgeBlock:
    def test_an_html_403_is_an_edge_block_and_is_not_retried(self, harness: Harness) -> None:
        """One request, EdgeBlocked with the next try 5 minutes later, nothing retried."""
        harness.server.reply(edge_403())
        client = harness.make()
        with pytest.raises(EdgeBlocked) as caught:
            client.get("placebo")
        assert len(harness.server.requests) == 1
        assert caught.value.retry_at == FROZEN_NOW + timedelta(minutes=5)
        assert "refused this machine" in caught.value.message
        assert "12:05:00 UTC" in caught.value.message

    def test_a_post_refused_by_the_edge_is_not_an_unknown_outcome(self, harness: Harness) -> None:
        """A POST met by the CDN's page surely did not land: EdgeBlocked, not OutcomeUnknown."""
        harness.server.reply(edge_403())
        with pytest.raises(EdgeBlocked):
            harness.make().post(f"comments/post/deviation/{DEVIATION}", {"body": "hi"})

    def test_a_json_403_still_restricts_the_account(self, harness: Harness) -> None:
        """DeviantArt's JSON 403 keeps today's meaning."""
        harness.server.reply(error_response(403, "unauthorized", "no"))
        with pytest.raises(AccountRestricted):
            harness.make().get("placebo")

    def test_no_request_is_sent_during_the_pause(self, harness: Harness) -> None:
        """Inside the pause, every client sharing the waits refuses without sending."""
        penalties = InMemoryPenalties()
        harness.server.reply(edge_403())
        with pytest.raises(EdgeBlocked):
            harness.make(penalties=penalties).get("placebo")
        with pytest.raises(EdgeBlocked):
            harness.make(penalties=penalties).get("placebo")
        assert len(harness.server.requests) == 1

    def test_the_pause_doubles_per_block_in_a_row_up_to_an_hour(self, harness: Harness) -> None:
        """5, 10, 20, 40, 60, 60 minutes for blocks in a row (no success between)."""
        clock = MovableClock()
        client = harness.make(penalties=InMemoryPenalties(), clock=clock)
        pauses = []
        for _ in range(6):
            harness.server.reply(edge_403())
            with pytest.raises(EdgeBlocked) as caught:
                client.get("placebo")
            assert caught.value.retry_at is not None
            pauses.append((caught.value.retry_at - clock.now()) / timedelta(minutes=1))
            clock.moment = caught.value.retry_at
        assert pauses == [5, 10, 20, 40, 60, 60]

    def test_a_success_resets_the_doubling(self, harness: Harness) -> None:
        """After a success the next block pauses 5 minutes again."""
        penalties = InMemoryPenalties()
        penalties.impose(PENALTY_EDGE, FROZEN_NOW - timedelta(seconds=1), "x", FROZEN_NOW, streak=3)
        harness.server.reply(json_response(200, OK), edge_403())
        client = harness.make(penalties=penalties)
        client.get("placebo")
        with pytest.raises(EdgeBlocked) as caught:
            client.get("placebo")
        assert caught.value.retry_at == FROZEN_NOW + timedelta(minutes=5)


class MovableClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.moment = FROZEN_NOW

    def now(self) -> datetime:
        return self.moment


class TestEndpointGone:
    def test_a_removed_endpoint_is_named(self, harness: Harness) -> None:
        """404 "Api endpoint not found." is EndpointGone naming the path without ids."""
        harness.server.reply(gone())
        with pytest.raises(EndpointGone) as caught:
            harness.make().get(f"comments/deviation/{DEVIATION}")
        assert caught.value.path == "comments/deviation"
        assert caught.value.message == "DeviantArt no longer offers comments/deviation"
        assert len(harness.server.requests) == 1


class TestSharedWaits:
    def test_a_429_without_retry_after_imposes_a_cool_off_on_every_client(
        self, harness: Harness
    ) -> None:
        """Another client (another process) waits out the cool-off before it sends."""
        penalties = InMemoryPenalties()
        harness.server.reply(throttled())
        with pytest.raises(RateLimited):
            harness.make(penalties=penalties, policy=RetryPolicy(max_retries=0)).get("placebo")
        row = penalties.get_many([PENALTY_USER])[PENALTY_USER]
        assert row.not_before is not None
        cool_off = (row.not_before - FROZEN_NOW).total_seconds()
        assert cool_off >= 1.0
        harness.server.reply(json_response(200, OK))
        assert harness.make(penalties=penalties).get("placebo") == OK
        assert harness.sleep.waits == [cool_off]

    def test_a_retry_after_binds_a_restarted_process(self, harness: Harness) -> None:
        """A new client on the same waits does not send inside the Retry-After it never saw."""
        penalties = InMemoryPenalties()
        harness.server.reply(error_response(429, "user_api_threshold", "x", {"Retry-After": "900"}))
        with pytest.raises(RateLimited):
            harness.make(penalties=penalties).get("placebo")
        restarted = harness.make(penalties=penalties)
        with pytest.raises(RateLimited) as caught:
            restarted.get("placebo")
        assert len(harness.server.requests) == 1
        assert caught.value.retry_after == pytest.approx(900)
        assert caught.value.status is None  # not sent

    def test_a_short_shared_wait_is_waited_out_then_sent(self, harness: Harness) -> None:
        """A wait under the cap is slept, then the request goes."""
        penalties = InMemoryPenalties()
        penalties.impose(PENALTY_USER, FROZEN_NOW + timedelta(seconds=20), "r", FROZEN_NOW)
        harness.server.reply(json_response(200, OK))
        assert harness.make(penalties=penalties).get("placebo") == OK
        assert harness.sleep.waits == [20.0]

    def test_the_learned_spacing_is_stored_and_adopted(self, harness: Harness) -> None:
        """A 429 stores the spacing; a new client starts from it."""
        penalties = InMemoryPenalties()
        harness.server.reply(throttled(), json_response(200, OK))
        harness.make(penalties=penalties).get("placebo")
        stored = penalties.get_many([PENALTY_PACE])[PENALTY_PACE].spacing_s
        assert stored is not None
        assert stored > 1.0
        restarted = harness.make(penalties=penalties)
        harness.server.reply(json_response(200, OK))
        harness.sleep.waits.clear()
        restarted.get("placebo")
        assert restarted.get_recommended_delay() >= stored * 0.99
