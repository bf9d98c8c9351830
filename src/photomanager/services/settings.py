"""The artist's settings: read, and update with every field validated."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from photomanager.domain import pacing
from photomanager.domain.clock import Clock
from photomanager.domain.errors import InvalidInput
from photomanager.domain.languages import LANGUAGE_NAMES
from photomanager.domain.models import CommentSettings, SourceKind, is_tag, not_a_tag
from photomanager.services.ports import UnitOfWorkFactory

DAY_S = 86_400
# The limits of every entry point (API schema, CLI, page): one place.
MAX_LIST = 1000
MAX_PER_HOUR = 1000
MAX_PER_DAY = 10_000
MAX_ATTEMPTS = 20
MAX_CONSECUTIVE_FAILURES = 100
MAX_COOLDOWN_DAYS = 3650
MAX_PER_AUTHOR = 100_000
MAX_FEED_TAGS = 20  # tag feeds collected (each is read page by page, paced)
MAX_TAGS = 100  # include/exclude tag filters
UNKNOWN_LANGUAGE_CHOICES = ("allow", "skip")
MAX_TTL_DAYS = 3650
MAX_PENDING = 1_000_000
MAX_LOG_RETENTION_DAYS = 36_500
# The log is the memory of the caps (24 h) and of the repeated-text guard (30 days,
# `posting/repeat_guard.py`): a shorter retention would let a text come back early.
MIN_LOG_RETENTION_DAYS = 31
# Every read of the message center spends the requests posting needs: not more often.
MIN_INBOX_POLL_MINUTES = 5
MAX_INBOX_POLL_MINUTES = 1440
MAX_ATTRIBUTION_DAYS = 90


class SettingsService:
    """Get and update `CommentSettings`."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def get_settings(self) -> CommentSettings:
        """The current settings (the defaults until the artist saves some)."""
        with self._uow_factory(read_only=True) as uow:
            return uow.settings.get()

    def update_settings(self, **changes: Any) -> CommentSettings:
        """Apply `changes` (field=value); InvalidInput with a message per bad field."""
        with self._uow_factory() as uow:
            current = uow.settings.get_for_update(self._clock.now())
            updated = validate_settings(current, changes)
            uow.settings.save(updated, self._clock.now())
            uow.commit()
        return updated


def validate_settings(current: CommentSettings, changes: dict[str, Any]) -> CommentSettings:
    """`current` with `changes` applied, or InvalidInput listing every problem by field."""
    fields = {f.name for f in dataclasses.fields(CommentSettings)}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, value in changes.items():
        check = _CHECKS.get(name)
        if name not in fields or check is None:
            errors[name] = "unknown setting"
            continue
        try:
            values[name] = check(value)
        except (ValueError, TypeError) as exc:
            errors[name] = str(exc)
    if errors:
        raise _invalid(errors)
    merged = dataclasses.replace(current, **values)
    if merged.min_interval_s > merged.max_interval_s:
        errors["min_interval_s"] = "must not be greater than max_interval_s"
    if merged.max_per_hour > merged.max_per_day:
        errors["max_per_hour"] = "must not be greater than max_per_day"
    if merged.finished_ttl_days < merged.pending_ttl_days:
        # A failed or skipped row that left earlier than a pending one would could be met
        # again by a collect while not yet "too old", and be queued a second time.
        errors["finished_ttl_days"] = "must not be less than pending_ttl_days"
    if errors:
        raise _invalid(errors)
    return merged


def _invalid(errors: dict[str, str]) -> InvalidInput:
    summary = "; ".join(f"{name}: {message}" for name, message in errors.items())
    return InvalidInput(f"invalid settings: {summary}", details=errors)


def _int(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"must be a whole number from {low} to {high}")
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        return value

    return check


def _optional_int(low: int, high: int) -> Callable[[Any], int | None]:
    inner = _int(low, high)
    return lambda value: None if value is None else inner(value)


def _retention_days(value: Any) -> int:
    words = f"0 (keep forever) or from {MIN_LOG_RETENTION_DAYS} to {MAX_LOG_RETENTION_DAYS}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"must be a whole number: {words}")
    if value != 0 and not MIN_LOG_RETENTION_DAYS <= value <= MAX_LOG_RETENTION_DAYS:
        raise ValueError(
            f"must be {words}: the repeated-text guard remembers the last 30 days of comments"
        )
    return value


