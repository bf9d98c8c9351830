"""Entry point of one worker PROCESS for the concurrency tests and the benchmark.

`python tests/concurrency/worker_main.py [--delay-floor S]` builds the real
container from the environment (`PHOTOMANAGER_DATABASE_URL`,
`PHOTOMANAGER_DA_BASE_URL`, ...) through `bootstrap()` and runs the real worker
loop (`CommentWorker.run`) until the desired state in the database says
`stopped` - the loop `photomanager worker` supervises, minus the wait for a
later start.

`--delay-floor` replaces the DeviantArt client's politeness floor
(`RetryPolicy.delay_floor_s`, 1 s by default), which no setting reaches: with
it, one process never posts more than once a second, even at zero pacing.
The worker gets its own client with that policy, wired as `bootstrap()` does.
"""

from __future__ import annotations

import argparse
import logging
import sys

from photomanager.bootstrap import bootstrap
from photomanager.config import load_settings
from photomanager.deviantart.api import DeviantArtApiClient
from photomanager.deviantart.client import DeviantArtHttpClient
from photomanager.deviantart.retry import RetryPolicy
from photomanager.logging_setup import configure_logging
from photomanager.services.worker import CommentWorker


def main(argv: list[str] | None = None) -> int:
    """Run one worker until told to stop; 0 on a clean exit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-floor", type=float, default=None)
    args = parser.parse_args(argv)
    configure_logging(logging.WARNING)
    container = bootstrap(load_settings(), migrate=False)
    worker, http = container.worker, container.worker_http
    own_http: DeviantArtHttpClient | None = None
    if args.delay_floor is not None:
        own_http = DeviantArtHttpClient(
            container.settings.da_base_url,
            container.auth,
            policy=RetryPolicy(delay_floor_s=args.delay_floor),
            clock=container.clock,
        )
        http = own_http
        worker = CommentWorker(
            uow_factory=container.uow_factory,
            api=DeviantArtApiClient(own_http),
            clock=container.clock,
            rng=container.rng,
        )
    try:
        worker.run(http.stop_event)
    finally:
        if own_http is not None:
            own_http.close()
        container.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
