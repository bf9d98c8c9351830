"""Which deviations must not be commented on, each with a reason that is counted.

Two passes, because DeviantArt's browse results carry no tags and no
description (docs/deviantart.md, "Deviation metadata"):

1. `rejection_reason`: what the feed itself tells (deleted, comments off,
   ours, commented, too old, mature, excluded author, an excluded keyword in
   the title).
   Cheap: it runs on every deviation of a page, before any other request.
2. `metadata_rejection_reason`: what only `deviation/metadata` tells (comment
   rights, tags, description, language). The collector runs it on the
   survivors of pass 1; the worker runs it on a claimed row whose metadata
   could not be read during the collect. No deviation is commented on unless
   pass 2 accepted it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from photomanager.domain.models import CommentSettings, Deviation
from photomanager.services.account.identity import Me
from photomanager.services.ports import LanguageDetector

DELETED = "deleted"
COMMENTS_DISABLED = "comments disabled"
OWN_DEVIATION = "own deviation"
ALREADY_COMMENTED = "already commented"
TOO_OLD = "too old"  # published before the pending TTL: housekeeping would remove it at once
QUEUE_FULL = "queue full"  # `max_pending` rows already wait (counted by the collector)
MATURE = "mature"
EXCLUDED_AUTHOR = "excluded author"
EXCLUDED_KEYWORD = "excluded keyword"
EXCLUDED_TAG = "excluded tag"
NO_INCLUDED_TAG = "none of the included tags"
OTHER_LANGUAGE = "language not chosen"
UNKNOWN_LANGUAGE = "language unclear"

SKIP_UNKNOWN_LANGUAGE = "skip"


def rejection_reason(
    deviation: Deviation,
    *,
    settings: CommentSettings,
    me: Me,
    commented: set[str],
    published_after: datetime | None = None,
) -> str | None:
    """The first cheap filter that rejects `deviation`, or None to go on.

    `published_after`: the pending TTL's cutoff; a deviation published before it is
    too old (one without a publication time is not).
    """
    if deviation.is_deleted:
        return DELETED
    if not deviation.allows_comments:
        return COMMENTS_DISABLED
    if me.is_author(deviation.author.userid, deviation.author.username):
        return OWN_DEVIATION
    if deviation.deviationid in commented:
        return ALREADY_COMMENTED
    published = deviation.published_time
    if published_after is not None and published is not None and published < published_after:
        return TOO_OLD
    if settings.skip_mature and deviation.is_mature:
        return MATURE
    excluded = {a.strip().lower() for a in settings.exclude_authors if a.strip()}
    if deviation.author.username.lower() in excluded:
        return EXCLUDED_AUTHOR
    if _mentions(settings.exclude_keywords, [deviation.title, *deviation.tags]):
        return EXCLUDED_KEYWORD
    return None


def metadata_rejection_reason(
    deviation: Deviation,
    language: str | None,
    *,
    settings: CommentSettings,
) -> str | None:
    """The first metadata filter that rejects an enriched `deviation`, or None to queue it.

    `language`: what the detector made of its title, description and tags
    (None: unclear).
    """
    if deviation.can_post_comment is False or not deviation.allows_comments:
        return COMMENTS_DISABLED
    if settings.skip_mature and deviation.is_mature:
        return MATURE
    tags = set(deviation.tags)
    if tags & set(settings.exclude_tags):
        return EXCLUDED_TAG
    if settings.include_tags and not tags & set(settings.include_tags):
        return NO_INCLUDED_TAG
    if _mentions(settings.exclude_keywords, [deviation.title, deviation.description, *tags]):
        return EXCLUDED_KEYWORD
    if settings.languages:
        if language is None:
            if settings.unknown_language == SKIP_UNKNOWN_LANGUAGE:
                return UNKNOWN_LANGUAGE
        elif language not in settings.languages:
            return OTHER_LANGUAGE
    return None


def detect_language(deviation: Deviation, detector: LanguageDetector | None) -> str | None:
    """The language of the deviation's text (title, description, tags), or None if unclear."""
    if detector is None:
        return None
    return detector(deviation.title, deviation.description, deviation.tags)


def _mentions(keywords: Iterable[str], texts: Iterable[str]) -> bool:
    """True when one of `keywords` occurs (case-insensitive) in one of `texts`."""
    words = [k.strip().lower() for k in keywords if k.strip()]
    if not words:
        return False
    haystacks = [text.lower() for text in texts if text]
    return any(word in text for word in words for text in haystacks)
