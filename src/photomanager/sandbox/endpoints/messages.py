"""The message center: `messages/feed`, `messages/feedback/{stackid}`, `messages/feedback?type=`.

`messages/feed?folderid&stack&cursor` -> `{cursor, has_more, results}`: newest
first, a fixed page size, stacks unless `stack=false`; `cursor` is opaque and
leads to older messages (pass it back to get the next page). `folderid` is
accepted and ignored: the sandbox has only the inbox.
`messages/feedback/{stackid}?offset&limit` -> `{has_more, next_offset,
results}`: a stack's messages, newest first, one each.
`messages/feedback?type=comments|replies|activity&stack&offset&limit`: the
same messages by kind, offset paged.

A message is `is_new` until an answer has shown it once.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any

from photomanager.sandbox.endpoints.feeds import next_offset, paging, validation_error
from photomanager.sandbox.endpoints.responses import SandboxResponse, error_response, json_response
from photomanager.sandbox.world.messages import FEEDBACK_KINDS, Entry, MessageCenter

_CURSOR_PREFIX = "m1:"


def _stacked(query: Mapping[str, str]) -> bool:
    raw = query.get("stack")
    return raw is None or raw.strip().lower() not in {"false", "0", "no"}


def encode_cursor(seq: int) -> str:
    """An opaque cursor: "the messages older than position `seq`"."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> int | None:
    """The position a cursor stands for, or None for a cursor we never issued."""
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not text.startswith(_CURSOR_PREFIX):
        return None
    number = text[len(_CURSOR_PREFIX) :]
    return int(number) if number.isdigit() else None


def _render(entries: Sequence[Entry], now: float) -> list[dict[str, Any]]:
    shown = [e.message.to_json(now, stack_count=e.stack_count) for e in entries]
    for entry in entries:
        entry.message.is_new = False
    return shown


def feed(
    center: MessageCenter, query: Mapping[str, str], now: float, *, page_size: int
) -> SandboxResponse:
    """`messages/feed`: one page, newest first, from the cursor's position down."""
    before: int | None = None
    raw = query.get("cursor")
    if raw:
        before = decode_cursor(raw)
        if before is None:
            return validation_error("cursor", "unknown cursor")
    entries = center.entries(stacked=_stacked(query))
    if before is not None:
        entries = [e for e in entries if e.message.seq < before]
    page = entries[:page_size]
    cursor = encode_cursor(page[-1].message.seq) if page else raw or None
    return json_response(
        {"cursor": cursor, "has_more": len(entries) > len(page), "results": _render(page, now)}
    )


def _offset_page(
    entries: Sequence[Entry], query: Mapping[str, str], now: float, *, cap: int, default_limit: int
) -> SandboxResponse:
    parsed = paging(query, cap=cap, default_limit=default_limit)
    if isinstance(parsed, SandboxResponse):
        return parsed
    offset, limit = parsed
    window = entries[offset : offset + limit]
    following = next_offset(len(entries), offset, len(window))
    return json_response(
        {
            "has_more": following is not None,
            "next_offset": following,
            "results": _render(window, now),
        }
    )


def feedback_stack(
    center: MessageCenter,
    stackid: str,
    query: Mapping[str, str],
    now: float,
    *,
    cap: int,
    default_limit: int,
) -> SandboxResponse:
    """`messages/feedback/{stackid}`: every message of one stack, newest first."""
    members = center.stack(stackid)
    if members is None:
        return error_response(400, "invalid_request", "Stack not found.")
    entries = [Entry(m, None) for m in members]
    return _offset_page(entries, query, now, cap=cap, default_limit=default_limit)


def feedback(
    center: MessageCenter,
    query: Mapping[str, str],
    now: float,
    *,
    cap: int,
    default_limit: int,
) -> SandboxResponse:
    """`messages/feedback?type=`: the messages of one kind, stacked unless `stack=false`."""
    kind = (query.get("type") or "").strip().lower()
    if kind not in FEEDBACK_KINDS:
        return validation_error("type", "type must be one of comments, replies, activity")
    entries = center.entries(stacked=_stacked(query), types=FEEDBACK_KINDS[kind])
    return _offset_page(entries, query, now, cap=cap, default_limit=default_limit)
