"""The one place where errors become HTTP responses.

Every 4xx/5xx body has the same shape: ``{"error": code, "message": text, "details": ...}``.

    InvalidInput                      -> 422
    NotFound                          -> 404
    Conflict, NotConnected, Cancelled -> 409
    InvalidToken, ReauthRequired,
    InsufficientScope                 -> 409 (reconnect the account: fixable here)
    RateLimited, ServiceUnavailable   -> 503 (+ Retry-After when known)
    DatabaseTooNew                    -> 503 (a newer photomanager migrated the database)
    EdgeBlocked                       -> 503 (+ Retry-After: DeviantArt's network refused us
                                         until the next try)
    other DeviantArtError             -> 502 (DeviantArt failed or refused)
    other PhotomanagerError           -> 400
    RequestValidationError            -> 422, details list which field and why
    HTTPException                     -> its own status
    anything else                     -> 500 internal_error, no trace, no text of the exception
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from photomanager.domain.errors import (
    Cancelled,
    Conflict,
    DatabaseTooNew,
    DeviantArtError,
    EdgeBlocked,
    InsufficientScope,
    InvalidInput,
    InvalidToken,
    NotConnected,
    NotFound,
    PhotomanagerError,
    RateLimited,
    ReauthRequired,
    ServiceUnavailable,
)

logger = logging.getLogger(__name__)

INTERNAL_MESSAGE = "Something went wrong on our side. The details are in the server log."

_STATUS_BY_TYPE: tuple[tuple[type[PhotomanagerError], int], ...] = (
    (InvalidInput, 422),
    (NotFound, 404),
    (Conflict, 409),
    (NotConnected, 409),
    (Cancelled, 409),
    (InvalidToken, 409),
    (ReauthRequired, 409),
    (InsufficientScope, 409),
    (RateLimited, 503),
    (ServiceUnavailable, 503),
    (DatabaseTooNew, 503),
    (EdgeBlocked, 503),
    (DeviantArtError, 502),
)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The one error shape."""
    return {"error": code, "message": message, "details": details}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A JSON response in the one error shape."""
    return JSONResponse(
        error_body(code, message, jsonable_encoder(details)), status_code=status, headers=headers
    )


def status_for(exc: PhotomanagerError) -> int:
    """The HTTP status of a domain error."""
    for kind, status in _STATUS_BY_TYPE:
        if isinstance(exc, kind):
            return status
    return 400


def domain_error_response(exc: PhotomanagerError) -> JSONResponse:
    """Turn a domain error into the one error shape (messages never hold secrets)."""
    headers: dict[str, str] | None = None
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        headers = {"Retry-After": str(max(0, math.ceil(exc.retry_after)))}
    if isinstance(exc, EdgeBlocked) and exc.retry_at is not None:
        left = (exc.retry_at - datetime.now(UTC)).total_seconds()
        headers = {"Retry-After": str(max(0, math.ceil(left)))}
    details = exc.details if not isinstance(exc, DeviantArtError) else None
    return error_response(status_for(exc), exc.code, exc.message, details, headers)


def _field_path(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc) or "request"


def _plain(message: str) -> str:
    # Our own validators raise ValueError with a sentence meant for the artist.
    return message.removeprefix("Value error, ")


def validation_details(errors: Sequence[Any]) -> list[dict[str, str]]:
    """Pydantic errors without the offending input (it may be huge or secret)."""
    return [
        {
            "field": _field_path(error.get("loc", ())),
            "message": _plain(str(error.get("msg", "invalid value"))),
            "type": str(error.get("type", "value_error")),
        }
        for error in errors
    ]


def validation_message(details: list[dict[str, str]]) -> str:
    """One sentence naming the first bad field and how to fix it."""
    if not details:
        return "The request is invalid."
    first = details[0]
    more = f" (and {len(details) - 1} more problem(s))" if len(details) > 1 else ""
    return f"{first['field']}: {first['message']}{more}"


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PhotomanagerError)
    return domain_error_response(exc)


def _line_column(document: object, position: object) -> tuple[int, int] | None:
    """1-based line and column of character `position` in `document`, when both are known."""
    if isinstance(document, bytes):
        document = document.decode("utf-8", errors="replace")
    if not isinstance(document, str) or not isinstance(position, int):
        return None
    before = document[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def json_error_response(exc: RequestValidationError) -> JSONResponse | None:
    """The 422 for a body that is not JSON at all, naming where it breaks; else None."""
    errors = exc.errors()
    if not errors or errors[0].get("type") != "json_invalid":
        return None
    loc = errors[0].get("loc", ())
    where = _line_column(exc.body, loc[1] if len(loc) > 1 else None)
    at = f" (at line {where[0]}, column {where[1]})" if where else ""
    reason = str(errors[0].get("ctx", {}).get("error", "")) or "JSON decode error"
    details = [{"field": "body", "message": reason, "type": "json_invalid"}]
    return error_response(422, "invalid_input", f"the request body is not valid JSON{at}", details)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    json_error = json_error_response(exc)
    if json_error is not None:
        return json_error
    details = validation_details(exc.errors())
    return error_response(422, "invalid_input", validation_message(details), details)


def _http_code(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "http_error"


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else _http_code(exc.status_code)
    return error_response(
        exc.status_code, _http_code(exc.status_code), message, headers=exc.headers
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", INTERNAL_MESSAGE)


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping above on the app."""
    app.add_exception_handler(PhotomanagerError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)


class CatchAllMiddleware:
    """Turn an unexpected exception into the 500 error shape without re-raising.

    Starlette's own handler for `Exception` answers and then re-raises; this one
    answers and stops, so the server log gets one entry and the client one body.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                # Headers are out: the only honest thing left is to drop the connection.
                raise
            response = error_response(500, "internal_error", INTERNAL_MESSAGE)
            await response(scope, receive, send)
