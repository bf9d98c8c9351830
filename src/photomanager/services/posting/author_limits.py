"""Per-author limits: at most one comment per author within a cooldown, M ever.

Checked when the worker claims a row (so rows queued before a comment to the
same author are caught too). A row that breaks a limit becomes `skipped` with
a reason in words; the reasons start with stable prefixes so counts by reason
stay small.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from photomanager.domain.models import CommentSettings
from photomanager.services.ports import LedgerRepository

COOLDOWN_PREFIX = "author cooldown"
LIMIT_PREFIX = "author limit reached"


def author_limits_apply(settings: CommentSettings) -> bool:
    """Whether any per-author limit is on (then one author has one row in flight at most)."""
    return settings.author_cooldown_days > 0 or settings.max_per_author is not None


def author_limit_reason(
    ledger: LedgerRepository, author: str | None, settings: CommentSettings, now: datetime
) -> str | None:
    """Why a comment to `author` must not be posted now, or None when it may."""
    if not author:
        return None
    if settings.max_per_author is not None:
        ever = ledger.count_author_since(author, None)
        if ever >= settings.max_per_author:
            return f"{LIMIT_PREFIX}: {ever} comment(s) to {author} (max {settings.max_per_author})"
    if settings.author_cooldown_days > 0:
        cooldown = timedelta(days=settings.author_cooldown_days)
        last = ledger.last_commented_by(author)
        if last is not None and now - last < cooldown:
            return (
                f"{COOLDOWN_PREFIX}: commented {_ago(now - last)} ago "
                f"(one per {settings.author_cooldown_days} days)"
            )
    return None


def reason_kind(reason: str | None) -> str:
    """The counted kind of a skip reason: the text before the first colon."""
    if not reason:
        return "other"
    return reason.split(":", 1)[0].strip() or "other"


def _ago(elapsed: timedelta) -> str:
    days = elapsed.total_seconds() / 86400
    if days >= 1:
        whole = math.floor(days)
        return f"{whole} day" if whole == 1 else f"{whole} days"
    hours = math.floor(elapsed.total_seconds() / 3600)
    if hours < 1:
        return "less than an hour"
    return f"{hours} hour" if hours == 1 else f"{hours} hours"
