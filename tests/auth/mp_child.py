"""What each child process of the concurrency test runs (module-level, for spawn)."""

from __future__ import annotations

from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from auth.stack import build_stack
from photomanager.domain.clock import SystemClock
from photomanager.domain.models import TokenKind
from photomanager.storage import create_engine_for, sql_unit_of_work_factory
from photomanager.storage.refresh_lock import refresh_lock_for


def call_whoami(
    database_url: str,
    base_url: str,
    client_id: str,
    client_secret: str | None,
    barrier: Barrier,
    results: Queue[tuple[str, str]],
) -> None:
    """Build a fresh process's stack, wait for the others, call whoami; report the token."""
    engine = create_engine_for(database_url)
    try:
        stack = build_stack(
            uow_factory=sql_unit_of_work_factory(engine),
            clock=SystemClock(),
            client_id=client_id,
            client_secret=client_secret,
            base_url=base_url,
            refresh_lock=refresh_lock_for(engine),  # as bootstrap wires it
        )
        barrier.wait(timeout=60)
        try:
            user = stack.api.whoami()
            results.put(("ok", f"{user.username} {stack.session.get_token(TokenKind.USER)}"))
        except Exception as exc:  # reported to the parent, which fails the test
            results.put(("error", f"{type(exc).__name__}: {exc}"))
        finally:
            stack.http.close()
    finally:
        engine.dispose()
