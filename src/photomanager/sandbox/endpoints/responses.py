"""What the core router answers, independent of any HTTP framework.

DeviantArt's error body is `{"error", "error_description", "error_details"?,
"error_code"?, "status": "error"}`; `error_response()` is the only place that
builds it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True, slots=True)
class SandboxResponse:
    """One answer of the fake DeviantArt.

    `dropped` means the request was processed but the client must see no
    response at all (the transport raises a read timeout, the server cuts the
    connection).
    """

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    json_body: Any = None
    text: str | None = None
    dropped: bool = False

    def body_bytes(self) -> bytes:
        """The encoded body, as sent on the wire."""
        if self.json_body is not None:
            return json.dumps(self.json_body, ensure_ascii=False).encode("utf-8")
        if self.text is not None:
            return self.text.encode("utf-8")
        return b""

    def wire_headers(self) -> dict[str, str]:
        """Headers including a content type matching the body."""
        headers = dict(self.headers)
        if self.json_body is not None:
            headers.setdefault("content-type", JSON_CONTENT_TYPE)
        elif self.text is not None:
            headers.setdefault("content-type", "text/html; charset=utf-8")
        return headers


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> SandboxResponse:
    """A JSON answer."""
    return SandboxResponse(status=status, headers=dict(headers or {}), json_body=body)


def error_response(
    status: int,
    error: str,
    description: str,
    *,
    details: Mapping[str, str] | None = None,
    code: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> SandboxResponse:
    """A DeviantArt error body. `description` must never contain a secret."""
    body: dict[str, Any] = {"error": error, "error_description": description}
    if details is not None:
        body["error_details"] = dict(details)
    if code is not None:
        body["error_code"] = code
    if extra:
        body.update(extra)
    body["status"] = "error"
    return SandboxResponse(status=status, headers=dict(headers or {}), json_body=body)


def redirect(location: str) -> SandboxResponse:
    """A 302 to `location`."""
    return SandboxResponse(status=302, headers={"location": location})


def insufficient_scope(scope: str) -> SandboxResponse:
    """403: the token lacks `scope` (DeviantArt names the missing scope)."""
    return error_response(
        403,
        "insufficient_scope",
        "The requested resource requires a higher scope than the user has allowed the "
        "client to access, client needs to re-authorize.",
        extra={"scope": scope},
    )


def rate_limited(retry_after: float | None, error: str = "user_api_threshold") -> SandboxResponse:
    """429 as DeviantArt words it (#142); Retry-After in whole seconds only when given."""
    description = (
        "User request limit reached."
        if error == "user_api_threshold"
        else "Application request limit reached."
    )
    headers = {} if retry_after is None else {"retry-after": str(int(retry_after))}
    return error_response(429, error, description, headers=headers)


EDGE_BLOCK_PAGE = (
    "<!DOCTYPE html><html><head><title>403 Forbidden</title></head>"
    "<body><h1>403 ERROR</h1><h2>The request could not be satisfied.</h2>"
    "<p>Request blocked. We can't connect to the server for this app or website "
    "at this time.</p></body></html>"
)


def edge_blocked() -> SandboxResponse:
    """The CDN's 403: an HTML page, no JSON, no Retry-After."""
    return SandboxResponse(status=403, text=EDGE_BLOCK_PAGE)


def unavailable(retry_after: int) -> SandboxResponse:
    """503 maintenance with Retry-After."""
    return error_response(
        503,
        "server_error",
        "DeviantArt is down for maintenance.",
        headers={"retry-after": str(retry_after)},
    )


def server_error(status: int) -> SandboxResponse:
    """A 5xx: JSON from DeviantArt, HTML for gateway errors from the CDN."""
    if status == 503:
        return unavailable(30)
    if status in (502, 504):
        # Gateway errors come from the CDN: HTML, not JSON.
        return SandboxResponse(
            status=status, text=f"<html><body><h1>{status} Gateway error</h1></body></html>"
        )
    return error_response(status, "server_error", "Internal server error.")
