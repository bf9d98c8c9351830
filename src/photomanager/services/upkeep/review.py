"""Review mode: the artist approves, edits or skips each rendered comment first.

The worker parks rows of reviewed sources as `awaiting_review` with their text.
Approving moves a row back to `pending` with the approved body (edited or
not) and stamps `approved_at` - the only thing that lets the worker post a
reviewed source's row; a body alone (rendered before review was switched on,
or kept through a retry) is no approval. The worker then posts that text
exactly, through its usual crash-safe path;
skipping makes it `skipped` for good (a `skipped` log row says so).

An edited text is written in the template language, like a template: its
variables (`{{author}}`, ...) and groups are rendered once, at approval, with
the row's values, so what the artist approves is what gets posted - never a
literal `{{author}}`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from photomanager.domain.body_hash import body_hash
from photomanager.domain.clock import Clock
from photomanager.domain.errors import InvalidInput, NotFound
from photomanager.domain.models import LogStatus, QueueItem, QueueStatus
from photomanager.domain.templates import (
    DEFAULT_MAX_LENGTH,
    Severity,
    randomize_template,
    validate_template,
)
from photomanager.domain.templates.sanitize import sanitize_variable
from photomanager.services.ports import UnitOfWork, UnitOfWorkFactory

MAX_PAGE = 200
MAX_APPROVE_ALL = 500
SKIPPED_IN_REVIEW = "skipped in review"


@dataclass(frozen=True, slots=True)
class ApproveAllResult:
    """Which rows were approved, and which were no longer awaiting review."""

    approved: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def validate_comment_body(body: str, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """An edited comment, trimmed; InvalidInput when empty or too long."""
    text = body.strip()
    if not text:
        raise InvalidInput("the comment is empty", details={"body": "must not be empty"})
    if len(text) > max_length:
        raise InvalidInput(
            f"the comment is longer than {max_length} characters",
            details={"body": f"at most {max_length} characters"},
        )
    return text


class ReviewService:
    """List, approve, edit and skip the comments awaiting review."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        max_length: int = DEFAULT_MAX_LENGTH,
        rng: random.Random | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._max_length = max_length
        self._rng = rng or random.Random()

    def list_awaiting(
        self, *, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[QueueItem], str | None]:
        """A page of rows awaiting review, newest first, and the next cursor."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(
                f"limit must be between 1 and {MAX_PAGE}",
                details={"limit": f"must be between 1 and {MAX_PAGE}"},
            )
        with self._uow_factory(read_only=True) as uow:
            return uow.queue.list_page(QueueStatus.AWAITING_REVIEW, limit, cursor)

    def approve(self, deviationid: str, body: str | None = None) -> QueueItem:
        """Approve the parked text, or `body` instead (a template, rendered now)."""
        if body is not None:
            validate_comment_body(body, self._max_length)
            _refuse_template_errors(body, self._max_length)
        with self._uow_factory() as uow:
            edited = None if body is None else self._render(uow, deviationid, body)
            item = self._approve(uow, deviationid, edited)
            uow.commit()
        return item

    def _render(self, uow: UnitOfWork, deviationid: str, body: str) -> str:
        item = _awaiting(uow, deviationid)
        token = uow.tokens.get()
        variables = {
            "author": sanitize_variable(item.author or ""),
            "title": sanitize_variable(item.title or ""),
            "username": sanitize_variable((token.username if token else None) or ""),
        }
        rendered = randomize_template(body, variables, self._rng)
        return validate_comment_body(rendered, self._max_length)

    def approve_all(self, deviationids: Sequence[str]) -> ApproveAllResult:
        """Approve every listed row still awaiting review, unedited, in one transaction."""
        wanted = list(dict.fromkeys(deviationids))
        if len(wanted) > MAX_APPROVE_ALL:
            raise InvalidInput(
                f"at most {MAX_APPROVE_ALL} deviations at once",
                details={"deviationids": f"at most {MAX_APPROVE_ALL}"},
            )
        with self._uow_factory() as uow:
            approved = set(uow.queue.approve_parked(wanted, self._clock.now()))
            uow.commit()
        return ApproveAllResult(
            approved=[d for d in wanted if d in approved],
            not_found=[d for d in wanted if d not in approved],
        )

    def skip(self, deviationid: str) -> QueueItem:
        """Never post this comment: the row becomes `skipped`."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            item = _awaiting(uow, deviationid)
            if not uow.queue.skip_review(deviationid, SKIPPED_IN_REVIEW, now):
                raise _not_awaiting(deviationid)
            uow.logs.append(
                deviationid=deviationid,
                status=LogStatus.SKIPPED,
                now=now,
                message_id=item.message_id,
                body=item.body,
                error_message=SKIPPED_IN_REVIEW,
            )
            updated = uow.queue.get(deviationid)
            uow.commit()
        assert updated is not None
        return updated

    def _approve(self, uow: UnitOfWork, deviationid: str, edited: str | None) -> QueueItem:
        item = _awaiting(uow, deviationid)
        body = edited if edited is not None else item.body
        if not body:
            raise InvalidInput(
                "this row has no text to approve: give one",
                details={"body": "must not be empty"},
            )
        if not uow.queue.approve(deviationid, body, body_hash(body), self._clock.now()):
            raise _not_awaiting(deviationid)
        updated = uow.queue.get(deviationid)
        assert updated is not None
        return updated


def _refuse_template_errors(body: str, max_length: int) -> None:
    errors = [
        issue
        for issue in validate_template(body, max_length=max_length)
        if issue.severity is Severity.ERROR
    ]
    if errors:
        first = errors[0]
        raise InvalidInput(
            f"the edited comment has {len(errors)} problem(s); first at line {first.line}, "
            f"column {first.column}: {first.message}",
            details=[issue.to_dict() for issue in errors],
        )


def _awaiting(uow: UnitOfWork, deviationid: str) -> QueueItem:
    item = uow.queue.get(deviationid)
    if item is None or item.status is not QueueStatus.AWAITING_REVIEW:
        raise _not_awaiting(deviationid)
    return item


def _not_awaiting(deviationid: str) -> NotFound:
    return NotFound(
        f"deviation {deviationid} is not awaiting review",
        details={"deviationid": deviationid},
    )
