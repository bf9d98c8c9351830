"""The composition root: the one place that wires settings, storage, DeviantArt and services.

The web app factory, the CLI and the worker all call `bootstrap()`. Nothing is
built at import time. Every default (clock, RNG, transport) can be overridden,
which is how tests and `serve --sandbox` swap in the fake DeviantArt.

The worker gets its own `DeviantArtHttpClient`: the worker's stop Event is the
client's stop Event (so a stop cuts a Retry-After wait short), and stopping the
worker must not cancel the collect runs and page requests that share a process
with it. Both clients take their tokens from the same `AuthSession` and share
one `AdaptiveDelay`: DeviantArt rate-limits the user and the app, so a 429 the
collectors draw must slow the worker down too, and the other way round. The
waits themselves (Retry-After, cool-offs, the learned spacing, the CDN's
block) live in the database (`SqlPenaltyStore`), so every process, a
restarted one included, obeys them.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from sqlalchemy import Connection, Engine

from photomanager.config import Settings
from photomanager.deviantart.api import DeviantArtApiClient
from photomanager.deviantart.client import DeviantArtHttpClient
from photomanager.deviantart.oauth import DeviantArtOAuth
from photomanager.deviantart.penalties import PenaltyStore
from photomanager.deviantart.retry import AdaptiveDelay, RetryPolicy
from photomanager.domain.clock import Clock, SystemClock
from photomanager.language import LanguageDetector
from photomanager.logging_setup import register_secret
from photomanager.sandbox import Sandbox
from photomanager.sandbox.adapters import SandboxTransport
from photomanager.services import ports
from photomanager.services.account.session import AuthSession
from photomanager.services.collecting.collect_runs import CollectRuns
from photomanager.services.collecting.collector import FeedCollector
from photomanager.services.collecting.sources import default_sources
from photomanager.services.ports import DeviantArtApi, OAuthApi, UnitOfWork, UnitOfWorkFactory
from photomanager.services.posting.supervisor import WorkerSupervisor
from photomanager.services.posting.worker import CommentWorker
from photomanager.services.reporting.logs import LogService
from photomanager.services.reporting.status import StatusService
from photomanager.services.settings import SettingsService
from photomanager.services.templates import TemplateService
from photomanager.services.upkeep.housekeeping import Housekeeping
from photomanager.services.upkeep.queue import QueueService
from photomanager.services.upkeep.review import ReviewService
from photomanager.services.worker_control import WorkerControlService
from photomanager.storage import repositories
from photomanager.storage.engine import create_engine_for
from photomanager.storage.migrate import check_database_version, upgrade_database
from photomanager.storage.penalty_store import SqlPenaltyStore
from photomanager.storage.private_files import private_dir, private_sqlite_file
from photomanager.storage.refresh_lock import refresh_lock_for
from photomanager.storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_S = 10.0
# Each has at least FEW_VARIANTS renderings: the demo must not start with a warning.
STARTER_TEMPLATES = (
    ("Friendly", "{Lovely|Beautiful|Wonderful|Gorgeous} {work|piece}, {{author}}{!|!!| :)}"),
    ("Short", "{Great|Nice|Really nice|Lovely} {colours|composition|details} in {{title}}{!|.}"),
)


class WorkerThread:
    """Runs the worker supervisor in a daemon thread until `stop()`.

    The supervisor obeys the desired state in the database, so starting this
    thread does not make the worker post: `worker/start` does.
    """

    def __init__(
        self, *, worker: CommentWorker, uow_factory: UnitOfWorkFactory, stop: threading.Event
    ) -> None:
        self._supervisor = WorkerSupervisor(worker=worker, uow_factory=uow_factory, stop=stop)
        self._shutdown = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start supervising in the background (idempotent)."""
        if self.alive:
            return
        self._shutdown.clear()
        self._thread = threading.Thread(
            target=self._supervisor.run_forever,
            args=(self._shutdown,),
            name="photomanager-worker",
            daemon=True,
        )
        self._thread.start()

    def stop(self, timeout: float = SHUTDOWN_TIMEOUT_S) -> None:
        """Interrupt the worker (even mid-wait) and wait for the thread to end."""
        self._shutdown.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread (used by `photomanager worker` in the foreground)."""
        if self._thread is not None:
            self._thread.join(timeout)


@dataclass
class Container:
    """Everything the adapters (API, CLI, worker) need, built once per process."""

    settings: Settings
    engine: Engine
    uow_factory: UnitOfWorkFactory
    clock: Clock
    rng: random.Random
    http: DeviantArtHttpClient
    worker_http: DeviantArtHttpClient
    api: DeviantArtApi
    oauth: OAuthApi
    auth: AuthSession
    templates: TemplateService
    queue: QueueService
    logs: LogService
    review: ReviewService
    comment_settings: SettingsService
    worker_control: WorkerControlService
    status: StatusService
    collect_runs: CollectRuns
    housekeeping: Housekeeping
    worker: CommentWorker
    worker_thread: WorkerThread
    sandbox: Sandbox | None = None
    demo: bool = False  # the CLI on the demo's database (its sandbox runs in `serve`)
    _closed: bool = field(default=False, repr=False)

    @property
    def sandbox_mode(self) -> bool:
        """True when DeviantArt is the sandbox (the page shows a SANDBOX badge)."""
        return self.sandbox is not None or self.demo

    def close(self) -> None:
        """Stop background threads and release connections (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.worker_thread.stop()
        # Ends a collect waiting out a Retry-After now, not after up to ten minutes.
        self.http.stop_event.set()
        self.collect_runs.stop_all(timeout=SHUTDOWN_TIMEOUT_S)
        self.http.close()
        self.worker_http.close()
        self.engine.dispose()


def _uow_factory(engine: Engine) -> UnitOfWorkFactory:
    def make(*, read_only: bool = False) -> UnitOfWork:
        return SqlUnitOfWork(engine, read_only=read_only)

    return make


if TYPE_CHECKING:

    def _conformance(conn: Connection) -> None:
        """Never called: mypy checks every storage class against its port here."""
        _messages: ports.MessageRepository = repositories.DeviationCommentMessageRepository(conn)
        _queue: ports.QueueRepository = repositories.DeviationCommentQueueRepository(conn)
        _ledger: ports.LedgerRepository = repositories.CommentedDeviationsRepository(conn)
        _logs: ports.LogRepository = repositories.DeviationCommentLogRepository(conn)
        _feed: ports.FeedStateRepository = repositories.FeedStateRepository(conn)
        _settings: ports.SettingsRepository = repositories.SettingsRepository(conn)
        _control: ports.WorkerControlRepository = repositories.WorkerControlRepository(conn)
        _tokens: ports.TokenRepository = repositories.TokenRepository(conn)
        _runs: ports.CollectRunRepository = repositories.CollectRunRepository(conn)
        _housekeeping: ports.HousekeepingRepository = repositories.HousekeepingRepository(conn)
        _penalties: ports.PenaltyRepository = repositories.PenaltyRepository(conn)
        _store: PenaltyStore = SqlPenaltyStore(conn.engine)


def _with_sandbox_client(settings: Settings, sandbox: Sandbox) -> Settings:
    if settings.da_client_id is not None:
        return settings
    secret = sandbox.client_secret
    return settings.model_copy(
        update={
            "da_client_id": sandbox.client_id,
            "da_client_secret": SecretStr(secret) if secret else None,
        }
    )


def bootstrap(
    settings: Settings,
    *,
    sandbox: Sandbox | None = None,
    transport: Any = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    database_url: str | None = None,
    migrate: bool = True,
    demo: bool = False,
) -> Container:
    """Build the container: engine (migrated), DeviantArt client, auth, every service.

    `transport` is an `httpx.BaseTransport` for the DeviantArt client (typed
    loosely: this module must not import httpx); with a `sandbox` and no
    transport, the sandbox's in-process transport is used. `database_url`
    overrides the settings' URL (demo mode uses its own file). `demo` marks a
    CLI container working on the demo (`photomanager --sandbox`).
    """
    clock = clock or SystemClock()
    rng = rng or random.Random()  # comment variety, not cryptography
    if sandbox is not None:
        settings = _with_sandbox_client(settings, sandbox)
        if transport is None:
            transport = SandboxTransport(sandbox)

    url = database_url or settings.resolved_database_url()
    private_dir(settings.data_dir)
    private_sqlite_file(url)
    engine = create_engine_for(url)
    try:
        if migrate:
            upgrade_database(engine)
        else:
            check_database_version(engine)
    except BaseException:
        engine.dispose()
        raise
    uow_factory = _uow_factory(engine)

    policy = RetryPolicy(delay_floor_s=settings.da_min_delay_s)
    delay = AdaptiveDelay(policy)  # one rate-limit state per account: see the module docstring
    penalties = SqlPenaltyStore(engine)  # ... and the waits of every process, in the database
    http = DeviantArtHttpClient(
        settings.da_base_url,
        transport=transport,
        clock=clock,
        policy=policy,
        delay=delay,
        penalties=penalties,
    )
    worker_http = DeviantArtHttpClient(
        settings.da_base_url,
        transport=transport,
        clock=clock,
        policy=policy,
        delay=delay,
        penalties=penalties,
    )
    api: DeviantArtApi = DeviantArtApiClient(http)
    worker_api: DeviantArtApi = DeviantArtApiClient(worker_http)
    secret = settings.da_client_secret.get_secret_value() if settings.da_client_secret else None
    oauth: OAuthApi = DeviantArtOAuth(
        http, client_id=settings.da_client_id or "", client_secret=secret, clock=clock
    )
    auth = AuthSession(
        oauth=oauth,
        uow_factory=uow_factory,
        clock=clock,
        client_configured=settings.is_configured_for_deviantart,
        register_secret=register_secret,
        whoami=api.whoami,
        refresh_lock=refresh_lock_for(engine),
    )
    http.token_provider = auth
    worker_http.token_provider = auth

    # One detector (its model loads on first use, ~1 s) for the collector and the worker.
    detect = LanguageDetector().detect
    collect_runs = CollectRuns(
        collector=FeedCollector(
            uow_factory=uow_factory, api=api, clock=clock, language_detector=detect
        ),
        sources=default_sources(global_feed_path=settings.da_global_feed_path),
        clock=clock,
        uow_factory=uow_factory,
    )
    worker = CommentWorker(
        uow_factory=uow_factory,
        api=worker_api,
        clock=clock,
        rng=rng,
        language_detector=detect,
        max_length=settings.comment_max_length,
    )
    return Container(
        settings=settings,
        engine=engine,
        uow_factory=uow_factory,
        clock=clock,
        rng=rng,
        http=http,
        worker_http=worker_http,
        api=api,
        oauth=oauth,
        auth=auth,
        templates=TemplateService(
            uow_factory=uow_factory, clock=clock, max_length=settings.comment_max_length
        ),
        queue=QueueService(uow_factory=uow_factory, clock=clock),
        logs=LogService(uow_factory=uow_factory, clock=clock),
        review=ReviewService(
            uow_factory=uow_factory, clock=clock, max_length=settings.comment_max_length
        ),
        comment_settings=SettingsService(uow_factory=uow_factory, clock=clock),
        worker_control=WorkerControlService(uow_factory=uow_factory, clock=clock),
        status=StatusService(uow_factory=uow_factory, clock=clock, collect_runs=collect_runs),
        collect_runs=collect_runs,
        housekeeping=Housekeeping(uow_factory=uow_factory, clock=clock),
        worker=worker,
        worker_thread=WorkerThread(
            worker=worker, uow_factory=uow_factory, stop=worker_http.stop_event
        ),
        sandbox=sandbox,
        demo=demo,
    )


def connect_sandbox_account(container: Container) -> None:
    """Store a fresh sandbox user token, so demo mode starts already connected.

    Always fresh: a token kept in the demo database from an earlier run belongs to
    a sandbox that no longer exists.
    """
    if container.sandbox is None:
        raise RuntimeError("not in sandbox mode")
    container.auth.tokens.store(container.sandbox.issue_user_token())


def seed_starter_templates(container: Container) -> int:
    """Add a couple of starter templates when there are none; returns how many were added."""
    if container.templates.list_templates():
        return 0
    for title, body in STARTER_TEMPLATES:
        container.templates.create_template(title=title, body=body)
    return len(STARTER_TEMPLATES)
