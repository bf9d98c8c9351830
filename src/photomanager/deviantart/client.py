"""`DeviantArtHttpClient`: the single requester. Every request to DeviantArt goes here.

It owns the `Authorization: Bearer` header (never a token in a URL), the
one refresh-and-replay on `401 invalid_token`, retries with exponential
backoff and full jitter, `Retry-After`, the adaptive
`get_recommended_delay()`, and the mapping of failures onto the typed
errors of `photomanager.domain.errors` (table in `error_mapping.py`).

What is retried, and what a failure becomes once retries are spent:

 failure                          GET                      POST (no idempotency key!)
 ───────────────────────────────  ───────────────────────  ──────────────────────────
 connect error / connect timeout  retry -> TransportFailed retry -> TransportFailed
 read timeout, dropped connection retry -> TransportFailed OutcomeUnknown, no retry
 429                              retry -> RateLimited     retry -> RateLimited
 503                              retry -> ServiceUnavail. retry -> ServiceUnavailable
 500, 502, 504                    retry -> ServerError     OutcomeUnknown, no retry
 401 invalid_token                refresh, replay once -> InvalidToken
 403 not JSON (the CDN's page)    EdgeBlocked, no retry    EdgeBlocked (not delivered)
 other 4xx                        RequestRejected, EndpointGone, InsufficientScope,
                                  AccountRestricted

A POST is repeated only when it surely did not land; anything ambiguous is
`OutcomeUnknown` and the caller reconciles by reading comments back.
A `Retry-After` above the cap is not waited out here: the error is raised at
once with `retry_after` set, so the worker pauses the account instead of a
thread blocking for an hour. A POST waits at most `post_wait_budget_s` in all,
so it never outlives the lease of the queue row it belongs to; with a
`deadline`, no attempt (nor a refresh and replay) starts unless it would end
by then even if every timeout ran out: `PostDeadlinePassed`, nothing sent.

Before each attempt the client obeys the waits shared with every process and
takes its token's turn; after a 429 or the CDN's 403 it writes them. That
bookkeeping is `Turns` (`turns.py`); this module holds the request loop.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx

from photomanager.deviantart.error_mapping import (
    ErrorBody,
    error_from_response,
    parse_error_body,
)
from photomanager.deviantart.penalties import InMemoryPenalties, PenaltyStore
from photomanager.deviantart.retry import AdaptiveDelay, RetryPolicy, Timeouts
from photomanager.deviantart.retry_after import parse_retry_after
from photomanager.deviantart.turns import Turns, edge_reason, rate_scope_of
from photomanager.domain.clock import Clock, SystemClock
from photomanager.domain.errors import (
    Cancelled,
    DeviantArtError,
    EdgeBlocked,
    InvalidInput,
    NotConnected,
    OutcomeUnknown,
    PostDeadlinePassed,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    TransportFailed,
)
from photomanager.domain.models import TokenKind
from photomanager.logging_setup import register_secret

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://www.deviantart.com"
API_PREFIX = "/api/v1/oauth2/"
OAUTH_PREFIX = "/oauth2/"
USER_AGENT = "photomanager/0.1 (+self-hosted; official API)"

# The request surely never reached DeviantArt: safe to repeat even a POST.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_RETRYABLE_GET_STATUSES = frozenset({429, 500, 502, 503, 504})
_RETRYABLE_POST_STATUSES = frozenset({429, 503})
_UUID_SEGMENT = re.compile(r"^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$")
# Query parameters that would carry a credential: refused outright.
_FORBIDDEN_PARAMS = frozenset({"access_token", "refresh_token", "client_secret", "token"})


class TokenProvider(Protocol):
    """Hands out bearer tokens; implemented by the auth service."""

    def get_token(self, kind: TokenKind) -> str:
        """A currently valid token of `kind` (raises NotConnected when there is none)."""
        ...

    def refresh_token(self, kind: TokenKind, rejected: str) -> str:
        """A fresh token after DeviantArt rejected `rejected` (ReauthRequired if impossible)."""
        ...


Sleep = Callable[[float], None]


class DeviantArtHttpClient:
    """The only object that sends HTTP requests to DeviantArt. Thread-safe."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        tokens: TokenProvider | None = None,
        *,
        http: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        timeouts: Timeouts | None = None,
        policy: RetryPolicy | None = None,
        stop_event: threading.Event | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        delay: AdaptiveDelay | None = None,
        penalties: PenaltyStore | None = None,
    ) -> None:
        """Build the client; `http`/`transport` are injectable (tests, sandbox).

        `delay`, when given, is shared with other clients of the same account:
        DeviantArt limits per user and per app, not per client object.

        `sleep`, when given, replaces the real wait (tests record waits with
        it); the stop event is checked before and after it. Without it, waits
        are `stop_event.wait()`, so a stop request ends them at once.

        `penalties`: the waits shared with every process (see `penalties.py`);
        in memory, this client's own, when not given.
        """
        if http is not None and transport is not None:
            raise ValueError("pass either an httpx.Client or a transport, not both")
        self.base_url = base_url.rstrip("/")
        self._tokens = tokens
        t = timeouts or Timeouts()
        self._timeout = httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool)
        # The longest one attempt can take once started: connect, send, then wait for the answer.
        self.attempt_timeout = timedelta(seconds=t.connect + t.write + t.read)
        self._owns_http = http is None
        self._http = http or httpx.Client(
            transport=transport,
            timeout=self._timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        self.policy = policy or RetryPolicy()
        self._stop = stop_event or threading.Event()
        self._sleep = sleep
        self._clock = clock or SystemClock()
        self._rng = rng or random.Random()  # jitter, not cryptography
        self._delay = delay if delay is not None else AdaptiveDelay(self.policy)
        self._turns = Turns(
            penalties if penalties is not None else InMemoryPenalties(),
            self._delay,
            self.policy,
            self._clock,
            wait=self._wait,
            check_deadline=self._check_deadline,
        )
        # Seconds the latest request waited before its last attempt (the worker's spacing
        # runs from that attempt, not from before the wait).
        self.waited_in_last_request = 0.0

    # -- wiring ------------------------------------------------------------

    @property
    def token_provider(self) -> TokenProvider | None:
        return self._tokens

    @token_provider.setter
    def token_provider(self, provider: TokenProvider | None) -> None:
        # The auth service needs this client (for OAuth) before it can be the provider.
        self._tokens = provider

    @property
    def stop_event(self) -> threading.Event:
        """Set it to make every current and future wait raise `Cancelled`."""
        return self._stop

    def close(self) -> None:
        """Close the connection pool if this client created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> DeviantArtHttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DeviantArtHttpClient(base_url={self.base_url!r})"

    # -- public API ----------------------------------------------------------

    def api_url(self, path: str) -> str:
        """Absolute URL of an API endpoint such as `browse/newest`."""
        return self.base_url + API_PREFIX + _checked_path(path)

    def oauth_url(self, path: str) -> str:
        """Absolute URL of an OAuth endpoint such as `authorize`."""
        return self.base_url + OAUTH_PREFIX + _checked_path(path)

    def get(
        self,
        path: str,
        params: Mapping[str, object] | None = None,
        *,
        token_kind: TokenKind = TokenKind.USER,
        max_retries: int | None = None,
    ) -> dict[str, Any]:
        """GET an API endpoint with a bearer token of `token_kind`; the JSON object.

        `max_retries` lowers the policy's retries for a caller that would rather
        stop and come back later (the inbox poll gives up at the first 429).
        """
        if params and _FORBIDDEN_PARAMS.intersection(params):
            # DeviantArt rejects query-string tokens, and URLs end up in logs.
            raise InvalidInput("credentials never go in a query string")
        return self._request(
            "GET",
            self.api_url(path),
            params=_encode_params(params),
            token_kind=token_kind,
            max_retries=max_retries,
        )

    def post(
        self,
        path: str,
        data: Mapping[str, object],
        *,
        token_kind: TokenKind = TokenKind.USER,
        deadline: datetime | None = None,
    ) -> dict[str, Any]:
        """POST a form to an API endpoint; repeated only if it surely did not land.

        With `deadline`, an attempt that could end after it is never started
        (`PostDeadlinePassed`: that attempt was not sent).
        """
        return self._request(
            "POST",
            self.api_url(path),
            data=_encode_params(data),
            token_kind=token_kind,
            deadline=deadline,
        )

    def oauth_token(self, form: Mapping[str, str]) -> dict[str, Any]:
        """POST to `/oauth2/token` (client auth in the form; no bearer header)."""
        return self._oauth_post("token", form)

    def oauth_revoke(self, form: Mapping[str, str]) -> dict[str, Any]:
        """POST to `/oauth2/revoke`."""
        return self._oauth_post("revoke", form)

    def get_recommended_delay(self) -> float:
        """Seconds to leave between the starts of two requests, learned from 429s.

        See `AdaptiveDelay`; never below `RetryPolicy.delay_floor_s`.
        """
        return self._delay.current()

    def spare_turn(self, before: datetime, token_kind: TokenKind = TokenKind.USER) -> bool:
        """Whether one request of `token_kind` may start now and leave `before` untouched.

        True when no shared wait holds the scope now and the spacing after a request
        sent now ends by `before` (the next post's turn): a poller that asks this
        first never delays a post nor pushes one into a 429. One short read.
        """
        return self._turns.spare_turn(before, token_kind)

    # -- internals -----------------------------------------------------------

    def _oauth_post(self, path: str, form: Mapping[str, str]) -> dict[str, Any]:
        for key in ("client_secret", "code", "code_verifier", "refresh_token", "token"):
            register_secret(form.get(key))
        body = self._request("POST", self.oauth_url(path), data=dict(form), token_kind=None)
        for key in ("access_token", "refresh_token"):
            value = body.get(key)
            if isinstance(value, str):
                register_secret(value)
        return body

    def _token(self, kind: TokenKind) -> str:
        if self._tokens is None:
            raise NotConnected("no DeviantArt token provider is configured")
        token = self._tokens.get_token(kind)
        register_secret(token)
        return token

    def _request(
        self,
        method: str,
        url: str,
        *,
        token_kind: TokenKind | None,
        params: dict[str, str | list[str]] | None = None,
        data: dict[str, str | list[str]] | None = None,
        deadline: datetime | None = None,
        max_retries: int | None = None,
    ) -> dict[str, Any]:
        token = self._token(token_kind) if token_kind is not None else None
        allowed = self.policy.max_retries if max_retries is None else max_retries
        replayed = False
        retries = 0
        waited = 0.0
        path = httpx.URL(url).path  # logged instead of the URL: no query values
        rate_scope = rate_scope_of(token_kind)
        covered: datetime | None = None  # our own retry wait ran until then
        turn: list[datetime] = []  # the end of the turn our last attempt took
        while True:
            waited += self._turns.obey(method, rate_scope, waited, covered, turn, deadline)
            self._check_deadline(deadline)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            self.waited_in_last_request = waited
            started = time.monotonic()
            try:
                response = self._http.request(
                    method, url, params=params, data=data, headers=headers, timeout=self._timeout
                )
            except httpx.TransportError as exc:
                elapsed = time.monotonic() - started
                logger.debug("%s %s -> %s after %.3fs", method, path, type(exc).__name__, elapsed)
                error = self._transport_error(method, exc)
                if retries >= allowed or isinstance(error, OutcomeUnknown):
                    raise error from None
                wait = self.policy.backoff(retries, self._rng)
                if self.policy.over_post_budget(method, waited, wait):
                    raise error from None
            else:
                elapsed = time.monotonic() - started
                logger.debug("%s %s -> %d in %.3fs", method, path, response.status_code, elapsed)
                if response.is_success:
                    self._delay.on_success()
                    self._turns.on_success()
                    return _json_object(method, response)
                body = parse_error_body(response.content, response.headers.get("content-type"))
                if (
                    response.status_code == 401
                    and token_kind is not None
                    and token is not None
                    and not replayed
                    and body.error in (None, "invalid_token")
                ):
                    # DeviantArt rejected the request before acting on it: replay is safe.
                    self._check_deadline(deadline)
                    replayed = True
                    token = self._refresh(token_kind, token)
                    continue
                wait_or_error = self._on_error_status(
                    method, response, body, retries, waited, rate_scope, allowed
                )
                if isinstance(wait_or_error, DeviantArtError):
                    raise wait_or_error
                wait = wait_or_error
            retries += 1
            logger.info(
                "retrying %s %s in %.1fs (retry %d of %d)",
                method,
                path,
                wait,
                retries,
                allowed,
            )
            covered = self._clock.now() + timedelta(seconds=wait)
            self._wait(wait)
            waited += wait

    def _check_deadline(self, deadline: datetime | None, at: datetime | None = None) -> None:
        """Refuse an attempt (now, or at `at`) that could still be running after `deadline`."""
        start = at or self._clock.now()
        if deadline is not None and start + self.attempt_timeout > deadline:
            raise PostDeadlinePassed(
                "not sent: the request could not finish before its deadline (the claim lease)"
            )

    def _refresh(self, kind: TokenKind, rejected: str) -> str:
        if self._tokens is None:  # pragma: no cover - _token() already required it
            raise NotConnected("no DeviantArt token provider is configured")
        logger.info("DeviantArt rejected the %s token; refreshing once", kind.value)
        token = self._tokens.refresh_token(kind, rejected)
        register_secret(token)
        return token

    def _transport_error(self, method: str, exc: httpx.TransportError) -> DeviantArtError:
        name = type(exc).__name__
        if isinstance(exc, _NOT_SENT):
            return TransportFailed(f"could not reach DeviantArt ({name})")
        if method == "GET":
            return TransportFailed(f"no answer from DeviantArt ({name})")
        return OutcomeUnknown(f"the request may have reached DeviantArt ({name}); not repeated")

    def _on_error_status(
        self,
        method: str,
        response: httpx.Response,
        body: ErrorBody,
        retries: int,
        waited: float,
        rate_scope: str | None,
        allowed: int,
    ) -> DeviantArtError | float:
        """The error to raise, or the seconds to wait before retrying."""
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"), self._clock.now())
        if status == 429:
            self._delay.on_rate_limited(server_said=retry_after is not None)
            self._turns.impose_after_429(rate_scope, retry_after)
        error = error_from_response(
            status, body, retry_after=retry_after, path=_endpoint_of(response.request.url.path)
        )
        if isinstance(error, EdgeBlocked):
            retry_at = self._turns.impose_edge_pause()
            logger.warning("%s; next try at %s", error.message, f"{retry_at:%H:%M:%S} UTC")
            return EdgeBlocked(edge_reason(retry_at), retry_at=retry_at, status=status, error=None)
        if method != "GET" and isinstance(error, ServerError):
            return OutcomeUnknown(
                f"DeviantArt answered {status} to a POST; it may have landed; not repeated",
                status=status,
                error=error.error,
                error_code=error.error_code,
            )
        if not isinstance(error, (RateLimited, ServiceUnavailable, ServerError)):
            return error
        retryable = _RETRYABLE_GET_STATUSES if method == "GET" else _RETRYABLE_POST_STATUSES
        if status not in retryable or retries >= allowed:
            return error
        if retry_after is not None:
            if retry_after > self.policy.retry_after_cap_s:
                return error  # too long to block a thread: the caller pauses instead
            wait = self.policy.after_retry_after(retry_after, self._rng)
        else:
            wait = self.policy.backoff(retries, self._rng)
            if status == 429:
                wait = max(wait, self._delay.cool_off())
        if self.policy.over_post_budget(method, waited, wait):
            return error  # the worker schedules the row's retry after Retry-After
        return wait

    def _wait(self, seconds: float) -> None:
        if self._stop.is_set():
            raise Cancelled("stopped before retrying a DeviantArt request")
        if self._sleep is not None:
            self._sleep(seconds)
            stopped = self._stop.is_set()
        else:
            stopped = self._stop.wait(seconds)
        if stopped:
            raise Cancelled("stopped while waiting to retry a DeviantArt request")


def _endpoint_of(path: str) -> str:
    """`comments/deviation` for `/api/v1/oauth2/comments/deviation/<uuid>`: ids left out."""
    rest = path.split(API_PREFIX, 1)[-1].strip("/")
    kept = []
    for segment in rest.split("/"):
        if _UUID_SEGMENT.match(segment):
            break
        kept.append(segment)
    return "/".join(kept)


def _checked_path(path: str) -> str:
    """A relative endpoint path, refused if it could escape its prefix."""
    clean = path.lstrip("/")
    if (
        not clean
        or "://" in clean
        or any(c in clean for c in "?#\\")
        or any(seg in (".", "..") for seg in clean.split("/"))
    ):
        raise InvalidInput("invalid DeviantArt endpoint path", details={"path": path[:100]})
    return clean


def _encode_params(values: Mapping[str, object] | None) -> dict[str, str | list[str]] | None:
    """Form/query values as strings (booleans the way DeviantArt spells them).

    A list or tuple repeats its key (`deviationids[]=A&deviationids[]=B`).
    """
    if values is None:
        return None
    encoded: dict[str, str | list[str]] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            encoded[key] = [_encode_value(item) for item in value]
        else:
            encoded[key] = _encode_value(value)
    return encoded


def _encode_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_object(method: str, response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a 2xx response; an unreadable one is an error."""
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict):
        return data
    message = f"DeviantArt answered {response.status_code} with an unreadable body"
    if method == "GET":
        raise ServerError(message, status=response.status_code)
    # A POST answered 2xx has landed, but we cannot tell what it created.
    raise OutcomeUnknown(message, status=response.status_code)
