"""The worker supervisor: runs the worker whenever the desired state says so.

Used by `serve` (in a thread) and by `photomanager worker` (in the foreground):
it polls the desired state, runs `CommentWorker.run` while it is `running`,
and returns once `shutdown` is set.
"""

from __future__ import annotations

import logging
import threading

from photomanager.domain.models import WorkerDesired
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.posting.worker import CommentWorker
from photomanager.services.worker_control import read_control

logger = logging.getLogger(__name__)

POLL_S = 0.5


class WorkerSupervisor:
    """Starts and stops the worker loop as the desired state changes."""

    def __init__(
        self,
        *,
        worker: CommentWorker,
        uow_factory: UnitOfWorkFactory,
        stop: threading.Event,
        poll_interval: float = POLL_S,
    ) -> None:
        """`stop` must be the Event the DeviantArt client waits on, so stops cut its waits."""
        self._worker = worker
        self._uow_factory = uow_factory
        self._stop = stop
        self._poll_interval = poll_interval

    def run_forever(self, shutdown: threading.Event) -> None:
        """Supervise until `shutdown` is set; a running step is interrupted at once."""
        relay = threading.Thread(target=self._relay, args=(shutdown,), daemon=True)
        relay.start()
        while not shutdown.is_set():
            try:
                desired = read_control(self._uow_factory).desired
            except Exception:
                logger.exception("cannot read the desired worker state")
                desired = WorkerDesired.STOPPED
            if desired is WorkerDesired.RUNNING:
                self._stop.clear()
                if shutdown.is_set():
                    break
                try:
                    self._worker.run(self._stop)
                except Exception:
                    logger.exception("the worker loop crashed; restarting")
            shutdown.wait(self._poll_interval)
        relay.join()

    def _relay(self, shutdown: threading.Event) -> None:
        shutdown.wait()
        self._stop.set()
