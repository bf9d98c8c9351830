"""`LanguageDetector`: the ISO 639-1 code of a short text, or None for "unknown".

The model is py3langid's (a naive Bayes over byte n-grams, shipped inside the wheel as
`py3langid/data/model.npz.xz`); nothing is downloaded, ever. The steps of one call:

1. clean the text (`deviation_text`: links and @mentions out, whitespace collapsed);
2. no letter left (empty, whitespace, digits, punctuation) -> None, without loading anything;
3. load the model on the first call that needs it, once, under a lock (under a second and
   about 100 MiB resident, numpy included), restricted to `DETECTABLE_LANGUAGES`;
4. take the most probable language and its probability among those languages;
5. below `MIN_CONFIDENCE` -> None: an unknown is a policy decision for the caller
   (`unknown_language = allow | skip`), a wrong code silently filters a deviation.

Detection always runs among all of `DETECTABLE_LANGUAGES`, never among the languages a user
allows: restricted to {en, de}, a French title would have to come out as one of the two.
The model is only read after loading, so one detector serves any number of threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, cast

from photomanager.domain.languages import LANGUAGE_NAMES
from photomanager.language._text import deviation_text, has_letters

# The languages of DeviantArt's largest audiences, plus the close neighbours of each
# (uk and bg next to ru, ca next to es, sk next to cs, ms next to id, no/da next to sv), so
# that a neighbour's text is not forced into its look-alike. ISO 639-1, as py3langid names
# them (Norwegian is "no"). 35 languages (`domain/languages.py`, which the `languages`
# setting is checked against): the set the benchmark gives every candidate.
DETECTABLE_LANGUAGES: tuple[str, ...] = tuple(sorted(LANGUAGE_NAMES))

# Below this probability the answer is "unknown". Chosen with the sweep that
# `benchmarks.language_detection` prints for the 400 labelled texts of
# tests/language/samples.tsv. At 0.6: titles alone 0.5 % wrong (goal: at most 2 %) and 6.5 %
# unknown; descriptions 99.5 % right (goal: at least 95 %). At 0.45-0.5 titles are 1 % wrong,
# half the budget on a set where one title is 0.5 %; above 0.65 no wrong title is left to
# remove, only more unknown ones (11.5 % at 0.7, 14.5 % at 0.8).
MIN_CONFIDENCE = 0.6


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The most probable language of a text (ISO 639-1) and its probability, 0 to 1."""

    language: str
    confidence: float


class _Identifier(Protocol):
    def classify(self, text: str) -> tuple[str, float]: ...


class LanguageDetector:
    """Detects the language of short texts; callable as `Callable[[str], str | None]`."""

    def __init__(
        self,
        *,
        languages: Iterable[str] = DETECTABLE_LANGUAGES,
        min_confidence: float = MIN_CONFIDENCE,
    ) -> None:
        self._languages = tuple(sorted(set(languages)))
        if len(self._languages) < 2:
            raise ValueError("a detector needs at least two languages to choose between")
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be within [0, 1], not {min_confidence}")
        self._min_confidence = min_confidence
        self._identifier: _Identifier | None = None
        self._lock = threading.Lock()

    @property
    def languages(self) -> tuple[str, ...]:
        """The ISO 639-1 codes this detector chooses between, sorted."""
        return self._languages

    @property
    def min_confidence(self) -> float:
        """The probability below which the answer is None ("unknown")."""
        return self._min_confidence

    def __call__(self, text: str) -> str | None:
        """The language of `text`, or None when it has no letters or the guess is unsure."""
        guess = self.guess(text)
        if guess is None or guess.confidence < self._min_confidence:
            return None
        return guess.language

    def detect(self, title: str, description: str = "", tags: Iterable[str] = ()) -> str | None:
        """The language of a deviation, judged by its title, description and tags together."""
        return self(deviation_text(title, description, tags))

    def guess(self, text: str) -> LanguageGuess | None:
        """The best guess whatever its confidence; None only for a text without letters."""
        cleaned = deviation_text(text)
        if not has_letters(cleaned):
            return None
        language, confidence = self._model().classify(cleaned)
        return LanguageGuess(language, float(confidence))

    def load(self) -> None:
        """Load the model now (the first guess does it otherwise); safe from any thread.

        Raises ValueError if `languages` holds a code the model does not know.
        """
        self._model()

    def _model(self) -> _Identifier:
        identifier = self._identifier
        if identifier is None:
            with self._lock:
                identifier = self._identifier
                if identifier is None:
                    identifier = self._identifier = _load_identifier(self._languages)
        return identifier


def _load_identifier(languages: tuple[str, ...]) -> _Identifier:
    """py3langid's shipped model with calibrated probabilities, restricted to `languages`."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # the one import of it

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return cast(_Identifier, identifier)
