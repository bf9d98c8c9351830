"""Test-side wiring for the services: real storage + the sandbox DeviantArt over httpx.

`build_harness()` is what `bootstrap.py` will do for real: SqlUnitOfWork,
DeviantArtHttpClient(transport=SandboxTransport(sandbox)), DeviantArtApiClient and
every service, on one fake clock shared with the sandbox.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from photomanager.deviantart import DeviantArtApiClient, DeviantArtHttpClient, RetryPolicy
from photomanager.deviantart.penalties import InMemoryPenalties, PenaltyStore
from photomanager.domain.errors import ReauthRequired
from photomanager.domain.models import (
    CollectProgress,
    CommentTemplate,
    OAuthToken,
    Source,
    TokenKind,
)
from photomanager.sandbox import ManualClock, Sandbox
from photomanager.sandbox.adapters import SandboxTransport
from photomanager.services.collecting.collect_runs import CollectRuns
from photomanager.services.collecting.collector import FeedCollector
from photomanager.services.collecting.sources import FeedSource, default_sources
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.posting.reconcile import Reconciler
from photomanager.services.posting.worker import CommentWorker
from photomanager.services.reporting.logs import LogService
from photomanager.services.reporting.status import StatusService
from photomanager.services.settings import SettingsService
from photomanager.services.templates import TemplateService
from photomanager.services.upkeep.queue import QueueService
from photomanager.services.worker_control import WorkerControlService

START = datetime(2025, 6, 2, 10, 0, 0, tzinfo=UTC)  # a Monday, 10:00 UTC
TEMPLATE = "{Great|Lovely|Wonderful} {work|piece|picture}, {{author}}{!|!!| :)}"

# Fast but faithful: no artificial floor between requests, tiny backoffs.
FAST_POLICY = RetryPolicy(
    backoff_base_s=0.01,
    backoff_max_s=0.05,
    min_wait_s=0.0,
    retry_after_jitter_s=0.0,
    delay_floor_s=0.0,
)


@dataclass(frozen=True)
class WireRecord:
    """One exchange as the client saw it on the wire."""

    at: datetime
    method: str
    path: str
    status: int | None  # None: no response (dropped)
    retry_after: float | None
    query: tuple[tuple[str, str], ...] = ()  # every query parameter, repeated keys included


class RecordingTransport(httpx.BaseTransport):
    """Wraps the sandbox transport and notes every exchange with the fake clock's time."""

    def __init__(
        self, inner: httpx.BaseTransport, clock: ManualClock, latency_s: float = 0.0
    ) -> None:
        self._inner = inner
        self._clock = clock
        # The answer arrives this long after the site handled the request (fake time).
        self.latency_s = latency_s
        self._lock = threading.Lock()
        self.records: list[WireRecord] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        at = self._clock.now()
        query = tuple(request.url.params.multi_items())
        try:
            response = self._inner.handle_request(request)
            self._clock.advance(self.latency_s)
        except httpx.TransportError:
            self._note(WireRecord(at, request.method, request.url.path, None, None, query))
            raise
        header = response.headers.get("Retry-After")
        retry_after = float(header) if header and header.replace(".", "").isdigit() else None
        self._note(
            WireRecord(
                at, request.method, request.url.path, response.status_code, retry_after, query
            )
        )
        return response

    def _note(self, record: WireRecord) -> None:
        with self._lock:
            self.records.append(record)


