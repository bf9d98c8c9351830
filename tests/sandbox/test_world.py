"""The seeded world: deterministic for a seed, and full of hostile, realistic text."""

from __future__ import annotations

from datetime import UTC, datetime

from photomanager.sandbox import ManualClock, Sandbox

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
