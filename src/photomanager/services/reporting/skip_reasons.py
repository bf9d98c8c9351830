"""Stable names for the kinds of skip reasons, as the status report counts them.

A skip reason is written for the artist ("author cooldown: commented 2 days
ago ..."); its kind is the text before the first colon. The status report
names the known kinds with short keys the page and scripts can rely on.
"""

from __future__ import annotations

from photomanager.services.posting.author_limits import COOLDOWN_PREFIX, LIMIT_PREFIX, reason_kind
from photomanager.services.posting.rendering import DRY_RUN_REASON
from photomanager.services.upkeep.review import SKIPPED_IN_REVIEW

KNOWN_KINDS = {
    reason_kind(COOLDOWN_PREFIX): "author_cooldown",
    reason_kind(LIMIT_PREFIX): "author_limit",
    reason_kind(DRY_RUN_REASON): "dry_run",
    reason_kind(SKIPPED_IN_REVIEW): "skipped_in_review",
}


def skip_kind_key(kind: str | None) -> str:
    """The key of a reason kind: a known name, else the kind in snake case, else `other`."""
    text = reason_kind(kind)
    known = KNOWN_KINDS.get(text)
    if known is not None:
        return known
    return "_".join(text.lower().split()) or "other"


def count_by_key(kinds: dict[str, int]) -> dict[str, int]:
    """Fold counts per reason kind into counts per key (kinds may share a key)."""
    counts: dict[str, int] = {}
    for kind, count in kinds.items():
        key = skip_kind_key(kind)
        counts[key] = counts.get(key, 0) + count
    return counts
