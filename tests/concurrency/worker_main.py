"""Entry point of one worker PROCESS for the concurrency tests and the benchmark.

`python tests/concurrency/worker_main.py` builds the real container from the
environment (`PHOTOMANAGER_DATABASE_URL`, `PHOTOMANAGER_DA_BASE_URL`,
`PHOTOMANAGER_DA_MIN_DELAY_S`, ...) through `bootstrap()` and runs the real
worker loop (`CommentWorker.run`) until the desired state in the database says
`stopped` - the loop `photomanager worker` supervises, minus the wait for a
later start. `PHOTOMANAGER_DA_MIN_DELAY_S=0` lifts the client's 1 s floor.
"""

from __future__ import annotations

import logging
import sys

from photomanager.bootstrap import bootstrap
from photomanager.config import load_settings
from photomanager.logging_setup import configure_logging


def main() -> int:
    """Run one worker until told to stop; 0 on a clean exit."""
    configure_logging(logging.WARNING)
    container = bootstrap(load_settings(), migrate=False)
    try:
        container.worker.run(container.worker_http.stop_event)
    finally:
        container.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
