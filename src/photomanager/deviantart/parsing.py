"""Defensive parsing of DeviantArt JSON into domain objects.

Every value is untrusted: a malformed item is skipped (returns None), never
allowed to crash a whole page.
"""

from __future__ import annotations

import logging
import math
import re
from datetime import UTC, datetime
from typing import Any

from photomanager.deviantart.html_text import html_to_text
from photomanager.domain.images import DEVIANTART_IMAGE_ORIGINS, allowed_image_url
from photomanager.domain.models import (
    Author,
    Comment,
    CommentPage,
    DeviantArtUser,
    Deviation,
    DeviationMetadata,
    FeedPage,
    is_tag,
)

logger = logging.getLogger(__name__)

_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
# Generous bounds for ids and short texts; anything longer is not DeviantArt.
_MAX_ID = 64
_MAX_TEXT = 2000
_MAX_TAGS = 100  # DeviantArt allows far fewer; more is not a deviation


def normalize_deviationid(value: object) -> str | None:
    """The upper-case UUID, or None when `value` is not a deviation id."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value.upper() if _UUID.fullmatch(value) else None


def parse_feed_page(
    data: dict[str, Any], image_origins: frozenset[str] = DEVIANTART_IMAGE_ORIGINS
) -> FeedPage:
    """An offset-paginated page of deviations; malformed items are skipped."""
    raw = data.get("results")
    items = raw if isinstance(raw, list) else []
    parsed = (parse_deviation(item, image_origins) for item in items)
    results = tuple(d for d in parsed if d is not None)
    if len(results) != len(items):
        logger.warning("skipped %d malformed deviation(s)", len(items) - len(results))
    return FeedPage(
        results=results,
        has_more=data.get("has_more") is True,
        next_offset=_optional_int(data.get("next_offset")),
    )


def parse_deviation(
    item: object, image_origins: frozenset[str] = DEVIANTART_IMAGE_ORIGINS
) -> Deviation | None:
    """A deviation object, or None if it has no usable id."""
    if not isinstance(item, dict):
        return None
    deviationid = normalize_deviationid(item.get("deviationid"))
    if deviationid is None:
        return None
    author = parse_author(item.get("author")) or Author(userid="", username="")
    return Deviation(
        deviationid=deviationid,
        title=_text(item.get("title")),
        url=_text(item.get("url")),
        author=author,
        published_time=parse_timestamp(item.get("published_time")),
        is_mature=_flag(item.get("is_mature"), default=False),
        allows_comments=_flag(item.get("allows_comments"), default=True),
        is_deleted=_flag(item.get("is_deleted"), default=False),
        thumbnail_url=parse_thumbnail(item, image_origins),
    )


# The review list shows thumbnails 96 px wide: the smallest thumb at least this wide (twice
# that on a dense screen) is enough, and the smallest there is beats none.
_THUMB_MIN_PX = 150


def parse_thumbnail(item: dict[str, Any], image_origins: frozenset[str]) -> str | None:
    """A small image of the deviation from `thumbs` (else `preview`) on an allowed host.

    DeviantArt's deviation object carries `thumbs: [{src, width, height, transparency}]`
    (smallest first) and `preview: {src, width, height, transparency}`; a literature or a
    journal has neither. A URL off the allowed image hosts is dropped, never kept.
    """
    candidates: list[tuple[int, str]] = []
    thumbs = item.get("thumbs")
    for thumb in thumbs[:_MAX_TAGS] if isinstance(thumbs, list) else []:
        if isinstance(thumb, dict):
            url = allowed_image_url(thumb.get("src"), image_origins)
            width = _optional_int(thumb.get("width")) or 0
            if url is not None:
                candidates.append((width, url))
    big_enough = sorted(c for c in candidates if c[0] >= _THUMB_MIN_PX)
    if big_enough:
        return big_enough[0][1]
    preview = item.get("preview")
    if isinstance(preview, dict):
        url = allowed_image_url(preview.get("src"), image_origins)
        if url is not None:
            return url
    return max(candidates)[1] if candidates else None


def parse_metadata_list(data: dict[str, Any]) -> list[DeviationMetadata]:
    """`deviation/metadata`'s `{"metadata": [...]}`; malformed entries are skipped."""
    raw = data.get("metadata")
    items = raw if isinstance(raw, list) else []
    parsed = [m for m in (parse_metadata(item) for item in items) if m is not None]
    if len(parsed) != len(items):
        logger.warning("skipped %d malformed metadata entr(ies)", len(items) - len(parsed))
    return parsed


