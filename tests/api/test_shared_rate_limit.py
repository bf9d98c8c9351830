"""The collectors' and the worker's DeviantArt clients share one rate-limit state."""

from __future__ import annotations

import pytest

from photomanager.bootstrap import Container
from photomanager.deviantart.client import DeviantArtHttpClient
from photomanager.domain.errors import RateLimited
from photomanager.sandbox import Sandbox
from photomanager.sandbox.faults.switches import RateLimit


def _throttle(sandbox: Sandbox) -> None:
    """Every API request answers 429 with a Retry-After too long to wait out in the client."""
    sandbox.faults.rate_limit = RateLimit(capacity=0.0, refill_per_s=0.0001)


def _draw_429(client: DeviantArtHttpClient) -> None:
    with pytest.raises(RateLimited):
        client.get("placebo")


class TestSharedRateLimit:
    def test_a_429_drawn_by_a_collector_slows_the_worker(
        self, container: Container, sandbox: Sandbox
    ) -> None:
        """The worker's recommended delay grows when the collectors' client is throttled."""
        floor = container.worker_http.get_recommended_delay()
        _throttle(sandbox)

        _draw_429(container.http)

        assert container.worker_http.get_recommended_delay() > floor
        assert (
            container.worker_http.get_recommended_delay() == container.http.get_recommended_delay()
        )

    def test_a_429_drawn_by_the_worker_slows_the_collectors(
        self, container: Container, sandbox: Sandbox
    ) -> None:
        """And the other way round: DeviantArt limits the account, not one client object."""
        floor = container.http.get_recommended_delay()
        _throttle(sandbox)

        _draw_429(container.worker_http)

        assert container.http.get_recommended_delay() > floor
        assert (
            container.api.get_recommended_delay() == container.worker_http.get_recommended_delay()
        )
