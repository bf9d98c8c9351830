"""The unit of work: one connection, one transaction, every repository."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from photomanager.storage.engine import READ_ONLY_OPTION
from photomanager.storage.repositories import (
    CollectRunRepository,
    CommentedDeviationsRepository,
    DeviationCommentLogRepository,
    DeviationCommentMessageRepository,
    DeviationCommentQueueRepository,
    FeedStateRepository,
    HousekeepingRepository,
    InboxRepository,
    OutcomeCountsRepository,
    PenaltyRepository,
    SettingsRepository,
    TokenRepository,
    WorkerControlRepository,
)


class SqlUnitOfWork:
    """Opens a transaction on enter; rolls back on exit unless committed.

    After `commit()` the unit of work may keep going: the next statement
    begins a new transaction (nothing is held in between, which matters for
    SQLite where every transaction takes the write lock), and exit rolls that
    one back unless it is committed too.
    """

    messages: DeviationCommentMessageRepository
    queue: DeviationCommentQueueRepository
    ledger: CommentedDeviationsRepository
    logs: DeviationCommentLogRepository
    feed_state: FeedStateRepository
    settings: SettingsRepository
    worker_control: WorkerControlRepository
    tokens: TokenRepository
    collect_runs: CollectRunRepository
    housekeeping: HousekeepingRepository
    penalties: PenaltyRepository
    inbox: InboxRepository
    outcomes: OutcomeCountsRepository

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._conn: Connection | None = None

    def __enter__(self) -> Self:
        if self._conn is not None:
            raise RuntimeError("unit of work already entered")
        conn = self._engine.connect()
        if self._read_only:
            conn = conn.execution_options(**{READ_ONLY_OPTION: True})
        try:
            conn.begin()
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self.messages = DeviationCommentMessageRepository(conn)
        self.queue = DeviationCommentQueueRepository(conn)
        self.ledger = CommentedDeviationsRepository(conn)
        self.logs = DeviationCommentLogRepository(conn)
        self.feed_state = FeedStateRepository(conn)
        self.settings = SettingsRepository(conn)
        self.worker_control = WorkerControlRepository(conn)
        self.tokens = TokenRepository(conn)
        self.collect_runs = CollectRunRepository(conn)
        self.housekeeping = HousekeepingRepository(conn)
        self.penalties = PenaltyRepository(conn)
        self.inbox = InboxRepository(conn)
        self.outcomes = OutcomeCountsRepository(conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.rollback()
        finally:
            conn.close()

    def commit(self) -> None:
        """Make everything done so far durable and release the locks."""
        self._require().commit()

    def rollback(self) -> None:
        """Forget everything since the last commit."""
        self._require().rollback()

    @property
    def connection(self) -> Connection:
        """The open connection, for storage-level checks (not part of the port)."""
        return self._require()

    def _require(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._conn


def sql_unit_of_work_factory(engine: Engine) -> Callable[..., SqlUnitOfWork]:
    """A factory of units of work on `engine` (the UnitOfWorkFactory port)."""

    def factory(*, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, read_only=read_only)

    return factory
