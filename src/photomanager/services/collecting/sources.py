"""Feed sources: what a collector needs to know about one DeviantArt feed.

Adding a source means adding one `FeedSource` here, never copying the
collector. The fixed feeds are the watch feed and the global feed (DeviantArt's
home feed, `browse/home`); every tag the artist follows is a feed of its own
(`browse/tags?tag=NAME`, source `tag:NAME`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from photomanager.deviantart.endpoints import HOME_FEED, TAG_FEED, WATCH_FEED, check_feed_path
from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import Source, TokenKind, is_tag, not_a_tag

WATCH_FEED_PATH = WATCH_FEED
GLOBAL_FEED_PATH = HOME_FEED
DEFAULT_PAGE_SIZE = 50  # the documented maximum of every browse feed we read


@dataclass(frozen=True, slots=True)
class FeedSource:
    """One offset-paginated feed, read from offset 0 on every run.

    The cursor rule is shared by every source: start at the top and stop at the
    end of the feed or at the first page holding only deviations already known.
    `newest_first`: the feed is ordered by publication time, so a deviation not
    newer than the last run's newest is known too. DeviantArt's home feed is a
    recommendation order, where only the ids tell what was seen.
    """

    source: Source
    path: str
    page_size: int = DEFAULT_PAGE_SIZE
    token_kind: TokenKind = TokenKind.USER
    newest_first: bool = True


def default_sources(*, global_feed_path: str = GLOBAL_FEED_PATH) -> dict[Source, FeedSource]:
    """The two fixed feeds of Auto Comments; the global feed's path is configurable.

    InvalidInput names the replacement when the path is an endpoint DeviantArt removed.
    """
    path = check_feed_path(global_feed_path)
    return {
        Source.WATCH_FEED: FeedSource(Source.WATCH_FEED, WATCH_FEED_PATH, 50, TokenKind.USER),
        Source.GLOBAL_FEED: FeedSource(
            Source.GLOBAL_FEED,
            path,
            DEFAULT_PAGE_SIZE,
            TokenKind.USER,  # browse/home is the account's own feed (#248)
            newest_first=path.partition("?")[0] != HOME_FEED,
        ),
    }


def tag_source(tag: str) -> FeedSource:
    """The feed of one tag, newest first.

    Read with the app's own token (client credentials do): the account's
    smaller request budget is kept for what only it can do (posting, home feed).
    """
    if not is_tag(tag):
        raise InvalidInput(not_a_tag(tag), details={"tags": not_a_tag(tag)})
    return FeedSource(
        Source.tag(tag),
        f"{TAG_FEED}?{urlencode({'tag': tag})}",
        DEFAULT_PAGE_SIZE,
        TokenKind.CLIENT,
    )


def resolve_source(sources: dict[Source, FeedSource], name: str | Source) -> FeedSource:
    """The source called `name` (watch_feed, global_feed, tag:NAME); InvalidInput otherwise."""
    try:
        source = Source(name)
    except ValueError:
        source = None
    if source is not None and source.tag_name is not None:
        return tag_source(source.tag_name)
    if source is not None and source in sources:
        return sources[source]
    known = ", ".join([*sorted(s.value for s in sources), "tag:NAME"])
    raise InvalidInput(
        f"unknown source {str(name)[:80]!r}; expected one of: {known}",
        details={"source": f"expected one of: {known}"},
    )
