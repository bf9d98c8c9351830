"""DeviantArt's JSON error bodies, mapped onto `photomanager.domain.errors`.

Body: `{"error", "error_description", "error_details", "error_code", "status"}`.
"DeviantArt's JSON" below means a JSON object sent as JSON (or without a
content type). Checked top to bottom, the first match
wins:

 response                                                    error raised
 ─────────────────────────────────────────────────────────── ──────────────────
 403 that is not DeviantArt's JSON (HTML, empty, other type) EdgeBlocked
 error/error_code/description mentions spam|ban|suspend|abuse AccountRestricted
 error == insufficient_scope                                 InsufficientScope
 403                                                         AccountRestricted
 401 (after the one refresh + replay, see client.py)         InvalidToken
 429, or error == user_api_threshold|application_api_thr...  RateLimited
 503                                                         ServiceUnavailable
 other 5xx (and 3xx, never followed)                         ServerError
 404 invalid_request "Api endpoint not found."               EndpointGone
 400 and every other 4xx                                     RequestRejected

This is the one place that reads `error_description`, for two diagnoses
only. To fail safe: a restriction of the account must stop everything,
never be retried. And to recognise a removed endpoint: DeviantArt answers
it with the generic `invalid_request` and nothing but that exact sentence
(#244, #248) tells it from a missing deviation; a sentence that changes
only makes it a `RequestRejected` again, today's meaning.
The CDN's 403 (gallery-dl waits 300 s on it) is told apart by its body
alone: it is an HTML page, never DeviantArt's JSON.
The POST-specific rule (a 5xx means `OutcomeUnknown`) lives in the client.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from photomanager.domain.errors import (
    AccountRestricted,
    DeviantArtError,
    EdgeBlocked,
    EndpointGone,
    InsufficientScope,
    InvalidToken,
    RateLimited,
    RequestRejected,
    ServerError,
    ServiceUnavailable,
)
from photomanager.logging_setup import redact

# "_" counts as a boundary so that `account_banned` matches and `banner` does not.
_RESTRICTION_WORDS = re.compile(r"spam|(?<![a-z])bann?(?:ed)?(?![a-z])|suspen|abus", re.IGNORECASE)
_MAX_DESCRIPTION = 300
_GONE_DESCRIPTION = "api endpoint not found"
_THRESHOLDS = frozenset({"user_api_threshold", "application_api_threshold"})
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """The parts of an error body we use; every field is untrusted text."""

    error: str | None = None
    description: str = ""
    details: dict[str, str] | None = None
    error_code: int | None = None
    # A JSON object, sent as JSON (or untyped): DeviantArt itself answered.
    from_deviantart: bool = False


def parse_error_body(content: bytes, content_type: str | None = None) -> ErrorBody:
    """Read an error body defensively: anything unexpected becomes "absent"."""
    if content_type and "json" not in content_type.lower():
        return ErrorBody()
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return ErrorBody()
    if not isinstance(data, dict):
        return ErrorBody()
    error = data.get("error")
    description = data.get("error_description")
    code = data.get("error_code")
    raw_details = data.get("error_details")
    details = (
        {str(k): _clean(str(v)) for k, v in raw_details.items()}
        if isinstance(raw_details, dict)
        else None
    )
    return ErrorBody(
        error=_clean(error) if isinstance(error, str) and error else None,
        description=_clean(description) if isinstance(description, str) else "",
        details=details,
        error_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        from_deviantart=True,
    )


def _clean(text: str) -> str:
    """Untrusted text made safe for messages and logs: one line, short, no secrets."""
    return redact(_CONTROL_CHARS.sub(" ", text))[:_MAX_DESCRIPTION]


def mentions_restriction(body: ErrorBody) -> bool:
    """True when DeviantArt talks about spam, bans, suspension or abuse."""
    haystack = " ".join(
        part for part in (body.error, body.description, str(body.error_code or "")) if part
    )
    return bool(_RESTRICTION_WORDS.search(haystack))


def is_endpoint_gone(status: int, body: ErrorBody) -> bool:
    """DeviantArt's answer for a removed endpoint (the one diagnosis by description)."""
    return (
        status == 404
        and body.error == "invalid_request"
        and body.description.strip().rstrip(".").lower() == _GONE_DESCRIPTION
    )


def error_from_response(
    status: int, body: ErrorBody, *, retry_after: float | None = None, path: str = ""
) -> DeviantArtError:
    """The typed error for a non-2xx answer (see the table in the module docstring).

    `path`: the endpoint asked for (e.g. "comments/deviation/ID"), named by EndpointGone.
    """
    message = f"DeviantArt answered {status}"
    if body.error:
        message += f" {body.error}"
    if body.description:
        message += f": {body.description}"
    kw: dict[str, Any] = {
        "status": status,
        "error": body.error,
        "error_code": body.error_code,
        "details": body.details,
    }
    if status == 403 and not body.from_deviantart:
        return EdgeBlocked(
            "DeviantArt's network refused this machine (HTTP 403, not from DeviantArt's API)",
            **kw,
        )
    if mentions_restriction(body):
        return AccountRestricted(message, **kw)
    if body.error == "insufficient_scope":
        return InsufficientScope(message, **kw)
    if status == 403:
        return AccountRestricted(message, **kw)
    if status == 401:
        return InvalidToken(message, **kw)
    if status == 429 or body.error in _THRESHOLDS:
        return RateLimited(message, retry_after=retry_after, **kw)
    if status == 503:
        return ServiceUnavailable(message, **kw)
    if status >= 500 or status < 400:
        return ServerError(message, **kw)
    if is_endpoint_gone(status, body):
        return EndpointGone(f"DeviantArt no longer offers {path}", path=path, **kw)
    return RequestRejected(message, **kw)
