"""Fencing: a worker frozen past its claim lease, whose row another worker took
over and posted, changes nothing and posts nothing when it wakes up.

The frozen worker is a real process that SIGSTOPs itself right after its claim
is committed (`PHOTOMANAGER_PAUSEPOINT=after_claim`, see services/crashpoints.py).
The other worker runs in this process with its clock half an hour ahead, so
the first one's lease (and the reconciliation grace) is over for it.
"""

from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from concurrency.harness import (
    UowFactory,
    commentable_sandbox,
    kill_all,
    open_factory,
    prepare_database,
    process_state,
    start_workers,
    stop_workers,
    wait_for,
)
from photomanager.bootstrap import bootstrap
from photomanager.config import load_settings
from photomanager.domain.models import QueueStatus
from photomanager.sandbox.adapters import SandboxServer
from photomanager.services import crashpoints
from photomanager.services.account.identity import Me
from photomanager.services.posting.outcomes import StepOutcome

AHEAD = timedelta(minutes=30)  # past the lease and grace, before the token needs a refresh


class LaterClock:
    """The real time, `AHEAD` in the future."""

    def now(self) -> datetime:
        return datetime.now(UTC) + AHEAD


@pytest.mark.slow
class TestStaleWorkerIsFenced:
    def test_resumed_worker_neither_writes_nor_posts(
        self, database_url: str, log_dir: Path, tmp_path: Path
    ) -> None:
        """After a takeover, the resumed worker's late update is refused and it never posts."""
        sandbox, ids = commentable_sandbox(1)
        [deviationid] = ids
        dispose, factory = open_factory(database_url)
        try:
            prepare_database(factory, sandbox, ids)
            with SandboxServer(sandbox) as base_url:
                [stale] = start_workers(
                    1,
                    database_url=database_url,
                    base_url=base_url,
                    sandbox=sandbox,
                    log_dir=log_dir,
                    PHOTOMANAGER_PAUSEPOINT=crashpoints.AFTER_CLAIM,
                )
                try:
                    wait_for(
                        lambda: process_state(stale.pid) == "T",
                        timeout=60,
                        what="the worker to freeze right after its claim",
                    )
                    with factory() as uow:
                        frozen = uow.queue.get(deviationid)
                    settings = load_settings(
                        _env_file=None, data_dir=tmp_path, database_url=database_url
                    )
                    taker = bootstrap(settings, sandbox=sandbox, clock=LaterClock(), migrate=False)
                    try:
                        me = Me(userid=sandbox.artist.userid, username=sandbox.artist.username)
                        expired = taker.worker.reconciler.expire_claims()
                        taker.worker.reconciler.reconcile_all(me, threading.Event())
                        taken = taker.worker.run_once()
                    finally:
                        taker.close()
                    os.kill(stale.pid, signal.SIGCONT)
                    wait_for(
                        lambda: "queue empty" in (_control_reason(factory) or ""),
                        timeout=60,
                        what="the resumed worker to finish its step and find the queue empty",
                    )
                    codes = stop_workers(factory, [stale])
                finally:
                    kill_all([stale])
            with factory() as uow:
                after = uow.queue.get(deviationid)
        finally:
            dispose()

        assert frozen is not None
        assert frozen.status is QueueStatus.SENDING
        assert expired == 1
        assert taken.outcome is StepOutcome.SENT
        assert after is not None
        assert after.status is QueueStatus.COMMENTED
        assert after.commentid == taken.commentid
        assert after.body == taken.body
        assert [c.commentid for c in sandbox.ledger.comments_for(deviationid)] == [taken.commentid]
        assert len(sandbox.ledger.requests("post_comment")) == 1
        assert codes == [0]


def _control_reason(factory: UowFactory) -> str | None:
    with factory() as uow:
        reason: str | None = uow.worker_control.get().reason
    return reason
