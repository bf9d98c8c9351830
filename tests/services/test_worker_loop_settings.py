"""Settings changed while the worker waits take effect at its next wait chunk."""

from __future__ import annotations

import threading
from datetime import timedelta

from services.service_harness import Harness
from services.worker_loop_support import fill, loop_worker, sent_times

CHUNK_S = 5.0


class TestRaisingACapWakesTheWorker:
    def test_a_raised_hourly_cap_ends_the_cap_wait(self, harness: Harness) -> None:
        """At the hourly cap the worker waits; raising the cap lets it post within minutes."""
        fill(harness, 2, max_per_hour=1, min_interval_s=30, max_interval_s=30)
        start = harness.clock.now()
        raised: list[bool] = []

        def sleep(stop: threading.Event, seconds: float) -> bool:
            status = harness.control.status()
            if not raised and "hourly cap" in (status.reason or ""):
                harness.settings.update_settings(max_per_hour=10)  # the artist, meanwhile
                raised.append(True)
            harness.clock.advance(max(seconds, 0.001))
            if len(sent_times(harness)) >= 2 or harness.clock.now() - start > timedelta(hours=2):
                stop.set()
            return stop.is_set()

        harness.control.start()
        loop_worker(harness, sleep, max_wait_chunk=CHUNK_S).run(harness.stop)

        first, second = sent_times(harness)
        assert raised
        assert second - first < timedelta(minutes=2)
