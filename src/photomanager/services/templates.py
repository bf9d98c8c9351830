"""Comment templates: create, edit, delete, list and preview, always validated."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from photomanager.domain.clock import Clock
from photomanager.domain.errors import InvalidInput, NotFound
from photomanager.domain.models import CommentTemplate
from photomanager.domain.templates import (
    MIN_VARIANTS,
    Severity,
    TemplateIssue,
    count_variants,
    randomize_template,
    validate_template,
)
from photomanager.services.ports import UnitOfWorkFactory

MAX_TITLE_LENGTH = 200
MAX_PREVIEWS = 50
PREVIEW_VARIABLES = {"author": "SomeArtist", "title": "Untitled", "username": "you"}
DEFAULT_TOP_RENDERINGS = 10
MAX_TOP_RENDERINGS = 100


@dataclass(frozen=True, slots=True)
class TemplatePreview:
    """Sample renderings of a template, how many variants it has, and its warnings."""

    samples: list[str]
    variant_count: int
    issues: list[TemplateIssue]


@dataclass(frozen=True, slots=True)
class TemplateUsage:
    """How often a template was used, and whether it has too few variants."""

    message_id: int
    uses: int
    last_used_at: datetime | None
    variant_count: int

    @property
    def few_variants(self) -> bool:
        """Fewer distinct renderings than the validator asks for: repeats look like spam."""
        return self.variant_count < MIN_VARIANTS


@dataclass(frozen=True, slots=True)
class RenderingUsage:
    """One text a template rendered, and how many comments posted exactly it."""

    body: str
    uses: int


class TemplateService:
    """CRUD over the artist's comment templates."""

    def __init__(
        self, *, uow_factory: UnitOfWorkFactory, clock: Clock, max_length: int | None = None
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._max_length = max_length

    def list_templates(self) -> list[CommentTemplate]:
        """Every template, active or not."""
        with self._uow_factory(read_only=True) as uow:
            return uow.messages.list_all()

    def list_with_usage(self) -> list[tuple[CommentTemplate, TemplateUsage]]:
        """Every template with its use count, last use and variant count (one grouped query)."""
        with self._uow_factory(read_only=True) as uow:
            templates = uow.messages.list_all()
            used = uow.logs.template_usage()
        return [(t, self._usage(t, used.get(t.message_id))) for t in templates]

    def usage(self, message_id: int) -> TemplateUsage:
        """One template's usage; NotFound when it does not exist."""
        with self._uow_factory(read_only=True) as uow:
            template = uow.messages.get(message_id)
            used = uow.logs.template_usage().get(message_id) if template else None
        if template is None:
            raise NotFound(f"no template {message_id}")
        return self._usage(template, used)

    def top_renderings(
        self, message_id: int, *, limit: int = DEFAULT_TOP_RENDERINGS
    ) -> list[RenderingUsage]:
        """The texts this template posted most often, most used first; NotFound if absent."""
        if not 1 <= limit <= MAX_TOP_RENDERINGS:
            raise InvalidInput(
                f"limit must be between 1 and {MAX_TOP_RENDERINGS}",
                details={"limit": f"must be between 1 and {MAX_TOP_RENDERINGS}"},
            )
        with self._uow_factory(read_only=True) as uow:
            if uow.messages.get(message_id) is None:
                raise NotFound(f"no template {message_id}")
            rows = uow.logs.top_renderings(message_id, limit)
        return [RenderingUsage(body=body, uses=uses) for body, uses in rows]

    def get_template(self, message_id: int) -> CommentTemplate:
        """One template; NotFound when it does not exist."""
        with self._uow_factory(read_only=True) as uow:
            template = uow.messages.get(message_id)
        if template is None:
            raise NotFound(f"no template {message_id}")
        return template

    def create_template(self, *, title: str, body: str, is_active: bool = True) -> CommentTemplate:
        """Validate and store a new template; InvalidInput lists every error with positions."""
        title = self._check(title, body)
        with self._uow_factory() as uow:
            template = uow.messages.add(title, body, is_active, self._clock.now())
            uow.commit()
        return template

    def update_template(
        self,
        message_id: int,
        *,
        title: str | None = None,
        body: str | None = None,
        is_active: bool | None = None,
    ) -> CommentTemplate:
        """Change any of title, body and the active flag; the result is validated again."""
        with self._uow_factory() as uow:
            current = uow.messages.get(message_id)
            if current is None:
                raise NotFound(f"no template {message_id}")
            new_body = current.body if body is None else body
            new_title = self._check(current.title if title is None else title, new_body)
            updated = uow.messages.update(
                message_id,
                title=new_title,
                body=new_body,
                is_active=current.is_active if is_active is None else is_active,
                now=self._clock.now(),
            )
            if updated is None:
                raise NotFound(f"no template {message_id}")
            uow.commit()
        return updated

    def delete_template(self, message_id: int) -> None:
        """Delete a template; logs and queue rows keep their rendered text."""
        with self._uow_factory() as uow:
            if not uow.messages.delete(message_id):
                raise NotFound(f"no template {message_id}")
            uow.commit()

    def preview(self, body: str, *, n: int = 5, seed: int | None = None) -> TemplatePreview:
        """`n` sample renderings with placeholder variables, the variant count and issues."""
        if not 1 <= n <= MAX_PREVIEWS:
            raise InvalidInput(
                f"n must be between 1 and {MAX_PREVIEWS}",
                details={"n": f"must be between 1 and {MAX_PREVIEWS}"},
            )
        issues = self._issues(body)
        errors = [i for i in issues if i.severity is Severity.ERROR]
        if errors:
            raise _invalid(errors)
        rng = random.Random(seed)
        samples = [randomize_template(body, PREVIEW_VARIABLES, rng) for _ in range(n)]
        return TemplatePreview(samples=samples, variant_count=count_variants(body), issues=issues)

    @staticmethod
    def _usage(template: CommentTemplate, used: tuple[int, datetime] | None) -> TemplateUsage:
        uses, last = used if used is not None else (0, None)
        return TemplateUsage(
            message_id=template.message_id,
            uses=uses,
            last_used_at=last,
            variant_count=_variants(template.body),
        )

    def _issues(self, body: str) -> list[TemplateIssue]:
        if self._max_length is None:
            return validate_template(body)
        return validate_template(body, max_length=self._max_length)

    def _check(self, title: str, body: str) -> str:
        title = title.strip()
        if not title:
            raise InvalidInput("the title is empty", details={"title": "must not be empty"})
        if len(title) > MAX_TITLE_LENGTH:
            raise InvalidInput(
                f"the title is longer than {MAX_TITLE_LENGTH} characters",
                details={"title": f"at most {MAX_TITLE_LENGTH} characters"},
            )
        errors = [i for i in self._issues(body) if i.severity is Severity.ERROR]
        if errors:
            raise _invalid(errors)
        return title


def _variants(body: str) -> int:
    # A stored body was valid when saved; should a later, stricter parser refuse it,
    # the list still answers (0 variants, flagged as few) instead of failing.
    try:
        return count_variants(body)
    except InvalidInput:
        return 0


def _invalid(errors: list[TemplateIssue]) -> InvalidInput:
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return InvalidInput(
        f"invalid template: line {first.line}, column {first.column}: {first.message}{more}",
        details=[issue.to_dict() for issue in errors],
    )
