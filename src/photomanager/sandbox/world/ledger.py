"""What the fake DeviantArt saw and did: every request, stored comment, token call, reaction.

Tests read it from any thread while the server writes it, so every method
takes the ledger's own lock and returns copies.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from photomanager.domain.models import TokenKind
from photomanager.sandbox.world.state import CommentRecord


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the site saw it (never the token itself)."""

    at: datetime
    method: str
    path: str
    endpoint: str
    token_kind: TokenKind | None
    status: int
    dropped: bool = False
    # It came while the sandbox held a penalty against it (a rate-limit window, an
    # edge block); `declared`: that penalty had been announced with Retry-After.
    inside_penalty: bool = False
    declared: bool = False


@dataclass(frozen=True, slots=True)
class ReactionRecord:
    """One thing a deviant did to the artist, and the message it made (the truth for tests).

    `type` is the message type (`feedback.reply`, `feedback.watch`, ...);
    `trigger_commentid` the artist's comment that earned it, None for a
    stranger's; `deviationid` the deviation our comment is under (a reply) or
    the artist's deviation faved, collected or commented; `commentid` the
    reply or the new comment.
    """

    at: datetime
    type: str
    originator: str
    originator_userid: str
    trigger_commentid: str | None
    messageid: str
    deviationid: str | None = None
    commentid: str | None = None


class Ledger:
    """Thread-safe record of requests, posted comments, token-endpoint calls and reactions."""

    def __init__(self, artist_userid: str) -> None:
        self._artist_userid = artist_userid
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._comments: dict[str, list[CommentRecord]] = {}
        self._grants: Counter[str] = Counter()
        self._reactions: list[ReactionRecord] = []

    # --- writing (the sandbox) -------------------------------------------------

    def record_request(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests.append(record)

    def record_comment(self, comment: CommentRecord) -> None:
        with self._lock:
            self._comments.setdefault(comment.deviationid, []).append(comment)

    def record_token_call(self, grant_type: str) -> None:
        with self._lock:
            self._grants[grant_type] += 1

    def record_reaction(self, reaction: ReactionRecord) -> None:
        with self._lock:
            self._reactions.append(reaction)

    # --- reading (tests) -------------------------------------------------------

    def requests(self, endpoint: str | None = None) -> list[RequestRecord]:
        """Every request so far, optionally only those to one endpoint."""
        with self._lock:
            return [r for r in self._requests if endpoint is None or r.endpoint == endpoint]

    def inside_declared_penalty(self) -> list[RequestRecord]:
        """Requests sent inside a penalty the sandbox had announced (Retry-After)."""
        with self._lock:
            return [r for r in self._requests if r.inside_penalty and r.declared]

    def comments_for(self, deviationid: str) -> list[CommentRecord]:
        """Comments posted through the API under one deviation, oldest first."""
        with self._lock:
            return list(self._comments.get(deviationid.upper(), []))

    def all_comments(self) -> list[CommentRecord]:
        """Every comment posted through the API, oldest first."""
        with self._lock:
            merged = [c for comments in self._comments.values() for c in comments]
        return sorted(merged, key=lambda c: c.posted_at)

    def commented_deviations(self) -> set[str]:
        """Ids of deviations that got at least one top-level comment from the artist."""
        with self._lock:
            return {
                deviationid
                for deviationid, comments in self._comments.items()
                if any(self._top_level_ours(c) for c in comments)
            }

    def duplicates(self) -> list[str]:
        """Deviation ids that got more than one top-level comment from the artist.

        Replies (a comment with a `parentid`) are not comments under the
        deviation in this sense: see `duplicate_replies()`.
        """
        with self._lock:
            return sorted(
                deviationid
                for deviationid, comments in self._comments.items()
                if sum(self._top_level_ours(c) for c in comments) > 1
            )

    def replies(self) -> list[CommentRecord]:
        """The artist's replies (comments posted with a parent `commentid`), oldest first."""
        with self._lock:
            merged = [
                c
                for comments in self._comments.values()
                for c in comments
                if c.parentid is not None and c.user.userid == self._artist_userid
            ]
        return sorted(merged, key=lambda c: c.posted_at)

    def duplicate_replies(self) -> list[str]:
        """Comment ids that got more than one reply from the artist."""
        parents = Counter(c.parentid for c in self.replies())
        return sorted(str(parent) for parent, n in parents.items() if n > 1)

    def reactions(self, *, trigger_commentid: str | None = None) -> list[ReactionRecord]:
        """Every reaction that has happened, in order; or those one comment of ours earned."""
        with self._lock:
            if trigger_commentid is None:
                return list(self._reactions)
            wanted = trigger_commentid.upper()
            return [r for r in self._reactions if r.trigger_commentid == wanted]

    def _top_level_ours(self, comment: CommentRecord) -> bool:
        return comment.parentid is None and comment.user.userid == self._artist_userid

    def token_calls(self, grant_type: str | None = None) -> int:
        """Token-endpoint calls, all or for one grant type ("refresh_token", ...)."""
        with self._lock:
            if grant_type is None:
                return sum(self._grants.values())
            return self._grants[grant_type]

    def token_calls_by_grant(self) -> dict[str, int]:
        """Token-endpoint calls per grant type."""
        with self._lock:
            return dict(self._grants)
