"""Closing the app ends a collect that is waiting out DeviantArt's Retry-After."""

from __future__ import annotations

import time

from photomanager.bootstrap import Container
from photomanager.domain.models import Source
from photomanager.sandbox import Sandbox
from photomanager.sandbox.faults.switches import RateLimit
from photomanager.services.collecting.collector import RUNNING


def wait_for_429(sandbox: Sandbox, endpoint: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not any(r.status == 429 for r in sandbox.ledger.requests(endpoint)):
        assert time.monotonic() < deadline, f"no 429 from {endpoint}"
        time.sleep(0.02)


class TestCloseDuringRetryAfter:
    def test_a_collect_in_a_long_retry_after_wait_is_cancelled_by_close(
        self, container: Container, sandbox: Sandbox
    ) -> None:
        """A 5-minute Retry-After does not hold the shutdown: the run ends, not left running."""
        sandbox.faults.rate_limit = RateLimit(
            capacity=0, refill_per_s=1 / 300, endpoints=frozenset({"deviantsyouwatch"})
        )
        run = container.collect_runs.start(Source.WATCH_FEED, pages=1)
        wait_for_429(sandbox, "deviantsyouwatch")

        container.close()

        assert container.collect_runs.get(run.run_id).state != RUNNING
