"""The fingerprint of a comment body, used to recognise our own comment on read-back.

DeviantArt may return a posted body with HTML entities, `<br />` for newlines
or trimmed whitespace, so both sides are normalised before hashing. Entities
are decoded first, so markup that came back escaped (`&lt;b&gt;`) is stripped
like markup that came back as is. Reconciliation does not depend on it (any
comment by our account counts as ours); a match is only logged.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def normalize_body(body: str) -> str:
    """Canonical text of a comment body: no markup, entities decoded, spaces collapsed."""
    text = html.unescape(body)
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", text).strip()


def body_hash(body: str) -> str:
    """SHA-256 hex digest of the normalised body."""
    return hashlib.sha256(normalize_body(body).encode("utf-8")).hexdigest()
