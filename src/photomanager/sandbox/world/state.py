"""The state of the fake site: users, deviations and their comments.

Times are unix seconds (floats) on the sandbox clock. Records are mutable and
owned by `Sandbox`, which only touches them under its lock.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from photomanager.domain.models import DeviantArtUser

# DeviantArt answers comment times in its own (Pacific) offset, not UTC.
_DA_OFFSET = timezone(timedelta(hours=-7))


def user_json(user: DeviantArtUser) -> dict[str, Any]:
    """The `user`/`author` object: `{userid, username, usericon, type}`."""
    return {
        "userid": user.userid,
        "username": user.username,
        "usericon": user.usericon,
        "type": user.type,
    }


def comment_time(ts: float) -> str:
    """`posted` as DeviantArt writes it: ISO 8601 with a numeric offset."""
    return datetime.fromtimestamp(ts, UTC).astimezone(_DA_OFFSET).strftime("%Y-%m-%dT%H:%M:%S%z")


@dataclass(slots=True)
class CommentRecord:
    """One comment under a deviation."""

    commentid: str
    deviationid: str
    user: DeviantArtUser
    body: str
    posted_at: float
    parentid: str | None = None
    hidden: str | None = None
    replies: int = 0

    def to_json(self) -> dict[str, Any]:
        """The documented comment object."""
        return {
            "commentid": self.commentid,
            "parentid": self.parentid,
            "posted": comment_time(self.posted_at),
            "replies": self.replies,
            "hidden": self.hidden,
            "body": self.body,
            "user": user_json(self.user),
        }


@dataclass(slots=True)
class DeviationRecord:
    """One deviation; `deleted_at` makes it vanish once the clock passes it.

    `tags` and `description` (HTML, untrusted) reach clients only through
    `deviation/metadata`, never in browse results. `language` (ISO 639-1) is
    the sandbox's own truth about the text, for tests: DeviantArt has no such
    field and the API never sends it.
    """

    deviationid: str
    title: str
    url: str
    author: DeviantArtUser
    published_at: float
    category: str
    category_path: str
    is_mature: bool = False
    allows_comments: bool = True
    is_blocked: bool = False
    favourites: int = 0
    deleted_at: float | None = None
    comments: list[CommentRecord] = field(default_factory=list)
    tags: tuple[str, ...] = ()
    description: str = ""
    language: str = "en"

    def is_deleted(self, now: float) -> bool:
        """True once the deviation has been deleted (by the clock or explicitly)."""
        return self.deleted_at is not None and self.deleted_at <= now

    def is_visible(self, now: float, *, mature: bool) -> bool:
        """Published, not deleted, and not mature unless mature content was asked for."""
        return (
            self.published_at <= now and not self.is_deleted(now) and (mature or not self.is_mature)
        )

    def to_json(self, now: float) -> dict[str, Any]:
        """The documented deviation object (plus a few harmless extra fields; no tags)."""
        return {
            "deviationid": self.deviationid,
            "printid": None,
            "url": self.url,
            "title": self.title,
            "category": self.category,
            "category_path": self.category_path,
            "is_favourited": False,
            "is_deleted": self.is_deleted(now),
            "is_published": True,
            "is_blocked": self.is_blocked,
            "author": user_json(self.author),
            "stats": {"comments": len(self.comments), "favourites": self.favourites},
            "published_time": str(int(self.published_at)),
            "allows_comments": self.allows_comments,
            "is_mature": self.is_mature,
            "is_downloadable": False,
        }


@dataclass(slots=True)
class World:
    """Everything the fake site knows. `deviations` is kept newest first.

    `gallery` holds the artist's own deviations, the ones deviants fave and
    comment on; they are reachable by id (comments, metadata) but not part of
    the browse feeds, which show other people's work.
    """

    artist: DeviantArtUser
    users: list[DeviantArtUser]
    watched: set[str]
    blockers: set[str]
    deviations: list[DeviationRecord]
    by_id: dict[str, DeviationRecord] = field(default_factory=dict)
    gallery: list[DeviationRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.deviations.sort(key=lambda d: d.published_at, reverse=True)
        self.gallery.sort(key=lambda d: d.published_at, reverse=True)
        self.by_id = {d.deviationid: d for d in self.gallery}
        self.by_id.update({d.deviationid: d for d in self.deviations})

    def add(self, deviation: DeviationRecord) -> None:
        """Insert a deviation, keeping newest-first order."""
        bisect.insort(self.deviations, deviation, key=lambda d: -d.published_at)
        self.by_id[deviation.deviationid] = deviation

    def get(self, deviationid: str) -> DeviationRecord | None:
        """Look a deviation up; DeviantArt accepts ids in any case."""
        return self.by_id.get(deviationid.upper())

    def can_comment(self, deviation: DeviationRecord) -> bool:
        """Whether the artist's comment would be accepted (comments on, nobody blocks)."""
        return (
            deviation.allows_comments
            and not deviation.is_blocked
            and deviation.author.userid not in self.blockers
        )
