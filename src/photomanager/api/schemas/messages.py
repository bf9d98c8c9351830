"""Schemas of comment templates (the artist's randomized messages)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from photomanager.api.schemas.common import PublicModel, RequestModel

MAX_TITLE = 200
# Bodies are checked against DeviantArt's limit by the template validator; this
# bound only keeps absurd payloads out before parsing.
MAX_BODY = 20_000
MAX_PREVIEWS = 20

Title = Annotated[str, Field(strict=True, min_length=1, max_length=MAX_TITLE)]
Body = Annotated[str, Field(strict=True, max_length=MAX_BODY)]


class MessageCreate(RequestModel):
    """A new template."""

    title: Title
    body: Body
    is_active: Annotated[bool, Field(strict=True)] = True


class MessageUpdate(RequestModel):
    """Changes to a template; absent fields keep their value."""

    title: Title | None = None
    body: Body | None = None
    is_active: Annotated[bool, Field(strict=True)] | None = None


class MessagePublic(PublicModel):
    """A stored template."""

    message_id: int
    title: str
    body: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class MessagePreviewCreate(RequestModel):
    """Render a template body a few times without saving it."""

    body: Body
    n: Annotated[int, Field(strict=True, ge=1, le=MAX_PREVIEWS)] = 5


class TemplateIssuePublic(PublicModel):
    """One problem in a template, with where it is."""

    severity: str
    code: str
    message: str
    offset: int
    line: int
    column: int


class MessagePreviewPublic(PublicModel):
    """Sample renderings, how many variants exist, and every problem found."""

    renderings: list[str]
    variant_count: int
    issues: list[TemplateIssuePublic]
    valid: bool
