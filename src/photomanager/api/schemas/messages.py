"""Schemas of comment templates (the artist's randomized messages)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from photomanager.api.schemas.common import NoControl, PublicModel, RequestModel

MAX_TITLE = 200
# Bodies are checked against DeviantArt's limit by the template validator; this
# bound only keeps absurd payloads out before parsing.
MAX_BODY = 20_000
MAX_PREVIEWS = 20

Title = Annotated[str, Field(strict=True, min_length=1, max_length=MAX_TITLE), NoControl]
Body = Annotated[str, Field(strict=True, max_length=MAX_BODY), NoControl]


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


class TemplateUsagePublic(PublicModel):
    """How often a template was used and whether it has too few variants."""

    sent: int = Field(description="Comments posted with this template.")
    last_used_at: datetime | None = Field(description="When it was last posted, if ever.")
    variant_count: int = Field(description="How many different comments it can render.")
    few_variants: bool = Field(description="Fewer than 20 variants: repeats look like spam.")


class MessageWithUsagePublic(MessagePublic):
    """A stored template, with its usage."""

    uses: TemplateUsagePublic


class RenderingUsagePublic(PublicModel):
    """One posted text of a template and how many comments posted exactly it."""

    body: str
    uses: int


class MessageUsagePublic(PublicModel):
    """A template's usage and its most posted renderings, most used first."""

    message_id: int
    uses: TemplateUsagePublic
    top_renderings: list[RenderingUsagePublic]


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
