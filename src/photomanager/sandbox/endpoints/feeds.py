"""The browse feeds: offset paging, limit caps, mature filtering, newest first.

`deviantsyouwatch` (watched authors), `home` and `tags?tag=` share `browse()`.
The real home feed is DeviantArt's recommendation order, not time order; the
sandbox serves it newest first, and the product must not rely on either.
Results are deviation objects without tags or description (those come only
from `deviation/metadata`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from photomanager.sandbox.endpoints.responses import SandboxResponse, error_response, json_response
from photomanager.sandbox.world.state import DeviationRecord, World


def is_true(value: str | None) -> bool:
    """DeviantArt's boolean query values."""
    return value is not None and value.strip().lower() in {"true", "1", "yes"}


def validation_error(field: str, message: str) -> SandboxResponse:
    """400 invalid_request with `error_details`, as DeviantArt reports bad fields."""
    return error_response(
        400, "invalid_request", "Request field validation failed.", details={field: message}
    )


def _int_param(query: Mapping[str, str], name: str, default: int) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        return None


def paging(
    query: Mapping[str, str], *, cap: int, default_limit: int
) -> tuple[int, int] | SandboxResponse:
    """(offset, limit) from the query, or the 400 for a bad one."""
    offset = _int_param(query, "offset", 0)
    if offset is None or offset < 0:
        return validation_error("offset", "offset must be a non-negative integer")
    limit = _int_param(query, "limit", min(default_limit, cap))
    if limit is None or not 1 <= limit <= cap:
        return validation_error("limit", f"limit must be an integer between 1 and {cap}")
    return offset, limit


def next_offset(total: int, offset: int, shown: int) -> int | None:
    """Where the next page starts, or None on the last page."""
    return offset + shown if offset + shown < total else None


def browse(
    world: World,
    query: Mapping[str, str],
    now: float,
    *,
    cap: int,
    default_limit: int,
    keep: Callable[[DeviationRecord], bool] | None = None,
    with_total: bool = False,
) -> SandboxResponse:
    """One page of a feed: visible deviations that `keep` accepts, newest first.

    `with_total` adds `estimated_total` (the tag feed's extra field).
    """
    parsed = paging(query, cap=cap, default_limit=default_limit)
    if isinstance(parsed, SandboxResponse):
        return parsed
    offset, limit = parsed
    mature = is_true(query.get("mature_content"))
    needle = (query.get("q") or "").strip().lower()
    visible = [
        d
        for d in world.deviations
        if d.is_visible(now, mature=mature)
        and (keep is None or keep(d))
        and (not needle or needle in d.title.lower())
    ]
    window = visible[offset : offset + limit]
    following = next_offset(len(visible), offset, len(window))
    body: dict[str, Any] = {
        "has_more": following is not None,
        "next_offset": following,
        "results": [d.to_json(now) for d in window],
    }
    if with_total:
        body["estimated_total"] = len(visible)
    return json_response(body)


def browse_tag(
    world: World, query: Mapping[str, str], now: float, *, cap: int, default_limit: int
) -> SandboxResponse:
    """`browse/tags?tag=NAME`: deviations carrying the tag (any case), with `estimated_total`."""
    tag = (query.get("tag") or "").strip().lower()
    if not tag:
        return validation_error("tag", "tag is required")
    return browse(
        world,
        query,
        now,
        cap=cap,
        default_limit=default_limit,
        keep=lambda d: tag in d.tags,
        with_total=True,
    )
