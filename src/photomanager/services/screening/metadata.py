"""Deviations enriched with what only `deviation/metadata` tells: tags, description, rights.

Browse results carry no tags and no description, so the tag, keyword and
language filters need one more request: at most 50 ids per call
(docs/deviantart.md, "Deviation metadata"), each call paced like every other
(the client's recommended delay between calls, interruptible by a stop).

A throttled or failing DeviantArt (429 after the client's retries, 5xx, no
connection) ends the enrichment early instead of failing the caller: what
was read is kept, the rest stays un-enriched, and the worker reads it again
before rendering (no deviation is commented on unread).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

from photomanager.domain.errors import (
    Cancelled,
    DeviantArtError,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    TransportFailed,
)
from photomanager.domain.models import Deviation, DeviationMetadata, TokenKind
from photomanager.services.ports import DeviantArtApi

METADATA_BATCH = 50  # DeviantArt's limit per call (10 with ext_* flags, which we never send)
# Worth retrying later: DeviantArt (or the way to it) is busy, not the deviation at fault.
PASSING_ERRORS = (RateLimited, ServerError, ServiceUnavailable, TransportFailed)


@dataclass(frozen=True, slots=True)
class Enrichment:
    """The deviations read (`enriched`), the ones DeviantArt had no metadata for
    (`missing`), the ones left unread (`unread`) and why reading stopped."""

    enriched: tuple[Deviation, ...] = ()
    missing: tuple[Deviation, ...] = ()
    unread: tuple[Deviation, ...] = ()
    error: DeviantArtError | None = None
    calls: int = 0


def enrich(
    api: DeviantArtApi,
    deviations: Sequence[Deviation],
    *,
    token_kind: TokenKind,
    stop: threading.Event,
) -> Enrichment:
    """Read the metadata of `deviations` in calls of at most `METADATA_BATCH` ids.

    Cancelled when `stop` is set while waiting between calls; account errors
    (token, scope, restriction) propagate; passing errors end it early.
    """
    enriched: list[Deviation] = []
    missing: list[Deviation] = []
    calls = 0
    batches = [
        deviations[i : i + METADATA_BATCH] for i in range(0, len(deviations), METADATA_BATCH)
    ]
    for index, batch in enumerate(batches):
        if stop.is_set() or (index and stop.wait(api.get_recommended_delay())):
            raise Cancelled("stopped while reading deviation metadata")
        try:
            found = api.deviation_metadata([d.deviationid for d in batch], token_kind=token_kind)
        except PASSING_ERRORS as exc:
            unread = tuple(d for rest in batches[index:] for d in rest)
            return Enrichment(tuple(enriched), tuple(missing), unread, exc, calls + 1)
        calls += 1
        by_id = {m.deviationid: m for m in found}
        for deviation in batch:
            metadata = by_id.get(deviation.deviationid)
            if metadata is None:
                missing.append(deviation)
            else:
                enriched.append(with_metadata(deviation, metadata))
    return Enrichment(tuple(enriched), tuple(missing), (), None, calls)


def with_metadata(deviation: Deviation, metadata: DeviationMetadata) -> Deviation:
    """`deviation` with tags, description and comment rights from its metadata."""
    return replace(
        deviation,
        tags=metadata.tags,
        description=metadata.description,
        can_post_comment=metadata.can_post_comment,
        allows_comments=deviation.allows_comments and metadata.allows_comments,
        is_mature=deviation.is_mature or metadata.is_mature,
        enriched=True,
    )
