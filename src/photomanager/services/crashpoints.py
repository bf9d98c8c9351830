"""Crash points: kill this process at a labelled step, for the crash-matrix tests.

`PHOTOMANAGER_CRASHPOINT=<label>` makes `crashpoint(label)` send SIGKILL to the
current process when it reaches that label (optionally only with probability
`PHOTOMANAGER_CRASHPOINT_PROBABILITY`, default 1). Unset, it costs one dict lookup.

`PHOTOMANAGER_PAUSEPOINT=<label>` makes the process SIGSTOP itself the first
time it reaches that label, until someone sends SIGCONT: the fencing tests
freeze a worker past its claim lease this way, at a known step.
"""

from __future__ import annotations

import os
import random
import signal

ENV_LABEL = "PHOTOMANAGER_CRASHPOINT"
ENV_PROBABILITY = "PHOTOMANAGER_CRASHPOINT_PROBABILITY"
ENV_PAUSE_LABEL = "PHOTOMANAGER_PAUSEPOINT"

AFTER_CLAIM = "after_claim"  # the claim is committed, nothing rendered yet
BEFORE_POST = "before_post"  # the body is stored on the row, the POST not sent
AFTER_POST = "after_post"  # DeviantArt stored the comment, the DB does not know yet
AFTER_RECORD = "after_record"  # the outcome is committed

LABELS = (AFTER_CLAIM, BEFORE_POST, AFTER_POST, AFTER_RECORD)

# The inbox poll (`services/inbox/poller.py`) and the artist's answers.
INBOX_PAGE_WRITTEN = "inbox_page_written"  # messages, credits, resume point written, not committed
INBOX_PAGE_COMMITTED = "inbox_page_committed"  # the page is durable, the next not read
ANSWER_CLAIMED = "answer_claimed"  # the answer row is committed, the POST not sent
ANSWER_POSTED = "answer_posted"  # DeviantArt stored the reply, the DB does not know yet

INBOX_LABELS = (INBOX_PAGE_WRITTEN, INBOX_PAGE_COMMITTED)

_paused: set[str] = set()


def crashpoint(label: str) -> None:
    """SIGKILL this process if the environment asks for a crash at `label`.

    Also SIGSTOP it (once per label) if the environment asks for a pause there.
    """
    if os.environ.get(ENV_PAUSE_LABEL) == label and label not in _paused:
        _paused.add(label)
        os.kill(os.getpid(), signal.SIGSTOP)
    wanted = os.environ.get(ENV_LABEL)
    if wanted is None or wanted != label:
        return
    probability = float(os.environ.get(ENV_PROBABILITY, "1"))
    if random.random() < probability:
        os.kill(os.getpid(), signal.SIGKILL)
