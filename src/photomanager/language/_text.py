"""The text a deviation is judged by: title, plain-text description and tags, in one line.

Links and @mentions are dropped (a URL is English-looking bytes whatever the language of the
text around it); tags contribute their words, with underscores read as spaces
("original_character" -> "original character"). Text without a single letter (empty,
whitespace, digits, punctuation) carries no language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_SPACE = re.compile(r"\s+")


def deviation_text(title: str, description: str = "", tags: Iterable[str] = ()) -> str:
    """Title, description and tag words joined into one cleaned line ("" if there is none)."""
    tag_words = " ".join(tag.replace("_", " ") for tag in tags)
    parts = (_clean(title), _clean(description), _clean(tag_words))
    return ". ".join(part for part in parts if part)


def has_letters(text: str) -> bool:
    """Whether `text` holds at least one letter of any script."""
    return any(char.isalpha() for char in text)


def _clean(text: str) -> str:
    text = _MENTION.sub(" ", _LINK.sub(" ", text))
    return _SPACE.sub(" ", text).strip(" .")
