"""A worker process for the crash matrix: settle what earlier workers left, then post.

Run as `python -m services.crash_worker DB_URL BASE_URL SEED` (with `tests` on
the path); `PHOTOMANAGER_CRASHPOINT` may SIGKILL it anywhere along the way.
Tokens come from the environment (issued by the test's sandbox).
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from datetime import timedelta

from photomanager.deviantart import DeviantArtApiClient, DeviantArtHttpClient, RetryPolicy
from photomanager.deviantart.retry import Timeouts
from photomanager.domain.clock import SystemClock
from photomanager.domain.errors import ReauthRequired
from photomanager.domain.models import PENALTY_NEXT_USER, PENALTY_USER, TokenKind
from photomanager.services.account.identity import lookup_me
from photomanager.services.posting.outcomes import StepOutcome
from photomanager.services.posting.reconcile import Reconciler
from photomanager.services.posting.worker import CommentWorker
from photomanager.services.posting.worker_loop import step_may_start
from photomanager.storage.engine import create_engine_for
from photomanager.storage.penalty_store import SqlPenaltyStore
from photomanager.storage.unit_of_work import sql_unit_of_work_factory

LEASE = timedelta(seconds=1.5)  # no POST to a local sandbox takes this long
# lease >= post deadline + one full attempt (connect + write + read) + margin; an
# attempt starts only if it would end by the deadline: by claimed_at + 0.3 s here.
TIMEOUTS = Timeouts(connect=0.1, write=0.1, read=0.3, pool=0.1)
POST_DEADLINE = timedelta(seconds=0.8)
MARGIN = timedelta(seconds=0.2)
GRACE = timedelta(seconds=0.5)
RECHECK = timedelta(seconds=0.3)
MAX_STEPS = 1000
# The worker loop starts a step this long before the account's next turn (its STEP_LEAD);
# here shorter, as the post must still end by claimed_at + POST_DEADLINE.
STEP_LEAD = timedelta(seconds=0.1)


class EnvTokens:
    """Tokens handed over by the parent test through the environment."""

    def get_token(self, kind: TokenKind) -> str:
        name = "CRASH_CLIENT_TOKEN" if kind is TokenKind.CLIENT else "CRASH_USER_TOKEN"
        return os.environ[name]

    def refresh_token(self, kind: TokenKind, rejected: str) -> str:
        raise ReauthRequired("the crash worker cannot refresh")


def wait_for_turn(store: SqlPenaltyStore, clock: SystemClock) -> None:
    """What the worker loop does between steps: wait for the account's turn and waits."""
    now = clock.now()
    rows = store.get_many([PENALTY_USER, PENALTY_NEXT_USER])
    ends = [
        until
        for scope, row in rows.items()
        if (until := step_may_start(scope, row, now, lead=STEP_LEAD)) is not None
    ]
    if ends:
        seconds = (max(ends) - now).total_seconds()
        if seconds > 0:
            time.sleep(seconds)


def main(argv: list[str]) -> int:
    """Expire, reconcile, then post until the queue has nothing due."""
    db_url, base_url, seed = argv[1], argv[2], int(argv[3])
    engine = create_engine_for(db_url)
    uow_factory = sql_unit_of_work_factory(engine)
    clock = SystemClock()
    penalties = SqlPenaltyStore(engine)
    http = DeviantArtHttpClient(
        base_url,
        EnvTokens(),
        # Scaled like the sandbox's limit (12 per second): a spacing after a trip of 1 s, the
        # default, would drain the rows at one a second.
        policy=RetryPolicy(delay_floor_s=0.0, min_wait_s=0.0, velocity_start_s=0.05),
        timeouts=TIMEOUTS,
        # The waits DeviantArt imposed on a killed predecessor hold for this process too.
        penalties=penalties,
    )
    api = DeviantArtApiClient(http)
    reconciler = Reconciler(
        uow_factory=uow_factory,
        api=api,
        clock=clock,
        lease=LEASE,
        post_deadline=POST_DEADLINE,
        attempt_timeout=http.attempt_timeout,
        margin=MARGIN,
        grace=GRACE,
        recheck=RECHECK,
    )
    worker = CommentWorker(
        uow_factory=uow_factory,
        api=api,
        clock=clock,
        rng=random.Random(seed),
        reconciler=reconciler,
    )
    stop = threading.Event()
    try:
        reconciler.expire_claims()
        reconciler.reconcile_all(lookup_me(uow_factory, api, required=True), stop, limit=MAX_STEPS)
        for _ in range(MAX_STEPS):
            wait_for_turn(penalties, clock)
            outcome = worker.run_once(stop).outcome
            if outcome in (StepOutcome.IDLE, StepOutcome.NO_TEMPLATES):
                break
    finally:
        http.close()
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
