"""Offline language detection for deviation texts (title + description + tags).

    detector = LanguageDetector()
    detector("Sunset over the old harbor")         # "en", or None for "unknown"
    detector.detect("Закат", "Рисовала в Krita", ["landscape", "digital_art"])

A `LanguageDetector` is a `Callable[[str], str | None]`: a service takes it behind a
Protocol of that shape and never imports this package's library. The choice of library and
of the thresholds is measured by `benchmarks/language_detection.py` (see the README).
"""

from __future__ import annotations

from photomanager.language._detector import (
    DETECTABLE_LANGUAGES,
    MIN_CONFIDENCE,
    LanguageDetector,
    LanguageGuess,
)
from photomanager.language._text import deviation_text, has_letters

__all__ = [
    "DETECTABLE_LANGUAGES",
    "MIN_CONFIDENCE",
    "LanguageDetector",
    "LanguageGuess",
    "deviation_text",
    "has_letters",
]
