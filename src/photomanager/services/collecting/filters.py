"""Which deviations a collector must not enqueue, each with a reason that is counted."""

from __future__ import annotations

from photomanager.domain.models import CommentSettings, Deviation
from photomanager.services.account.identity import Me

DELETED = "deleted"
COMMENTS_DISABLED = "comments disabled"
OWN_DEVIATION = "own deviation"
ALREADY_COMMENTED = "already commented"
MATURE = "mature"
EXCLUDED_AUTHOR = "excluded author"
EXCLUDED_KEYWORD = "excluded keyword"


def rejection_reason(
    deviation: Deviation,
    *,
    settings: CommentSettings,
    me: Me,
    commented: set[str],
) -> str | None:
    """The first filter that rejects `deviation`, or None when it may be enqueued."""
    if deviation.is_deleted:
        return DELETED
    if not deviation.allows_comments:
        return COMMENTS_DISABLED
    if me.is_author(deviation.author.userid, deviation.author.username):
        return OWN_DEVIATION
    if deviation.deviationid in commented:
        return ALREADY_COMMENTED
    if settings.skip_mature and deviation.is_mature:
        return MATURE
    excluded = {a.strip().lower() for a in settings.exclude_authors if a.strip()}
    if deviation.author.username.lower() in excluded:
        return EXCLUDED_AUTHOR
    if _has_excluded_keyword(deviation, settings.exclude_keywords):
        return EXCLUDED_KEYWORD
    return None


def _has_excluded_keyword(deviation: Deviation, keywords: tuple[str, ...]) -> bool:
    words = [k.strip().lower() for k in keywords if k.strip()]
    if not words:
        return False
    title = deviation.title.lower()
    tags = [t.lower() for t in deviation.tags]
    return any(w in title or any(w in tag for tag in tags) for w in words)
