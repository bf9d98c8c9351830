"""`DeviantArtHttpClient`: what is retried, how long it waits, and what it raises."""

from __future__ import annotations

import random
import threading

import httpx
import pytest

from deviantart.da_doubles import Harness, error_response, json_response
from photomanager.deviantart.retry import RetryPolicy
from photomanager.domain.errors import (
    Cancelled,
    OutcomeUnknown,
    RateLimited,
    RequestRejected,
    ServerError,
    ServiceUnavailable,
    TransportFailed,
)

OK = {"status": "success"}


def rate_limited(retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else None
    return error_response(429, "user_api_threshold", "API threshold reached", headers)


class TestRetryAfterWaits:
    @pytest.mark.parametrize(
        ("header", "expected_wait"),
        [
            ("120", 120.0),
            ("0", 1.0),  # the floor of every wait
            (" 42 ", 42.0),
            ("600", 600.0),  # exactly the cap is still waited out
            ("Wed, 01 May 2024 12:01:30 GMT", 90.0),  # future HTTP-date, frozen clock
            ("Wed, 01 May 2024 11:00:00 GMT", 1.0),  # past HTTP-date: the floor
            ("soon", 2.08),  # garbage: backoff, raised to the cool-off (two grown spacings)
            ("-5", 2.08),  # negative: same as garbage
            (None, 2.08),
        ],
    )
    def test_429_then_200_waits_exactly(
        self, harness: Harness, header: str | None, expected_wait: float
    ) -> None:
        """The single wait before the retry honours Retry-After, else falls back to backoff."""
        harness.server.reply(rate_limited(header), json_response(200, OK))
        client = harness.make()

        assert client.get("placebo") == OK
        assert harness.sleep.waits == [expected_wait]
        assert len(harness.server.requests) == 2

    def test_jitter_is_only_added_on_top(self, harness: Harness) -> None:
        """With jitter enabled, the wait is never below Retry-After and at most cap above it."""
        harness.server.reply(*(rate_limited("30") for _ in range(3)), json_response(200, OK))
        client = harness.make(rng=random.Random(7), policy=RetryPolicy(retry_after_jitter_s=5.0))

        client.get("placebo")

        assert len(harness.sleep.waits) == 3
        assert all(30.0 <= wait <= 35.0 for wait in harness.sleep.waits)

    def test_retry_after_above_cap_raises_at_once(self, harness: Harness) -> None:
        """A Retry-After beyond the cap is not waited out: RateLimited carries the full value."""
        harness.server.reply(rate_limited("601"))
        client = harness.make()

        with pytest.raises(RateLimited) as caught:
            client.get("placebo")

        assert caught.value.retry_after == 601.0
        assert harness.sleep.waits == []
        assert len(harness.server.requests) == 1

    def test_cap_is_configurable(self, harness: Harness) -> None:
        """A lower cap turns a shorter Retry-After into an immediate RateLimited."""
        harness.server.reply(rate_limited("120"))
        client = harness.make(policy=RetryPolicy(retry_after_cap_s=60.0))

        with pytest.raises(RateLimited):
            client.get("placebo")
        assert harness.sleep.waits == []


class TestGetRetries:
    def test_500_four_times_raises_after_three_retries(self, harness: Harness) -> None:
        """500 on every GET: 4 requests in all, exponential waits, then ServerError."""
        harness.server.reply(*(error_response(500, "server_error") for _ in range(4)))
        client = harness.make()

        with pytest.raises(ServerError):
            client.get("placebo")

        assert len(harness.server.requests) == 4
        # Full jitter at its midpoint: 0.5, 1, 2 (the first two raised to the 1 s floor).
        assert harness.sleep.waits == [1.0, 1.0, 2.0]

    @pytest.mark.parametrize("status", [502, 503, 504])
    def test_gateway_errors_are_retried(self, harness: Harness, status: int) -> None:
        """502/503/504 on a GET are retried and the later success is returned."""
        harness.server.reply(json_response(status, {}), json_response(200, OK))
        assert harness.make().get("placebo") == OK
        assert len(harness.server.requests) == 2

    def test_429_exhausted_raises_rate_limited(self, harness: Harness) -> None:
        """Four 429s in a row: RateLimited after three retries."""
        harness.server.reply(*(rate_limited("5") for _ in range(4)))
        with pytest.raises(RateLimited) as caught:
            harness.make().get("placebo")
        assert caught.value.retry_after == 5.0
        assert len(harness.server.requests) == 4

    def test_503_exhausted_raises_service_unavailable(self, harness: Harness) -> None:
        """Four 503s in a row: ServiceUnavailable."""
        harness.server.reply(*(json_response(503, {}) for _ in range(4)))
        with pytest.raises(ServiceUnavailable):
            harness.make().get("placebo")
        assert len(harness.server.requests) == 4

    def test_read_timeout_is_retried(self, harness: Harness) -> None:
        """A GET whose answer timed out is simply asked again."""
        harness.server.reply(httpx.ReadTimeout("slow"), json_response(200, OK))
        assert harness.make().get("placebo") == OK
        assert len(harness.server.requests) == 2

    def test_connect_errors_exhausted_raise_transport_failed(self, harness: Harness) -> None:
        """Nothing reaches DeviantArt four times: TransportFailed."""
        harness.server.reply(*(httpx.ConnectError("refused") for _ in range(4)))
        with pytest.raises(TransportFailed):
            harness.make().get("placebo")
        assert len(harness.server.requests) == 4

    def test_400_is_not_retried(self, harness: Harness) -> None:
        """A rejection is final: one request, RequestRejected."""
        harness.server.reply(error_response(400, "invalid_request", "Deviation not found"))
        with pytest.raises(RequestRejected):
            harness.make().get("placebo")
        assert len(harness.server.requests) == 1
        assert harness.sleep.waits == []

    def test_unreadable_success_is_a_server_error(self, harness: Harness) -> None:
        """A 200 whose body is not a JSON object is an error, not a crash."""
        harness.server.reply(httpx.Response(200, content=b"<html>maintenance</html>"))
        with pytest.raises(ServerError):
            harness.make().get("placebo")


class TestPostRetries:
    def test_read_timeout_is_outcome_unknown_with_one_post(self, harness: Harness) -> None:
        """A POST whose answer timed out may have landed: OutcomeUnknown, never a second POST."""
        harness.server.reply(httpx.ReadTimeout("slow"), json_response(200, OK))
        with pytest.raises(OutcomeUnknown):
            harness.make().post("comments/post/deviation/X", {"body": "hi"})
        assert harness.server.methods() == ["POST"]

    def test_dropped_connection_is_outcome_unknown(self, harness: Harness) -> None:
        """A connection dropped mid-answer: OutcomeUnknown, one POST."""
        harness.server.reply(httpx.RemoteProtocolError("peer closed"), json_response(200, OK))
        with pytest.raises(OutcomeUnknown):
            harness.make().post("comments/post/deviation/X", {"body": "hi"})
        assert harness.server.methods() == ["POST"]

    @pytest.mark.parametrize("status", [500, 502, 504])
    def test_server_errors_are_outcome_unknown(self, harness: Harness, status: int) -> None:
        """500/502/504 on a POST: OutcomeUnknown with the status, one POST."""
        harness.server.reply(error_response(status, "server_error"), json_response(200, OK))
        with pytest.raises(OutcomeUnknown) as caught:
            harness.make().post("comments/post/deviation/X", {"body": "hi"})
        assert caught.value.status == status
        assert harness.server.methods() == ["POST"]

    @pytest.mark.parametrize(
        "first",
        [rate_limited("3"), json_response(503, {}), httpx.ConnectError("refused")],
        ids=["429", "503", "connect-error"],
    )
    def test_surely_not_landed_is_retried(
        self, harness: Harness, first: httpx.Response | Exception
    ) -> None:
        """429, 503 and connect errors mean the POST did not land: it is sent again."""
        harness.server.reply(first, json_response(200, OK))
        assert harness.make().post("comments/post/deviation/X", {"body": "hi"}) == OK
        assert harness.server.methods() == ["POST", "POST"]
        assert harness.server.form(0) == harness.server.form(1) == {"body": "hi"}

    def test_unreadable_success_is_outcome_unknown(self, harness: Harness) -> None:
        """A 200 to a POST with an unreadable body: it landed, but we cannot tell what."""
        harness.server.reply(httpx.Response(200, content=b"oops"))
        with pytest.raises(OutcomeUnknown):
            harness.make().post("comments/post/deviation/X", {"body": "hi"})

    def test_rejection_is_final(self, harness: Harness) -> None:
        """A 400 to a POST is a definite no: RequestRejected, one POST."""
        harness.server.reply(error_response(400, "invalid_request", "Comments are disabled"))
        with pytest.raises(RequestRejected):
            harness.make().post("comments/post/deviation/X", {"body": "hi"})
        assert harness.server.methods() == ["POST"]


class TestRecommendedDelay:
    def test_starts_at_the_floor(self, harness: Harness) -> None:
        """A fresh client recommends the configured floor."""
        client = harness.make(policy=RetryPolicy(delay_floor_s=2.0))
        assert client.get_recommended_delay() == 2.0

    def test_a_storm_of_429s_grows_up_to_the_cap(self, harness: Harness) -> None:
        """429s with no success between them double the delay, never past delay_max_s."""
        policy = RetryPolicy(max_retries=0, delay_floor_s=1.0, delay_max_s=5.0)
        client = harness.make(policy=policy)
        seen = []
        for _ in range(4):
            harness.server.reply(rate_limited("1"))
            with pytest.raises(RateLimited):
                client.get("placebo")
            seen.append(client.get_recommended_delay())
        assert seen == [2.0, 4.0, 5.0, 5.0]

    def test_successes_probe_back_towards_the_floor(self, harness: Harness) -> None:
        """After a 429, successes shrink the delay, never below the floor."""
        policy = RetryPolicy(max_retries=0, delay_floor_s=1.0)
        client = harness.make(policy=policy)
        harness.server.reply(rate_limited("1"))
        with pytest.raises(RateLimited):
            client.get("placebo")
        grown = client.get_recommended_delay()

        harness.server.reply(*(json_response(200, OK) for _ in range(10)))
        for _ in range(10):
            client.get("placebo")
        assert 1.0 <= client.get_recommended_delay() < grown


class TestStop:
    @pytest.mark.timeout(10)
    def test_stop_interrupts_a_long_retry_after_wait(self, harness: Harness) -> None:
        """A real stop event ends a 300 s Retry-After wait with Cancelled, no second request."""
        stop = threading.Event()
        harness.server.reply(rate_limited("300"), json_response(200, OK))
        client = harness.make(sleep=None, stop_event=stop)
        timer = threading.Timer(0.05, stop.set)
        timer.start()
        try:
            with pytest.raises(Cancelled):
                client.get("placebo")
        finally:
            timer.cancel()
        assert len(harness.server.requests) == 1

    def test_stop_already_set_never_waits(self, harness: Harness) -> None:
        """With stop requested, a retryable failure raises Cancelled instead of waiting."""
        stop = threading.Event()
        stop.set()
        harness.server.reply(json_response(503, {}), json_response(200, OK))
        with pytest.raises(Cancelled):
            harness.make(stop_event=stop).get("placebo")
        assert harness.sleep.waits == []
        assert len(harness.server.requests) == 1
