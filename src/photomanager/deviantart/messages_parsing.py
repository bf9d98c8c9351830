"""Defensive parsing of DeviantArt's message center (`messages/feed`, `messages/feedback`).

Staff call these endpoints beta, and not every notification comes through
them: a message of an unknown type, a `subject` sent as `[]` instead of an
object, or missing fields becomes an `InboxMessage` that keeps its raw JSON,
never an exception. Only an item without a `messageid` cannot be stored (it
has no key) and is skipped.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from typing import Any

from photomanager.deviantart.parsing import normalize_deviationid, parse_timestamp
from photomanager.domain.inbox import InboxMessage, MessageKind, MessagePage, kind_of

logger = logging.getLogger(__name__)

_MAX_ID = 64
_MAX_TEXT = 2000
_MAX_BODY = 10_000
_MAX_RAW = 20_000
# C0 controls but tab and line breaks, and DEL.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_message_page(data: dict[str, Any]) -> MessagePage:
    """`{cursor, has_more, results}` (or `{has_more, next_offset, results}`)."""
    raw = data.get("results")
    items = raw if isinstance(raw, list) else []
    messages: list[InboxMessage] = []
    stacks: list[tuple[str, int]] = []
    for item in items:
        message = parse_message(item)
        if message is None:
            continue
        count = item.get("stack_count") if isinstance(item, dict) else None
        if message.stackid and isinstance(count, int) and not isinstance(count, bool) and count > 1:
            stacks.append((message.stackid, count))
            continue
        messages.append(message)
    if len(messages) + len(stacks) != len(items):
        logger.warning("skipped %d message(s) without an id", len(items) - len(messages))
    cursor = data.get("cursor")
    next_offset = data.get("next_offset")
    return MessagePage(
        messages=tuple(messages),
        has_more=data.get("has_more") is True,
        cursor=cursor[:_MAX_TEXT] if isinstance(cursor, str) and cursor else None,
        next_offset=next_offset
        if isinstance(next_offset, int) and not isinstance(next_offset, bool) and next_offset >= 0
        else None,
        stacks=tuple(stacks),
    )


def parse_message(item: object) -> InboxMessage | None:
    """One message; None only when it has no `messageid`."""
    if not isinstance(item, dict):
        return None
    messageid = _id(item.get("messageid"))
    if messageid is None:
        return None
    message_type = _text(item.get("type"))[:_MAX_ID]
    kind = kind_of(message_type)
    subject = _object(item.get("subject"))
    originator = _object(item.get("originator"))
    comment = _object(item.get("comment"))
    subject_comment = _object(subject.get("comment"))
    # The deviation: the message's own, else the subject's (a fave names it there).
    deviation = _object(item.get("deviation")) or _object(subject.get("deviation"))
    if kind is MessageKind.REPLY:
        # A reply's deviation is the one our comment is under.
        deviation = _object(subject.get("deviation")) or deviation
    body = comment.get("body")
    parsed = InboxMessage(
        messageid=messageid,
        type=message_type,
        kind=kind,
        ts=parse_timestamp(item.get("ts")),
        stackid=_id(item.get("stackid")),
        originator_userid=_upper_id(originator.get("userid")),
        originator_username=_text(originator.get("username"))[:_MAX_ID] or None,
        deviationid=normalize_deviationid(deviation.get("deviationid")),
        deviation_title=_text(deviation.get("title")) or None,
        deviation_url=_url(deviation.get("url")),
        commentid=_upper_id(comment.get("commentid")),
        parentid=_upper_id(comment.get("parentid")),
        subject_commentid=_upper_id(subject_comment.get("commentid")),
        body=_control_free(body[:_MAX_BODY]) if isinstance(body, str) else None,
    )
    return _with_raw(parsed, item)


def _with_raw(message: InboxMessage, item: dict[str, Any]) -> InboxMessage:
    """Keep the raw JSON of what we did not fully understand."""
    understood = message.kind is not MessageKind.OTHER and message.ts is not None
    if message.kind is MessageKind.REPLY:
        understood = understood and bool(message.commentid and message.deviationid)
    elif understood:
        understood = bool(message.originator_username)
    if understood:
        return message
    try:
        raw = json.dumps(item, ensure_ascii=False, default=str, sort_keys=True)[:_MAX_RAW]
    except (TypeError, ValueError):
        raw = None
    return _replace_raw(message, raw)


def _replace_raw(message: InboxMessage, raw: str | None) -> InboxMessage:
    return replace(message, raw=_control_free(raw) if raw else None)


def _object(value: object) -> dict[str, Any]:
    """A JSON object, or an empty one for `[]`, null or anything else (#114)."""
    return value if isinstance(value, dict) else {}


def _id(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = _control_free(value.strip())
    return value[:_MAX_ID] if value else None


def _upper_id(value: object) -> str | None:
    value = _id(value)
    return value.upper() if value else None


def _url(value: object) -> str | None:
    text = _text(value)
    # Only web links are kept: a `javascript:` URL must never reach a page as a link.
    return text if text.startswith(("https://", "http://")) else None


def _text(value: object) -> str:
    return _control_free(value[:_MAX_TEXT]) if isinstance(value, str) else ""


def _control_free(text: str) -> str:
    # NUL and other C0 controls (tab and line breaks aside): PostgreSQL refuses NUL in text.
    return _CONTROLS.sub("", text)
