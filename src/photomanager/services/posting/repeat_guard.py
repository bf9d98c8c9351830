"""No repeated text: least-recently-used templates first, re-rolls on a repeat.

DeviantArt hides comments that repeat the same text, so the worker avoids any
body posted in the last `REPEAT_WINDOW`: templates are tried least recently
used first (never used first of all), each rendered up to `REROLLS` times; a
small template (at most `ENUMERATE_LIMIT` renderings) is also searched
exhaustively for an unused rendering before moving on. If every rendering of
every template was used recently, the first one is posted anyway and a
warning is logged: the template list shows which templates need more variety.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from photomanager.domain.body_hash import body_hash
from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import CommentTemplate
from photomanager.domain.templates import count_variants, enumerate_variants, randomize_template

logger = logging.getLogger(__name__)

REPEAT_WINDOW = timedelta(days=30)
REROLLS = 5
ENUMERATE_LIMIT = 200
FEW_VARIANTS = 20  # below this many renderings a template is flagged on the page


@dataclass(frozen=True, slots=True)
class Rendering:
    """The chosen text, its template and whether it repeats a recent comment."""

    message_id: int
    body: str
    repeated: bool = False


def order_least_recently_used(
    templates: Sequence[CommentTemplate],
    last_used: Mapping[int, datetime],
    rng: random.Random,
) -> list[CommentTemplate]:
    """Never-used templates first (shuffled), then oldest last use first."""
    shuffled = list(templates)
    rng.shuffle(shuffled)  # random among equals: sort is stable
    return sorted(
        shuffled,
        key=lambda t: (t.message_id in last_used, last_used.get(t.message_id, datetime.min)),
    )


def choose_rendering(
    templates: Sequence[CommentTemplate],
    variables: Mapping[str, str],
    rng: random.Random,
    *,
    recent_hashes: Collection[str],
    last_used: Mapping[int, datetime],
) -> Rendering:
    """Render a comment whose text was not posted recently (see the module docstring).

    Raises `InvalidInput` (the last template's error) when no template renders.
    """
    fallback: Rendering | None = None
    last_error: InvalidInput | None = None
    for template in order_least_recently_used(templates, last_used, rng):
        try:
            found = _fresh_rendering(template, variables, rng, recent_hashes)
        except InvalidInput as exc:
            logger.warning("template %s cannot be rendered: %s", template.message_id, exc)
            last_error = exc
            continue
        if not found.repeated:
            return found
        fallback = fallback or found
    if fallback is not None:
        logger.warning("every rendering was posted recently: repeating a text")
        return fallback
    assert last_error is not None
    raise last_error


def _fresh_rendering(
    template: CommentTemplate,
    variables: Mapping[str, str],
    rng: random.Random,
    recent_hashes: Collection[str],
) -> Rendering:
    first = randomize_template(template.body, variables, rng)
    body = first
    for _ in range(REROLLS):
        if body_hash(body) not in recent_hashes:
            return Rendering(template.message_id, body)
        body = randomize_template(template.body, variables, rng)
    if count_variants(template.body) <= ENUMERATE_LIMIT:
        unused = [
            text
            for text in enumerate_variants(template.body, ENUMERATE_LIMIT, variables)
            if text and body_hash(text) not in recent_hashes
        ]
        if unused:
            return Rendering(template.message_id, rng.choice(unused))
    return Rendering(template.message_id, first, repeated=True)
