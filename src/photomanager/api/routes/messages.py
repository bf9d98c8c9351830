"""Comment templates: list, create, edit, delete, preview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from photomanager.api.deps import TemplatesDep
from photomanager.api.routes import PREFIX, errors
from photomanager.api.schemas.messages import (
    MessageCreate,
    MessagePreviewCreate,
    MessagePreviewPublic,
    MessagePublic,
    MessageUpdate,
    MessageUsagePublic,
    MessageWithUsagePublic,
    RenderingUsagePublic,
    TemplateIssuePublic,
    TemplateUsagePublic,
)
from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import CommentTemplate
from photomanager.services.templates import MAX_TOP_RENDERINGS, TemplateUsage

router = APIRouter(prefix=PREFIX, tags=["messages"])

MessageId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The template's id.")]


TopLimit = Annotated[
    int, Query(ge=1, le=MAX_TOP_RENDERINGS, description="How many renderings to return.")
]


def _uses(usage: TemplateUsage) -> TemplateUsagePublic:
    return TemplateUsagePublic(
        sent=usage.uses,
        last_used_at=usage.last_used_at,
        variant_count=usage.variant_count,
        few_variants=usage.few_variants,
    )


def _with_usage(template: CommentTemplate, usage: TemplateUsage) -> MessageWithUsagePublic:
    public = MessagePublic.model_validate(template)
    return MessageWithUsagePublic(**public.model_dump(), uses=_uses(usage))


@router.get("/messages", responses=errors())
def list_messages(templates: TemplatesDep) -> list[MessageWithUsagePublic]:
    """Every template, active or not, with how often it was used and its variant count."""
    return [_with_usage(t, usage) for t, usage in templates.list_with_usage()]


@router.get("/messages/{message_id}/usage", responses=errors(404, 422))
def message_usage(
    message_id: MessageId, templates: TemplatesDep, limit: TopLimit = 10
) -> MessageUsagePublic:
    """A template's usage and the texts it posted most often, with their counts."""
    usage = templates.usage(message_id)
    top = templates.top_renderings(message_id, limit=limit)
    return MessageUsagePublic(
        message_id=message_id,
        uses=_uses(usage),
        top_renderings=[RenderingUsagePublic(body=r.body, uses=r.uses) for r in top],
    )


@router.post("/messages", status_code=201, responses=errors(403, 422))
def create_message(body: MessageCreate, templates: TemplatesDep) -> MessagePublic:
    """Save a new template; an invalid one is refused with every problem and its position."""
    created = templates.create_template(title=body.title, body=body.body, is_active=body.is_active)
    return MessagePublic.model_validate(created)


@router.put("/messages/{message_id}", responses=errors(403, 404, 422))
def update_message(
    message_id: MessageId, body: MessageUpdate, templates: TemplatesDep
) -> MessagePublic:
    """Change a template's title, body or active flag (absent fields stay)."""
    updated = templates.update_template(
        message_id, title=body.title, body=body.body, is_active=body.is_active
    )
    return MessagePublic.model_validate(updated)


@router.delete("/messages/{message_id}", status_code=204, responses=errors(403, 404))
def delete_message(message_id: MessageId, templates: TemplatesDep) -> Response:
    """Delete a template; the log keeps the text that was posted."""
    templates.delete_template(message_id)
    return Response(status_code=204)


@router.post("/messages/preview", responses=errors(403, 422))
def preview_message(body: MessagePreviewCreate, templates: TemplatesDep) -> MessagePreviewPublic:
    """Render a body a few times without saving it; problems come back with positions."""
    try:
        preview = templates.preview(body.body, n=body.n)
    except InvalidInput as exc:
        if not isinstance(exc.details, list):
            raise
        # An invalid body is the answer here, not a failure: show where and what.
        issues = [TemplateIssuePublic.model_validate(issue) for issue in exc.details]
        return MessagePreviewPublic(renderings=[], variant_count=0, issues=issues, valid=False)
    return MessagePreviewPublic(
        renderings=preview.samples,
        variant_count=preview.variant_count,
        issues=[TemplateIssuePublic.model_validate(issue) for issue in preview.issues],
        valid=True,
    )
