"""The seeded world: deterministic for a seed, full of hostile, realistic text in ten languages."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from photomanager.sandbox import ManualClock, Sandbox
from photomanager.sandbox.world.texts import OTHER_LANGUAGES, texts_for

START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _world(seed: int) -> Sandbox:
    return Sandbox.seeded(seed=seed, deviations=3000, clock=ManualClock(START))


def _titles(sandbox: Sandbox) -> list[str]:
    return [sandbox.deviation(i)["title"] for i in sandbox.deviation_ids()]


class TestDeterminism:
    def test_same_seed_same_world(self) -> None:
        """Two sandboxes with one seed and start time show identical deviations."""
        a, b = _world(7), _world(7)
        ids = a.deviation_ids()
        assert ids == b.deviation_ids()
        assert [a.deviation(i) for i in ids[:50]] == [b.deviation(i) for i in ids[:50]]
        assert a.artist == b.artist

    def test_other_seed_other_world(self) -> None:
        """A different seed gives different ids."""
        assert set(_world(7).deviation_ids()).isdisjoint(_world(8).deviation_ids())

    def test_default_size_is_thousands(self) -> None:
        """The default world holds 3000 deviations (some already deleted)."""
        sandbox = _world(7)
        assert 2500 < len(sandbox.deviation_ids()) <= 3000


class TestRealism:
    def test_titles_include_unicode_and_html(self) -> None:
        """Titles include Cyrillic, CJK, emoji, HTML and quotes."""
        titles = set(_titles(_world(7)))
        assert "<img src=x onerror=alert(1)>" in titles
        assert "\"quoted\" & 'single'" in titles
        assert any("\u0400" <= ch <= "\u04ff" for t in titles for ch in t)  # Cyrillic
        assert any("\u3040" <= ch <= "\u9fff" for t in titles for ch in t)  # CJK
        assert any(ord(ch) > 0xFFFF for t in titles for ch in t)  # emoji

    def test_some_usernames_carry_script_tags(self) -> None:
        """A user named with </script> exists and authors deviations in the watch feed."""
        sandbox = _world(7)
        authors = {
            sandbox.deviation(i)["author"]["username"] for i in sandbox.deviation_ids(feed="watch")
        }
        assert any("</script>" in name for name in authors)

    def test_mix_of_mature_disabled_and_own_work(self) -> None:
        """Mature, comments-disabled and the artist's own deviations are all present."""
        sandbox = _world(7)
        ids = sandbox.deviation_ids()
        deviations = [sandbox.deviation(i) for i in ids]
        assert 0 < sum(d["is_mature"] for d in deviations) < len(ids) // 5
        assert 0 < sum(not d["allows_comments"] for d in deviations) < len(ids) // 5
        assert any(d["author"]["userid"] == sandbox.artist.userid for d in deviations)

    def test_some_deviations_already_carry_comments(self) -> None:
        """Other users have commented on some deviations already."""
        sandbox = _world(7)
        assert any(sandbox.deviation(i)["stats"]["comments"] > 0 for i in sandbox.deviation_ids())


class TestTextsAndLanguages:
    def test_languages_are_about_half_english_and_spread_over_the_rest(self) -> None:
        """English is about half; ru, es, pt, de, fr, ja, zh, it and pl share the rest."""
        sandbox = _world(7)
        ids = sandbox.deviation_ids(mature=None)
        counts = Counter(sandbox.language(i) for i in ids)
        assert 0.4 < counts["en"] / len(ids) < 0.6
        assert set(counts) == {"en", *OTHER_LANGUAGES}
        assert all(counts[lang] > len(ids) // 40 for lang in OTHER_LANGUAGES)

    def test_same_seed_same_texts(self) -> None:
        """Languages, descriptions and tags are deterministic for a seed."""
        a, b = _world(7), _world(7)
        ids = a.deviation_ids()[:200]
        assert [a.metadata(i) for i in ids] == [b.metadata(i) for i in ids]
        assert [a.language(i) for i in ids] == [b.language(i) for i in ids]

    def test_texts_follow_the_deviation_id(self) -> None:
        """A deviation's texts depend on its id only (not on the world around it)."""
        sandbox = _world(7)
        for deviationid in sandbox.deviation_ids()[:50]:
            record = sandbox._world.by_id[deviationid]
            texts = texts_for(deviationid, record.category)
            assert (record.language, record.description, record.tags) == (
                texts.language,
                texts.description,
                texts.tags,
            )

    def test_descriptions_are_html_with_hostile_parts(self) -> None:
        """Descriptions carry <br />, <b>, links, entities, some <script>, and a few are empty."""
        sandbox = _world(7)
        descriptions = [sandbox.metadata(i)["description"] for i in sandbox.deviation_ids()]
        for needle in ("<br />", "<b>", "<a href=", "&hearts;", "<script>"):
            assert any(needle in d for d in descriptions), needle
        assert 0 < descriptions.count("") < len(descriptions) // 10

    def test_description_is_written_in_the_deviation_language(self) -> None:
        """A Russian deviation's description is Cyrillic; a Japanese one has kana."""
        sandbox = _world(7)
        for language, low, high in (("ru", "\u0400", "\u04ff"), ("ja", "\u3040", "\u30ff")):
            for deviationid in sandbox.deviation_ids(language=language)[:20]:
                text = sandbox.metadata(deviationid)["description"]
                assert text == "" or any(low <= ch <= high for ch in text)

    def test_common_tags_are_shared_by_dozens(self) -> None:
        """watercolor, digitalart, illustration... each tag dozens of deviations, any language."""
        sandbox = Sandbox.seeded(seed=7, deviations=400, clock=ManualClock(START))
        for tag in ("watercolor", "digitalart", "illustration", "landscape", "portrait"):
            tagged = sandbox.deviation_ids(tag=tag, mature=False)
            assert len(tagged) >= 24, tag
            assert len({sandbox.language(i) for i in tagged}) > 3, tag

    def test_language_tags_appear(self) -> None:
        """Language-specific tags (acuarela, aquarela, акварель...) are present."""
        sandbox = _world(7)
        tags = {t["tag_name"] for i in sandbox.deviation_ids() for t in sandbox.metadata(i)["tags"]}
        assert {"acuarela", "aquarela", "акварель", "aquarelle", "akwarela"} <= tags

    def test_published_deviations_get_texts_too(self) -> None:
        """A deviation published during a demo has a language, tags and its own texts."""
        sandbox = _world(7)
        new = sandbox.publish(20)
        assert all(sandbox.metadata(i)["tags"] for i in new)
        assert {sandbox.language(i) for i in new} <= {"en", *OTHER_LANGUAGES}
