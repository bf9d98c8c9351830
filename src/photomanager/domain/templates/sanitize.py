"""Template variables from DeviantArt (titles, author names) made safe to quote.

A deviation's title and its author's name are chosen by strangers: they may
carry control characters, markup, or a wall of text meant to turn our comment
into their message. Before rendering, each value loses control characters and
angle brackets, has its whitespace collapsed, and is cut to `MAX_VARIABLE_LENGTH`
characters with an ellipsis.
"""

from __future__ import annotations

import re
import unicodedata

MAX_VARIABLE_LENGTH = 100
ELLIPSIS = "\u2026"
_SPACE = re.compile(r"\s+")
# Zero-width (non-)joiners hold emoji and some scripts together; other format
# characters (bidi overrides among them) only serve to disguise text.
_JOINERS = frozenset("\u200c\u200d")


def sanitize_variable(value: str, max_length: int = MAX_VARIABLE_LENGTH) -> str:
    """`value` without control characters or `<`/`>`, spaces collapsed, at most `max_length`."""
    kept = (" " if ch.isspace() else ch for ch in value if ch.isspace() or _allowed(ch))
    text = _SPACE.sub(" ", "".join(kept)).strip()
    if len(text) <= max_length:
        return text
    return text[: max_length - 1].rstrip() + ELLIPSIS


def _allowed(ch: str) -> bool:
    if ch in "<>":
        return False
    category = unicodedata.category(ch)
    return not category.startswith("C") or ch in _JOINERS
