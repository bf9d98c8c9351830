"""Schemas of the artist's pacing, caps and filters (`CommentSettings`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from photomanager.api.schemas.common import NoControl, PublicModel, RequestModel
from photomanager.domain import pacing
from photomanager.domain.models import SourceKind
from photomanager.services.settings import (
    MAX_ATTEMPTS,
    MAX_ATTRIBUTION_DAYS,
    MAX_CONSECUTIVE_FAILURES,
    MAX_COOLDOWN_DAYS,
    MAX_FEED_TAGS,
    MAX_INBOX_POLL_MINUTES,
    MAX_LIST,
    MAX_LOG_RETENTION_DAYS,
    MAX_PENDING,
    MAX_PER_AUTHOR,
    MAX_PER_DAY,
    MAX_PER_HOUR,
    MAX_TAGS,
    MAX_TTL_DAYS,
)

DAY_S = 86_400


def _readable_window(value: str) -> str:
    """The window as given, if `parse_active_hours` takes it (its message says how to fix it)."""
    pacing.parse_active_hours(value)
    return value


Seconds = Annotated[int, Field(strict=True, ge=1, le=DAY_S)]
Author = Annotated[str, Field(strict=True, min_length=1, max_length=64), NoControl]
TimeZoneName = Annotated[str, Field(strict=True, min_length=1, max_length=64), NoControl]
Keyword = Annotated[str, Field(strict=True, min_length=1, max_length=100), NoControl]
# Tag names and language codes are checked by the service (its message says what to fix).
TagName = Annotated[str, Field(strict=True, max_length=100), NoControl]
LanguageCode = Annotated[str, Field(strict=True, max_length=16), NoControl]
UnknownLanguage = Literal["allow", "skip"]
ActiveHours = Annotated[
    str,
    Field(
        strict=True,
        max_length=32,
        description='"HH:MM-HH:MM" in `timezone`; a window may wrap midnight.',
        examples=["09:00-23:00"],
    ),
    AfterValidator(_readable_window),
]


class SettingsPublic(PublicModel):
    """The settings in force."""

    min_interval_s: int
    max_interval_s: int
    max_per_hour: int
    max_per_day: int
    active_hours: str | None
    timezone: str
    skip_mature: bool
    exclude_authors: list[str]
    exclude_keywords: list[str]
    tags: list[str]
    include_tags: list[str]
    exclude_tags: list[str]
    languages: list[str]
    unknown_language: UnknownLanguage
    max_attempts: int
    max_consecutive_failures: int
    review_sources: list[SourceKind]
    dry_run: bool
    author_cooldown_days: int
    max_per_author: int | None
    pending_ttl_days: int = Field(
        description="Pending rows published longer ago leave the queue; older finds are not queued."
    )
    finished_ttl_days: int = Field(
        description="Commented, failed and skipped rows leave the queue this long after settling."
    )
    max_pending: int = Field(description="A collect queues nothing more past this many pending.")
    log_retention_days: int = Field(description="Log entries older leave; 0 keeps them forever.")
    inbox_poll_minutes: int = Field(
        description="Minutes between two reads of the message center; 0 never reads it."
    )
    attribution_days: int = Field(
        description="Days after our comment in which a watch, fave or comment back counts."
    )


class SettingsUpdate(RequestModel):
    """Changes to the settings. Absent fields keep their value.

    `active_hours: null` means "any time" and `max_per_author: null` means "no
    limit"; for the other fields null is the same as leaving them out.
    """

    min_interval_s: Seconds | None = None
    max_interval_s: Seconds | None = None
    max_per_hour: Annotated[int, Field(strict=True, ge=1, le=MAX_PER_HOUR)] | None = None
    max_per_day: Annotated[int, Field(strict=True, ge=1, le=MAX_PER_DAY)] | None = None
    active_hours: ActiveHours | None = None
    timezone: Annotated[str, Field(strict=True, min_length=1, max_length=64), NoControl] | None = (
        None
    )
    skip_mature: Annotated[bool, Field(strict=True)] | None = None
    exclude_authors: Annotated[list[Author], Field(max_length=MAX_LIST)] | None = None
    exclude_keywords: Annotated[list[Keyword], Field(max_length=MAX_LIST)] | None = None
    tags: (
        Annotated[
            list[TagName],
            Field(max_length=100, description=f"Tag feeds to collect (at most {MAX_FEED_TAGS})."),
        ]
        | None
    ) = None
    include_tags: Annotated[list[TagName], Field(max_length=MAX_TAGS)] | None = None
    exclude_tags: Annotated[list[TagName], Field(max_length=MAX_TAGS)] | None = None
    languages: Annotated[list[LanguageCode], Field(max_length=200)] | None = None
    unknown_language: UnknownLanguage | None = None
    max_attempts: Annotated[int, Field(strict=True, ge=1, le=MAX_ATTEMPTS)] | None = None
    max_consecutive_failures: (
        Annotated[int, Field(strict=True, ge=1, le=MAX_CONSECUTIVE_FAILURES)] | None
    ) = None
    review_sources: Annotated[list[SourceKind], Field(max_length=len(SourceKind))] | None = None
    dry_run: Annotated[bool, Field(strict=True)] | None = None
    author_cooldown_days: Annotated[int, Field(strict=True, ge=0, le=MAX_COOLDOWN_DAYS)] | None = (
        None
    )
    max_per_author: Annotated[int, Field(strict=True, ge=1, le=MAX_PER_AUTHOR)] | None = None
    pending_ttl_days: Annotated[int, Field(strict=True, ge=1, le=MAX_TTL_DAYS)] | None = None
    finished_ttl_days: Annotated[int, Field(strict=True, ge=1, le=MAX_TTL_DAYS)] | None = None
    max_pending: Annotated[int, Field(strict=True, ge=1, le=MAX_PENDING)] | None = None
    log_retention_days: (
        Annotated[int, Field(strict=True, ge=0, le=MAX_LOG_RETENTION_DAYS)] | None
    ) = None
    inbox_poll_minutes: (
        Annotated[int, Field(strict=True, ge=0, le=MAX_INBOX_POLL_MINUTES)] | None
    ) = None
    attribution_days: Annotated[int, Field(strict=True, ge=1, le=MAX_ATTRIBUTION_DAYS)] | None = (
        None
    )

    def changes(self) -> dict[str, object]:
        """The fields the client sent, ready for `dataclasses.replace` on CommentSettings."""
        nullable = {"active_hours", "max_per_author"}
        changes: dict[str, object] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if value is None and name not in nullable:
                continue
            if isinstance(value, list):
                value = tuple(value)
            changes[name] = value
        return changes