def parse_metadata(item: object) -> DeviationMetadata | None:
    """One metadata entry (tags, HTML description, comment rights), or None without an id."""
    if not isinstance(item, dict):
        return None
    deviationid = normalize_deviationid(item.get("deviationid"))
    if deviationid is None:
        return None
    allows = _flag(item.get("allows_comments"), default=True)
    description = item.get("description")
    return DeviationMetadata(
        deviationid=deviationid,
        tags=_tags(item.get("tags")),
        description=html_to_text(description) if isinstance(description, str) else "",
        can_post_comment=_flag(item.get("can_post_comment"), default=allows),
        allows_comments=allows,
        is_mature=_flag(item.get("is_mature"), default=False),
    )


def _tags(value: object) -> tuple[str, ...]:
    """Tag names of `[{tag_name, sponsored, sponsor}]`, lower case, valid ones only, once each."""
    if not isinstance(value, list):
        return ()
    names: list[str] = []
    for tag in value[:_MAX_TAGS]:
        name = tag.get("tag_name") if isinstance(tag, dict) else None
        if not isinstance(name, str):
            continue
        name = name.strip().lower()
        if is_tag(name) and name not in names:
            names.append(name)
    return tuple(names)


def parse_author(value: object) -> Author | None:
    """`{userid, username}` (DeviantArt's user object), or None."""
    if not isinstance(value, dict):
        return None
    userid = value.get("userid")
    username = value.get("username")
    if not isinstance(userid, str) or not isinstance(username, str):
        return None
    return Author(userid=userid.strip().upper()[:_MAX_ID], username=_text(username)[:_MAX_ID])


def parse_comment_page(data: dict[str, Any]) -> CommentPage:
    """A page of comments (`thread`); malformed comments are skipped."""
    raw = data.get("thread")
    items = raw if isinstance(raw, list) else []
    thread = tuple(c for c in (parse_comment(item) for item in items) if c is not None)
    return CommentPage(
        thread=thread,
        has_more=data.get("has_more") is True,
        next_offset=_optional_int(data.get("next_offset")),
    )


def parse_comment(item: object) -> Comment | None:
    """A comment object, or None when its id, time or author is unusable."""
    if not isinstance(item, dict):
        return None
    commentid = item.get("commentid")
    posted = parse_timestamp(item.get("posted"))
    author = parse_author(item.get("user"))
    if not isinstance(commentid, str) or not commentid.strip() or posted is None or not author:
        return None
    body = item.get("body")
    parentid = item.get("parentid")
    hidden = item.get("hidden")
    return Comment(
        commentid=commentid.strip().upper()[:_MAX_ID],
        body=body if isinstance(body, str) else "",
        posted=posted,
        author=author,
        parentid=parentid.strip().upper()[:_MAX_ID] if isinstance(parentid, str) else None,
        hidden=hidden if isinstance(hidden, str) else None,
    )


def parse_user(data: dict[str, Any]) -> DeviantArtUser | None:
    """`user/whoami`'s answer, or None if it lacks the id or name."""
    author = parse_author(data)
    if author is None:
        return None
    usericon = data.get("usericon")
    kind = data.get("type")
    return DeviantArtUser(
        userid=author.userid,
        username=author.username,
        usericon=_text(usericon),
        type=_text(kind),
    )


def parse_timestamp(value: object) -> datetime | None:
    """Unix seconds (int, float or digit string) or an ISO 8601 string, as aware UTC."""
    if isinstance(value, bool):
        return None
    seconds: float | None = None
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            seconds = float(text)
        else:
            return _parse_iso(text)
    if seconds is None or not math.isfinite(seconds):
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _parse_iso(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


# NUL and other C0 controls (tab and line breaks aside) carry no meaning in a title or
# a username, and PostgreSQL refuses NUL in text: drop them at the border.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: object) -> str:
    return _CONTROL.sub("", value[:_MAX_TEXT]) if isinstance(value, str) else ""


def _flag(value: object, *, default: bool) -> bool:
    return value if isinstance(value, bool) else default


def _optional_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None
