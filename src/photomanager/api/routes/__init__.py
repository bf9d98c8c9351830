"""One router per resource; every JSON route lives under `PREFIX`."""

from __future__ import annotations

from typing import Any

from photomanager.api.schemas.common import ErrorPublic

PREFIX = "/api/deviation-comments"


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route may give (all in the one shape)."""
    descriptions = {
        400: "Bad request (e.g. the Host header is not allowed)",
        401: "API token required (remote mode)",
        403: "Refused: state-changing requests must be same-origin application/json",
        404: "Not found",
        409: "Conflicts with the current state",
        422: "Invalid input: says which field and what to fix",
        500: "Internal error",
        502: "DeviantArt failed or refused",
        503: "DeviantArt is rate limiting or unavailable",
    }
    return {
        status: {"model": ErrorPublic, "description": descriptions[status]}
        for status in (400, 401, 500, *statuses)
    }
