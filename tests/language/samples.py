"""The labelled short texts of `samples.tsv`: one `Sample` per line, in file order.

Where the texts come from is said at the top of `samples.tsv`: all were written for this set
by the photomanager team in the style of DeviantArt titles and descriptions; none was copied.
The benchmark (`benchmarks/language_detection.py`) and `test_detector.py` both read them here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SAMPLES_FILE = Path(__file__).with_name("samples.tsv")

Kind = Literal["title", "description"]
KINDS: tuple[Kind, ...] = ("title", "description")


@dataclass(frozen=True, slots=True)
class Sample:
    """One labelled text: its language (ISO 639-1), its kind and the text itself."""

    language: str
    kind: Kind
    text: str


def load_samples(path: Path = SAMPLES_FILE) -> list[Sample]:
    """Every sample in the file; `#` lines and blank lines are notes, not samples."""
    samples: list[Sample] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        language, kind, text = line.split("\t")
        if kind not in KINDS:
            raise ValueError(f"{path.name}:{number}: unknown kind {kind!r}")
        samples.append(Sample(language, "title" if kind == "title" else "description", text))
    return samples


def languages(samples: Sequence[Sample]) -> list[str]:
    """The languages present, in the order they first appear."""
    return list(dict.fromkeys(sample.language for sample in samples))


# The goals of issue 13: descriptions at least 95 % right (an unknown is not right), titles
# alone at most 2 % wrong (an unknown is fine there).
DESCRIPTION_ACCURACY_GOAL = 0.95
TITLE_WRONG_GOAL = 0.02


@dataclass(frozen=True, slots=True)
class Score:
    """How a set of answers compares with the labels: right, wrong and unknown (None)."""

    right: int
    wrong: int
    unknown: int

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.unknown

    @property
    def right_share(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def wrong_share(self) -> float:
        return self.wrong / self.total if self.total else 0.0

    @property
    def unknown_share(self) -> float:
        return self.unknown / self.total if self.total else 0.0


def score(
    samples: Sequence[Sample],
    answers: Sequence[str | None],
    *,
    kind: Kind | None = None,
    language: str | None = None,
) -> Score:
    """Score `answers[i]` against `samples[i]`, over the samples of one kind and language."""
    if len(samples) != len(answers):
        raise ValueError(f"{len(answers)} answers for {len(samples)} samples")
    right = wrong = unknown = 0
    for sample, answer in zip(samples, answers, strict=True):
        if (kind is not None and sample.kind != kind) or (
            language is not None and sample.language != language
        ):
            continue
        if answer is None:
            unknown += 1
        elif answer == sample.language:
            right += 1
        else:
            wrong += 1
    return Score(right, wrong, unknown)
