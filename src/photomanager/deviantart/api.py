"""`DeviantArtApiClient`: typed DeviantArt endpoints; structurally a `DeviantArtApi`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from urllib.parse import parse_qsl

from photomanager.deviantart.client import DeviantArtHttpClient
from photomanager.deviantart.messages_parsing import parse_message_page
from photomanager.deviantart.parsing import (
    normalize_deviationid,
    parse_comment,
    parse_comment_page,
    parse_feed_page,
    parse_metadata_list,
    parse_user,
)
from photomanager.domain.errors import DeviantArtError, InvalidInput, OutcomeUnknown
from photomanager.domain.images import DEVIANTART_IMAGE_ORIGINS
from photomanager.domain.inbox import MessagePage
from photomanager.domain.models import (
    Comment,
    CommentPage,
    DeviantArtUser,
    DeviationMetadata,
    FeedPage,
    TokenKind,
)

# DeviantArt caps browse pages at 50 (deviantsyouwatch, home and tags documented).
MAX_BROWSE_LIMIT = 50
MAX_COMMENTS_LIMIT = 50
MAX_METADATA_IDS = 50  # per `deviation/metadata` call (10 with ext_* flags, never sent)
MAX_STACK_LIMIT = 50  # `messages/feedback/{stackid}`


class DeviantArtApiClient:
    """The endpoints the services need, returning domain objects."""

    def __init__(
        self,
        http: DeviantArtHttpClient,
        *,
        image_origins: frozenset[str] = DEVIANTART_IMAGE_ORIGINS,
    ) -> None:
        self._http = http
        # Where a deviation's thumbnail may come from; any other URL is dropped at parsing.
        self._image_origins = image_origins

    def __repr__(self) -> str:
        return f"DeviantArtApiClient({self._http!r})"

    def browse(
        self, path: str, *, token_kind: TokenKind, offset: int, limit: int, mature_content: bool
    ) -> FeedPage:
        """One page of a feed, e.g. `browse/deviantsyouwatch` or `browse/tags?tag=art`.

        A query in `path` (a configured feed with its own filter) is kept;
        offset, limit and mature_content always come from the arguments.
        """
        path, _, query = path.partition("?")
        params: dict[str, object] = dict(parse_qsl(query))
        params |= {
            "offset": max(0, offset),
            "limit": min(max(1, limit), MAX_BROWSE_LIMIT),
            "mature_content": mature_content,
        }
        data = self._http.get(path, params, token_kind=token_kind)
        return parse_feed_page(data, self._image_origins)

    def deviation_metadata(
        self, deviationids: Sequence[str], *, token_kind: TokenKind = TokenKind.USER
    ) -> list[DeviationMetadata]:
        """Tags, plain-text description and comment rights of up to 50 deviations.

        One request; the caller splits longer lists (and paces the calls). Ids
        DeviantArt does not know are simply absent from the answer.
        """
        ids = unique_ids(deviationids)
        if not ids:
            return []
        if len(ids) > MAX_METADATA_IDS:
            raise InvalidInput(
                f"at most {MAX_METADATA_IDS} deviations per metadata request",
                details={"deviationids": f"got {len(ids)}"},
            )
        data = self._http.get("deviation/metadata", {"deviationids[]": ids}, token_kind=token_kind)
        return parse_metadata_list(data)

    def post_comment(
        self, deviationid: str, body: str, *, deadline: datetime | None = None
    ) -> Comment:
        """Post `body` under the deviation. Never call twice for one claim.

        No attempt starts that could end after `deadline` (`PostDeadlinePassed`).
        """
        normalized = _deviationid(deviationid)
        data = self._http.post(
            f"comments/post/deviation/{normalized}", {"body": body}, deadline=deadline
        )
        comment = parse_comment(data)
        if comment is None:
            # It landed (2xx), but without a usable comment we must reconcile.
            raise OutcomeUnknown("DeviantArt accepted the comment but its answer is unreadable")
        return comment

    def list_comments(
        self,
        deviationid: str,
        *,
        offset: int,
        limit: int,
        token_kind: TokenKind = TokenKind.USER,
    ) -> CommentPage:
        """One page of the deviation's comment thread (top-level comments first)."""
        normalized = _deviationid(deviationid)
        params = {"offset": max(0, offset), "limit": min(max(1, limit), MAX_COMMENTS_LIMIT)}
        data = self._http.get(f"comments/deviation/{normalized}", params, token_kind=token_kind)
        return parse_comment_page(data)

    def messages_feed(self, cursor: str | None = None, *, stack: bool = False) -> MessagePage:
        """One page of the artist's inbox, newest first (`messages/feed`, scope `message`).

        No retry after a 429: a poll stops and comes back later rather than spend
        the user's request budget that posting needs.
        """
        params: dict[str, object] = {"stack": stack}
        if cursor:
            params["cursor"] = cursor
        return parse_message_page(self._http.get("messages/feed", params, max_retries=0))

    def messages_feedback_stack(self, stackid: str, *, offset: int, limit: int) -> MessagePage:
        """The messages of one stack (`messages/feedback/{stackid}`)."""
        if not stackid or "/" in stackid or stackid in (".", ".."):
            raise InvalidInput("not a stack id", details={"stackid": stackid[:64]})
        params = {"offset": max(0, offset), "limit": min(max(1, limit), MAX_STACK_LIMIT)}
        data = self._http.get(f"messages/feedback/{stackid}", params, max_retries=0)
        return parse_message_page(data)

    def post_reply(self, deviationid: str, commentid: str, body: str) -> Comment:
        """Post `body` as a reply under the comment `commentid` of the deviation. Never call
        twice for one answer: a lost answer is read back (`list_replies`) instead."""
        normalized = _deviationid(deviationid)
        data = self._http.post(
            f"comments/post/deviation/{normalized}", {"body": body, "commentid": commentid}
        )
        comment = parse_comment(data)
        if comment is None:
            raise OutcomeUnknown("DeviantArt accepted the reply but its answer is unreadable")
        return comment

    def list_replies(
        self, deviationid: str, commentid: str, *, offset: int, limit: int
    ) -> CommentPage:
        """One page of the replies under one comment (`comments/deviation/{id}?commentid=C`)."""
        normalized = _deviationid(deviationid)
        params = {
            "commentid": commentid,
            "offset": max(0, offset),
            "limit": min(max(1, limit), MAX_COMMENTS_LIMIT),
        }
        return parse_comment_page(self._http.get(f"comments/deviation/{normalized}", params))

    def whoami(self) -> DeviantArtUser:
        """The connected account (`user/whoami`, user token)."""
        user = parse_user(self._http.get("user/whoami"))
        if user is None:
            raise DeviantArtError("DeviantArt's whoami answer lacks the user id or name")
        return user

    def placebo(self, token_kind: TokenKind = TokenKind.USER) -> bool:
        """True when DeviantArt accepts the token (`placebo`)."""
        return self._http.get("placebo", token_kind=token_kind).get("status") == "success"

    def get_recommended_delay(self) -> float:
        """Seconds to leave between requests (see `DeviantArtHttpClient`)."""
        return self._http.get_recommended_delay()

    def waited_in_last_request(self) -> float:
        """Seconds the latest request waited before its last attempt (see the client)."""
        return self._http.waited_in_last_request

    def spare_turn(self, before: datetime) -> bool:
        """Whether a user-token request may go now without delaying `before` (see the client)."""
        return self._http.spare_turn(before)


def unique_ids(values: Iterable[str]) -> list[str]:
    """Deviation ids as DeviantArt spells them, each once, in order (bad ones refused)."""
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(_deviationid(value), None)
    return list(seen)


def _deviationid(value: str) -> str:
    """The id as DeviantArt spells it; refused before it can shape a URL path."""
    normalized = normalize_deviationid(value)
    if normalized is None:
        raise InvalidInput("not a deviation id", details={"deviationid": value[:64]})
    return normalized
