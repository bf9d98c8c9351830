"""Comment post and read-back, with DeviantArt's refusals (all 400 invalid_request)."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping

from photomanager.domain.models import DeviantArtUser
from photomanager.sandbox.endpoints.feeds import next_offset, paging, validation_error
from photomanager.sandbox.endpoints.responses import SandboxResponse, error_response, json_response
from photomanager.sandbox.world.seed import random_id
from photomanager.sandbox.world.state import CommentRecord, DeviationRecord, World

_UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")

# Endpoint-specific `error_code`s. DeviantArt's real values are unconfirmed:
# clients must classify by status and `error`, never by these.
NOT_FOUND = 1
DELETED = 2
COMMENTS_DISABLED = 3
BLOCKED = 4
MAX_DEPTH = 5


def find_deviation(world: World, raw_id: str, now: float) -> DeviationRecord | SandboxResponse:
    """The live deviation, or the 400 DeviantArt answers for a bad/missing/deleted one."""
    if not _UUID.match(raw_id):
        return validation_error("deviationid", "deviationid must be a UUID")
    deviation = world.get(raw_id)
    if deviation is None:
        return error_response(400, "invalid_request", "Deviation not found.", code=NOT_FOUND)
    if deviation.is_deleted(now):
        return error_response(400, "invalid_request", "Deviation was deleted.", code=DELETED)
    return deviation


def post_comment(
    world: World,
    raw_id: str,
    form: Mapping[str, str],
    user: DeviantArtUser,
    now: float,
    *,
    max_length: int,
    rng: random.Random,
) -> CommentRecord | SandboxResponse:
    """Store a comment (no idempotency: every call makes a new one) or refuse."""
    found = find_deviation(world, raw_id, now)
    if isinstance(found, SandboxResponse):
        return found
    body = form.get("body", "")
    if not body.strip():
        return validation_error("body", "body is required")
    if len(body) > max_length:
        return validation_error("body", f"body must be at most {max_length} characters")
    if not found.allows_comments:
        return error_response(
            400,
            "invalid_request",
            "Comments are disabled for this deviation.",
            code=COMMENTS_DISABLED,
        )
    if found.is_blocked or found.author.userid in world.blockers:
        return error_response(
            400, "invalid_request", "You have been blocked by this deviant.", code=BLOCKED
        )
    parentid = form.get("commentid") or None
    if parentid is not None:
        parent = next((c for c in found.comments if c.commentid == parentid.upper()), None)
        if parent is None:
            return validation_error("commentid", "unknown parent comment")
        parent.replies += 1
        parentid = parent.commentid
    comment = CommentRecord(
        commentid=random_id(rng),
        deviationid=found.deviationid,
        user=user,
        body=body,
        posted_at=now,
        parentid=parentid,
    )
    found.comments.append(comment)
    return comment


def list_comments(
    world: World,
    raw_id: str,
    query: Mapping[str, str],
    now: float,
    *,
    cap: int,
    newest_first: bool,
) -> SandboxResponse:
    """`{has_more, next_offset, has_less, prev_offset, total, thread}` for one deviation.

    Top-level comments only, unless `commentid=C` (the replies under C, each
    with `parentid` C) or `maxdepth=N` (0-5: each comment of the page is
    followed by its replies down to N levels, oldest first). Paging counts the
    comments of the first level only.
    """
    found = find_deviation(world, raw_id, now)
    if isinstance(found, SandboxResponse):
        return found
    parsed = paging(query, cap=cap, default_limit=10)
    if isinstance(parsed, SandboxResponse):
        return parsed
    offset, limit = parsed
    depth = _maxdepth(query)
    if depth is None:
        return validation_error("maxdepth", f"maxdepth must be an integer from 0 to {MAX_DEPTH}")
    children: dict[str | None, list[CommentRecord]] = {}
    # Sorted oldest first (stable: ties keep post order), then grouped by parent.
    for comment in sorted(found.comments, key=lambda c: c.posted_at):
        children.setdefault(comment.parentid, []).append(comment)
    parentid = (query.get("commentid") or "").strip().upper() or None
    if parentid is not None and not any(c.commentid == parentid for c in found.comments):
        return validation_error("commentid", "unknown comment")
    level = list(children.get(parentid, []))
    if newest_first:
        level.reverse()
    window = level[offset : offset + limit]
    thread: list[CommentRecord] = []
    for comment in window:
        thread.append(comment)
        thread += _descendants(children, comment.commentid, depth)
    following = next_offset(len(level), offset, len(window))
    return json_response(
        {
            "has_more": following is not None,
            "next_offset": following,
            "has_less": offset > 0,
            "prev_offset": max(0, offset - limit) if offset > 0 else None,
            "total": len(level),
            "thread": [c.to_json() for c in thread],
        }
    )


def _maxdepth(query: Mapping[str, str]) -> int | None:
    raw = (query.get("maxdepth") or "0").strip()
    if not raw.isdigit() or int(raw) > MAX_DEPTH:
        return None
    return int(raw)


def _descendants(
    children: Mapping[str | None, list[CommentRecord]], commentid: str, depth: int
) -> list[CommentRecord]:
    """The replies under `commentid`, depth first, oldest first, `depth` levels down."""
    if depth <= 0:
        return []
    found: list[CommentRecord] = []
    for reply in children.get(commentid, []):
        found.append(reply)
        found += _descendants(children, reply.commentid, depth - 1)
    return found
