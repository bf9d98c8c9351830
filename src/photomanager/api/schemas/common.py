"""Shared pieces of the API schemas: strict request models, bounded strings and numbers."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _iso_only(value: object) -> object:
    # Pydantic would read "1700000000" as a Unix time; the documented format is ISO 8601.
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("use an ISO 8601 date-time such as 2025-01-31T12:00:00Z")
    return value


# C0 controls and DEL, except tab and line breaks: never meaningful in our text, and a NUL
# is refused by PostgreSQL (it would surface as a database error instead of a 422).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    match = _CONTROL.search(value)
    if match:
        raise ValueError(
            f"remove the control character U+{ord(match.group()):04X} at position {match.start()}"
        )
    return value


NoControl = AfterValidator(_no_control_characters)

# Deviation ids are UUIDs; 64 leaves room without accepting essays.
DeviationId = Annotated[str, Field(strict=True, min_length=1, max_length=64), NoControl]
Cursor = Annotated[str, Field(strict=True, min_length=1, max_length=200), NoControl]
PageLimit = Annotated[int, Field(ge=1, le=500)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class PublicModel(BaseModel):
    """Base of every response body (built from domain dataclasses)."""

    model_config = ConfigDict(from_attributes=True)


class CountPublic(PublicModel):
    """How many rows an operation changed."""

    count: int = Field(ge=0)


class ErrorPublic(PublicModel):
    """The one error shape of every 4xx/5xx answer."""

    error: str = Field(description="A stable machine-readable code.")
    message: str = Field(description="What went wrong and how to fix it, in words.")
    details: Any = Field(default=None, description="Per-field problems, when there are any.")
