"""Typed errors. The API layer maps them to HTTP codes in one place.

PhotomanagerError
 ├── InvalidInput             bad input from the artist (422), with details
 ├── NotFound                 unknown id (404)
 ├── Conflict                 the request clashes with the current state (409)
 │    ├── ClientNotConfigured no DeviantArt app configured: register one (409)
 │    ├── WorkerRunning       a worker is alive: a restore would pull the database from under it
 │    ├── AlreadyAnswered     this inbox item has its one answer already
 │    ├── AnswerPending       an answer may be on its way: checked again before anything else
 │    └── NotAReply           only a reply (under one of our comments) can be answered
 ├── DatabaseTooNew           the database was migrated by a newer photomanager: upgrade the app
 ├── NotConnected             no DeviantArt account connected (409)
 ├── Cancelled                a wait was interrupted by a stop request
 ├── LoginRejected            an OAuth callback refused: bad/replayed state, DA said no (400)
 └── DeviantArtError          DeviantArt answered with an error, or not at all
      ├── TransportFailed     nothing reached DeviantArt (connect error): surely not delivered
      │    └── PostDeadlinePassed  a POST attempt could end after its deadline: not sent
      ├── RateLimited         429 (user_api_threshold or overload); retry_after in seconds
      ├── ServiceUnavailable  503 (maintenance); surely not delivered
      ├── ServerError         500/502/504 on a GET
      ├── OutcomeUnknown      a POST may or may not have landed (read timeout, 500/502/504)
      ├── InvalidToken        401 invalid_token that a refresh did not cure
      ├── ReauthRequired      the refresh token was rejected: reconnect the account
      ├── InsufficientScope   the token lacks a scope
      ├── RequestRejected     400 invalid_request: deleted, comments disabled, blocked, invalid
      ├── EndpointGone        404 "Api endpoint not found.": DeviantArt removed the endpoint
      ├── EdgeBlocked         403 that is not DeviantArt's JSON (the CDN's HTML page): the
      │                       network is refused for a while; surely not delivered, pause
      └── AccountRestricted   JSON 403, or an error about spam/ban/suspension: stop, never retry
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class PhotomanagerError(Exception):
    """Base of every error this project raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(PhotomanagerError):
    code = "invalid_input"


class NotFound(PhotomanagerError):
    code = "not_found"


class Conflict(PhotomanagerError):
    code = "conflict"


class NotConnected(PhotomanagerError):
    code = "not_connected"


class DeviantArtError(PhotomanagerError):
    """DeviantArt answered with an error. `message` never contains a token."""

    code = "deviantart_error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error: str | None = None,
        error_code: int | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message, details=details)
        self.status = status
        self.error = error
        self.error_code = error_code


class TransportFailed(DeviantArtError):
    code = "transport_failed"


class PostDeadlinePassed(TransportFailed):
    """A POST was not sent (or not retried): it could still run after its deadline."""

    code = "post_deadline_passed"


class RateLimited(DeviantArtError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServiceUnavailable(DeviantArtError):
    code = "service_unavailable"


class ServerError(DeviantArtError):
    code = "server_error"


class OutcomeUnknown(DeviantArtError):
    code = "outcome_unknown"


class InvalidToken(DeviantArtError):
    code = "invalid_token"


class ReauthRequired(DeviantArtError):
    code = "reauth_required"


class InsufficientScope(DeviantArtError):
    code = "insufficient_scope"


class RequestRejected(DeviantArtError):
    code = "request_rejected"


class AccountRestricted(DeviantArtError):
    code = "account_restricted"


class EndpointGone(DeviantArtError):
    """DeviantArt no longer offers this endpoint (`path`, e.g. "comments/deviation")."""

    code = "endpoint_gone"

    def __init__(self, message: str, *, path: str = "", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.path = path


class EdgeBlocked(DeviantArtError):
    """The network in front of DeviantArt refused this machine; nothing reached DeviantArt.

    `retry_at`: when the next request may go (the pause every process obeys).
    """

    code = "edge_blocked"

    def __init__(self, message: str, *, retry_at: datetime | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_at = retry_at


class Cancelled(PhotomanagerError):
    """A wait was interrupted because the worker was asked to stop."""

    code = "cancelled"


class ClientNotConfigured(Conflict):
    """No DeviantArt app (client id) is configured: the artist must register one."""

    code = "client_not_configured"


class LoginRejected(PhotomanagerError):
    """A login callback was refused (bad, replayed or expired state; DeviantArt said no)."""

    code = "login_rejected"


class ConfirmationRequired(Conflict):
    """The request needs an explicit confirmation from the artist first (409)."""

    code = "confirmation_required"


class WorkerRunning(Conflict):
    """A worker is running (its heartbeat is fresh): the command needs every worker stopped."""

    code = "worker_running"


class DatabaseTooNew(PhotomanagerError):
    """The database is at a revision this photomanager does not know: a newer one migrated it.

    Running on it could write rows the newer version reads wrongly, so nothing starts.
    """

    code = "database_too_new"


class AlreadyAnswered(Conflict):
    """The inbox item has its one answer already: a second one is never posted."""

    code = "already_answered"


class AnswerPending(Conflict):
    """An earlier answer may be on DeviantArt (in flight, or its reply was lost) and
    cannot be confirmed yet: nothing is posted until it is."""

    code = "answer_pending"


class NotAReply(Conflict):
    """Only a reply can be answered (a watch, a fave or an unreadable message cannot)."""

    code = "not_a_reply"
