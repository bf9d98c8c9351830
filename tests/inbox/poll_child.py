"""A process that polls a fixed message center until it has read everything.

Run as `python -m inbox.poll_child DB_URL` (with `tests` on the path);
`PHOTOMANAGER_CRASHPOINT` may SIGKILL it at any page. Every run sees the same
feed (`crash_feed()`), as DeviantArt would show it again after a crash.
"""

from __future__ import annotations

import sys
import threading
from datetime import timedelta
from typing import Any

from inbox.inbox_doubles import START, FakeMessageCenter, back_message, reply_message
from photomanager.domain.clock import SystemClock
from photomanager.services.inbox.poller import InboxPoller
from photomanager.storage.engine import create_engine_for
from photomanager.storage.unit_of_work import sql_unit_of_work_factory

FANS = 6
OWNER = "crash-child"  # a restarted poller takes its own lease back at once
MAX_POLLS = 30


def crash_feed() -> list[dict[str, Any]]:
    """20 messages, oldest first: 6 replies, 6 watch-backs, 2 faves back, 6 noise."""
    items: list[dict[str, Any]] = []
    at = START + timedelta(minutes=1)
    for n in range(FANS):
        items.append(
            reply_message(
                f"R{n}", to=f"C{n}", reply=f"RC{n}", deviation=n, by=f"fan{n}", at=at, body="ty!"
            )
        )
        items.append(back_message(f"W{n}", "watch", by=f"fan{n}", at=at))
        at += timedelta(minutes=1)
    items += [back_message(f"F{n}", "favourite", by=f"fan{n}", at=at) for n in range(2)]
    items += [back_message(f"S{n}", "watch", by=f"stranger{n}", at=at) for n in range(4)]
    items += [
        {"messageid": f"X{n}", "type": "feedback.badge_given", "subject": []} for n in range(2)
    ]
    return items


CREDITS = FANS + FANS + 2  # replies, watch-backs, faves back


def main(argv: list[str]) -> int:
    engine = create_engine_for(argv[1])
    try:
        center = FakeMessageCenter(page_size=3)
        center.arrive(*crash_feed())
        poller = InboxPoller(
            uow_factory=sql_unit_of_work_factory(engine),
            api=center,
            clock=SystemClock(),
            max_pages=3,
            owner=OWNER,
        )
        for _ in range(MAX_POLLS):
            result = poller.poll(threading.Event())
            with sql_unit_of_work_factory(engine)(read_only=True) as uow:
                caught_up = uow.inbox.get_poll().cursor is None
            if result.new == 0 and caught_up:
                return 0
        return 2
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
