"""Feed sources: what a collector needs to know about one DeviantArt feed.

Adding a source means adding one `FeedSource` here (and a `Source` member),
never copying the collector.
"""

from __future__ import annotations

from dataclasses import dataclass

from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import Source, TokenKind

WATCH_FEED_PATH = "browse/deviantsyouwatch"
GLOBAL_FEED_PATH = "browse/newest"
DEFAULT_PAGE_SIZE = 50  # documented maximum of deviantsyouwatch; safe for newest


@dataclass(frozen=True, slots=True)
class FeedSource:
    """One offset-paginated feed, read newest first from offset 0 on every run.

    The cursor rule is shared by every source: start at the top and stop at the
    end of the feed or at the first page holding only deviations already known.
    """

    source: Source
    path: str
    page_size: int = DEFAULT_PAGE_SIZE
    token_kind: TokenKind = TokenKind.USER


def default_sources(*, global_feed_path: str = GLOBAL_FEED_PATH) -> dict[Source, FeedSource]:
    """The two feeds of Auto Comments; the global feed's path is configurable."""
    return {
        Source.WATCH_FEED: FeedSource(Source.WATCH_FEED, WATCH_FEED_PATH, 50, TokenKind.USER),
        Source.GLOBAL_FEED: FeedSource(
            Source.GLOBAL_FEED, global_feed_path, DEFAULT_PAGE_SIZE, TokenKind.CLIENT
        ),
    }


def resolve_source(sources: dict[Source, FeedSource], name: str | Source) -> FeedSource:
    """The source called `name` ("watch_feed", "global_feed"); InvalidInput otherwise."""
    try:
        return sources[Source(name)]
    except (ValueError, KeyError):
        known = ", ".join(sorted(s.value for s in sources))
        raise InvalidInput(
            f"unknown source {name!r}; expected one of: {known}",
            details={"source": f"expected one of: {known}"},
        ) from None
