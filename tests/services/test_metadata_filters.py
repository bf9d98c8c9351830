"""The metadata filters one by one, on plain deviations (no feed, no database)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from photomanager.domain.models import Author, CommentSettings, Deviation
from photomanager.services.screening import filters
from photomanager.services.screening.filters import detect_language, metadata_rejection_reason

READ = Deviation(
    deviationid="D",
    title="Evening harbor",
    url="https://example.invalid/d",
    author=Author("U", "someone"),
    published_time=None,
    tags=("watercolor", "landscape"),
    description="Painted on location.",
    can_post_comment=True,
    enriched=True,
)


def reason(deviation: Deviation, language: str | None = "en", **settings: object) -> str | None:
    return metadata_rejection_reason(
        deviation,
        language,
        settings=CommentSettings(**settings),  # type: ignore[arg-type]
    )


class TestMetadataRejection:
    def test_an_ordinary_deviation_passes(self) -> None:
        """No filter set: a readable deviation one may comment on is kept."""
        assert reason(READ) is None

    def test_can_post_comment_false_counts_as_comments_disabled(self) -> None:
        """A deviation we may not comment on (blocked, closed) is 'comments disabled'."""
        assert reason(replace(READ, can_post_comment=False)) == filters.COMMENTS_DISABLED

    def test_mature_in_metadata_is_skipped(self) -> None:
        """Metadata saying mature is obeyed like the feed's flag."""
        assert reason(replace(READ, is_mature=True)) == filters.MATURE

    def test_include_tags(self) -> None:
        """include_tags keeps deviations with one of them only."""
        assert reason(READ, include_tags=("landscape", "portrait")) is None
        assert reason(READ, include_tags=("portrait",)) == filters.NO_INCLUDED_TAG

    def test_exclude_tags_beat_include_tags(self) -> None:
        """A deviation with an excluded tag is refused even when it has an included one."""
        settings = {"include_tags": ("landscape",), "exclude_tags": ("watercolor",)}
        assert reason(READ, **settings) == filters.EXCLUDED_TAG

    @pytest.mark.parametrize("keyword", ["HARBOR", "location", "waterc"])
    def test_keywords_read_title_description_and_tags(self, keyword: str) -> None:
        """exclude_keywords matches the title, the description and the tags, any case."""
        assert reason(READ, exclude_keywords=(keyword,)) == filters.EXCLUDED_KEYWORD

    def test_languages(self) -> None:
        """Only the chosen languages pass; every language passes when none is chosen."""
        assert reason(READ, "de", languages=("en", "fr")) == filters.OTHER_LANGUAGE
        assert reason(READ, "fr", languages=("en", "fr")) is None
        assert reason(READ, "ja") is None

    def test_an_unclear_language_follows_the_setting(self) -> None:
        """unknown_language: allow (default) keeps it, skip counts it as unclear."""
        assert reason(READ, None, languages=("en",)) is None
        skip = {"languages": ("en",), "unknown_language": "skip"}
        assert reason(READ, None, **skip) == filters.UNKNOWN_LANGUAGE


class TestDetectLanguage:
    def test_the_detector_reads_title_description_and_tags(self) -> None:
        """The detector gets the three parts of the text."""
        seen: list[tuple[str, str, tuple[str, ...]]] = []

        def detector(title: str, description: str, tags: object) -> str | None:
            seen.append((title, description, tuple(tags)))  # type: ignore[arg-type]
            return "en"

        assert detect_language(READ, detector) == "en"
        assert seen == [(READ.title, READ.description, READ.tags)]

    def test_no_detector_means_unclear(self) -> None:
        """Without a detector every language is unclear (None)."""
        assert detect_language(READ, None) is None
