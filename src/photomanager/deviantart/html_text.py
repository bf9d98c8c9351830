"""DeviantArt's HTML descriptions turned into bounded plain text, for filters and detection.

The text is only ever read by our filters and the language detector and shown
escaped; still, nothing of the markup survives: tags are dropped, `<script>`
and `<style>` with their content, entities are decoded, whitespace collapsed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

MAX_DESCRIPTION = 2000  # characters kept: plenty for a filter or the detector
_BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
_SKIPPED = frozenset({"script", "style"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_LINES = re.compile(r"\s*\n\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self._skipping:
            self._skipping -= 1
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str, *, limit: int = MAX_DESCRIPTION) -> str:
    """Plain text of an HTML fragment: one space between words, lines kept, at most `limit`."""
    # Bound the work before parsing: a description longer than this is not read anyway.
    collector = _TextCollector()
    collector.feed(html[: limit * 8])
    collector.close()
    text = _CONTROL.sub("", "".join(collector.parts))
    text = _LINES.sub("\n", _SPACES.sub(" ", text)).strip()
    return text[:limit]
