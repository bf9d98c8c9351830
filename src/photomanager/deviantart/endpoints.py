"""Which browse endpoints DeviantArt still serves, and what replaced the ones it removed.

DeviantArt removed `browse/newest`, `browse/popular` and `browse/recommended` on
1 July 2024 (`hot`, `undiscovered` and the paged `morelikethis` went in 2020);
they answer 404 "Api endpoint not found." Staff point to `browse/home` instead
(wix-incubator/DeviantArt-API#248; docs/deviantart.md, "Feeds").
"""

from __future__ import annotations

from photomanager.domain.errors import InvalidInput

HOME_FEED = "browse/home"
WATCH_FEED = "browse/deviantsyouwatch"
TAG_FEED = "browse/tags"

# Removed endpoint -> what to use instead.
REMOVED_ENDPOINTS: dict[str, str] = {
    "browse/newest": HOME_FEED,
    "browse/popular": HOME_FEED,
    "browse/recommended": HOME_FEED,
    "browse/hot": HOME_FEED,
    "browse/undiscovered": HOME_FEED,
    "browse/morelikethis": "browse/morelikethis/preview",
}


def check_feed_path(path: str) -> str:
    """`path` without slashes around it; InvalidInput naming the replacement if it was removed."""
    clean = path.strip().strip("/")
    endpoint = clean.partition("?")[0].rstrip("/")
    replacement = REMOVED_ENDPOINTS.get(endpoint)
    if replacement is not None:
        message = (
            f"DeviantArt removed {endpoint} (July 2024: it answers 'Api endpoint not found'); "
            f"use {replacement} instead"
        )
        raise InvalidInput(message, details={"path": message})
    if not endpoint.startswith("browse/"):
        message = f"{endpoint or '(empty)'} is not a browse feed; use {HOME_FEED}"
        raise InvalidInput(message, details={"path": message})
    return clean