class SandboxTokens:
    """A token provider that takes tokens straight from the sandbox (no browser flow)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._lock = threading.Lock()
        self._tokens: dict[TokenKind, str] = {}
        self.refreshes = 0
        self.refresh_fails = False

    def get_token(self, kind: TokenKind) -> str:
        with self._lock:
            if kind not in self._tokens:
                self._tokens[kind] = self._issue(kind)
            return self._tokens[kind]

    def refresh_token(self, kind: TokenKind, rejected: str) -> str:
        with self._lock:
            self.refreshes += 1
            if self.refresh_fails:
                raise ReauthRequired("the refresh token was rejected: reconnect the account")
            self._tokens[kind] = self._issue(kind)
            return self._tokens[kind]

    def _issue(self, kind: TokenKind) -> str:
        if kind is TokenKind.CLIENT:
            return self._sandbox.issue_client_token().access_token
        return self._sandbox.issue_user_token().access_token


@dataclass
class Harness:
    """Every service wired over one sandbox, one database and one fake clock."""

    sandbox: Sandbox
    clock: ManualClock
    uow_factory: UnitOfWorkFactory
    http: DeviantArtHttpClient
    api: DeviantArtApiClient
    tokens: SandboxTokens
    stop: threading.Event
    sources: dict[Source, FeedSource]
    collector: FeedCollector
    runs: CollectRuns
    worker: CommentWorker
    control: WorkerControlService
    status: StatusService
    templates: TemplateService
    queue: QueueService
    logs: LogService
    settings: SettingsService
    wire: RecordingTransport
    waits: list[float] = field(default_factory=list)
    # The client's shared waits (the database's when given to `build_harness`).
    penalties: PenaltyStore = field(default_factory=InMemoryPenalties)

    def add_template(self, body: str = TEMPLATE, *, active: bool = True) -> CommentTemplate:
        """Store a valid template."""
        return self.templates.create_template(title="t", body=body, is_active=active)

    def collect(self, source: Source, pages: int = 1) -> CollectProgress:
        """Run one collect synchronously."""
        return self.collector.collect(self.sources[source], pages=pages, stop=self.stop)


def build_harness(
    sandbox: Sandbox,
    clock: ManualClock,
    uow_factory: UnitOfWorkFactory,
    *,
    policy: RetryPolicy = FAST_POLICY,
    real_waits: bool = False,
    seed: int = 7,
    penalties: PenaltyStore | None = None,
) -> Harness:
    """Wire the services like bootstrap.py does, on the sandbox transport.

    The client's retry waits advance the fake clock (and are recorded) unless
    `real_waits`, where they are real, interruptible waits on `stop`.
    `penalties`: the shared waits (bootstrap gives the database's); in memory if None.
    """
    stop = threading.Event()
    tokens = SandboxTokens(sandbox)
    waits: list[float] = []

    def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds)

    wire = RecordingTransport(SandboxTransport(sandbox), clock)
    penalties = penalties if penalties is not None else InMemoryPenalties()
    http = DeviantArtHttpClient(
        tokens=tokens,
        transport=wire,
        policy=policy,
        stop_event=stop,
        sleep=None if real_waits else fake_sleep,
        clock=clock,
        rng=random.Random(seed),
        penalties=penalties,
    )
    api = DeviantArtApiClient(http)
    with uow_factory() as uow:
        artist = sandbox.artist
        uow.tokens.save(
            OAuthToken(
                access_token="stored-elsewhere",
                refresh_token=None,
                expires_at=clock.now(),
                userid=artist.userid,
                username=artist.username,
            )
        )
        uow.commit()
    sources = default_sources()
    collector = FeedCollector(uow_factory=uow_factory, api=api, clock=clock)
    runs = CollectRuns(collector=collector, sources=sources, clock=clock)
    reconciler = Reconciler(uow_factory=uow_factory, api=api, clock=clock)
    worker = CommentWorker(
        uow_factory=uow_factory,
        api=api,
        clock=clock,
        rng=random.Random(seed),
        reconciler=reconciler,
        sleep=advance_sleep(clock),
    )
    return Harness(
        sandbox=sandbox,
        clock=clock,
        uow_factory=uow_factory,
        http=http,
        api=api,
        tokens=tokens,
        stop=stop,
        sources=sources,
        collector=collector,
        runs=runs,
        worker=worker,
        control=WorkerControlService(uow_factory=uow_factory, clock=clock),
        status=StatusService(uow_factory=uow_factory, clock=clock, collect_runs=runs),
        templates=TemplateService(uow_factory=uow_factory, clock=clock),
        queue=QueueService(uow_factory=uow_factory, clock=clock),
        logs=LogService(uow_factory=uow_factory, clock=clock),
        settings=SettingsService(uow_factory=uow_factory, clock=clock),
        wire=wire,
        penalties=penalties,
        waits=waits,
    )


def advance_sleep(clock: ManualClock) -> Callable[[threading.Event, float], bool]:
    """A worker-loop sleep that moves the fake clock instead of waiting."""

    def sleep(stop: threading.Event, seconds: float) -> bool:
        clock.advance(max(seconds, 0.001))
        return stop.is_set()

    return sleep
