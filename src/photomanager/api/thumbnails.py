"""A stored thumbnail URL is checked again before it is served: only the allowed image hosts.

Rows are checked when they are queued; this second look keeps the API honest for rows written
by an older version or by hand, and after the allowed hosts changed (the demo's sandbox
listens on a new port at every start).
"""

from __future__ import annotations

from typing import TypeVar

from photomanager.api.schemas.queue import QueueItemPublic
from photomanager.api.schemas.review import ReviewItemPublic
from photomanager.domain.images import allowed_image_url

Item = TypeVar("Item", QueueItemPublic, ReviewItemPublic)


def shown(item: Item, origins: frozenset[str]) -> Item:
    """`item` with its thumbnail only when it is on one of `origins`."""
    url = allowed_image_url(item.thumbnail_url, origins)
    return item if url == item.thumbnail_url else item.model_copy(update={"thumbnail_url": url})