def _poll_minutes(value: Any) -> int:
    words = f"0 (never) or from {MIN_INBOX_POLL_MINUTES} to {MAX_INBOX_POLL_MINUTES}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"must be a whole number: {words}")
    if value != 0 and not MIN_INBOX_POLL_MINUTES <= value <= MAX_INBOX_POLL_MINUTES:
        raise ValueError(f"must be {words}: reading the inbox spends the requests posting needs")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("must be true or false")
    return value


def _words(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError("must be a list of words")
    words: list[str] = []
    for word in value:
        if not isinstance(word, str):
            raise TypeError("must be a list of words")
        cleaned = word.strip()
        if cleaned and cleaned.lower() not in {w.lower() for w in words}:
            words.append(cleaned)
    if len(words) > MAX_LIST:
        raise ValueError(f"at most {MAX_LIST} entries")
    return tuple(words)


def _active_hours(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise TypeError("must look like 09:00-23:00, or be empty for always")
    window = pacing.parse_active_hours(value)
    return f"{window.start:%H:%M}-{window.end:%H:%M}"


def _timezone(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError("must be a time zone name such as Europe/Berlin")
    pacing.load_timezone(value.strip())
    return value.strip()


def _sources(value: Any) -> tuple[SourceKind, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError("must be a list of sources")
    known = ", ".join(s.value for s in SourceKind)
    result: list[SourceKind] = []
    for item in value:
        try:
            source = SourceKind(item)
        except ValueError:
            raise ValueError(f"unknown source {item!r}; expected: {known}") from None
        if source not in result:
            result.append(source)
    return tuple(result)


def _tags(limit: int) -> Callable[[Any], tuple[str, ...]]:
    def check(value: Any) -> tuple[str, ...]:
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise TypeError("must be a list of tags")
        tags: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise TypeError("must be a list of tags")
            tag = item.strip()
            if not is_tag(tag):
                raise ValueError(not_a_tag(tag))
            if tag not in tags:
                tags.append(tag)
        if len(tags) > limit:
            raise ValueError(f"at most {limit} tags (got {len(tags)})")
        return tuple(tags)

    return check


def _languages(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError("must be a list of ISO 639-1 language codes such as en, de, ja")
    codes: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise TypeError("must be a list of ISO 639-1 language codes such as en, de, ja")
        code = item.strip().lower()
        if code not in LANGUAGE_NAMES:
            known = ", ".join(sorted(LANGUAGE_NAMES))
            raise ValueError(
                f"{item[:20]!r} is not a language photomanager recognises; use: {known}"
            )
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _unknown_language(value: Any) -> str:
    if value not in UNKNOWN_LANGUAGE_CHOICES:
        raise ValueError('must be "allow" or "skip"')
    return str(value)


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "min_interval_s": _int(1, DAY_S),
    "max_interval_s": _int(1, DAY_S),
    "max_per_hour": _int(1, MAX_PER_HOUR),
    "max_per_day": _int(1, MAX_PER_DAY),
    "active_hours": _active_hours,
    "timezone": _timezone,
    "skip_mature": _bool,
    "exclude_authors": _words,
    "exclude_keywords": _words,
    "tags": _tags(MAX_FEED_TAGS),
    "include_tags": _tags(MAX_TAGS),
    "exclude_tags": _tags(MAX_TAGS),
    "languages": _languages,
    "unknown_language": _unknown_language,
    "max_attempts": _int(1, MAX_ATTEMPTS),
    "max_consecutive_failures": _int(1, MAX_CONSECUTIVE_FAILURES),
    "review_sources": _sources,
    "dry_run": _bool,
    "author_cooldown_days": _int(0, MAX_COOLDOWN_DAYS),
    "max_per_author": _optional_int(1, MAX_PER_AUTHOR),
    "pending_ttl_days": _int(1, MAX_TTL_DAYS),
    "finished_ttl_days": _int(1, MAX_TTL_DAYS),
    "max_pending": _int(1, MAX_PENDING),
    "log_retention_days": _retention_days,
    "inbox_poll_minutes": _poll_minutes,
    "attribution_days": _int(1, MAX_ATTRIBUTION_DAYS),
}
