"""Settings through the API: read, partial update, every field validated."""

from __future__ import annotations

import json

import pytest

from api.support import PREFIX, TestClient, snapshot
from photomanager.bootstrap import Container
from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import CommentSettings, Source


class TestReadSettings:
    def test_defaults(self, client: TestClient) -> None:
        """GET returns every field with the conservative defaults."""
        body = client.get(f"{PREFIX}/settings").json()
        defaults = CommentSettings()
        assert body["min_interval_s"] == defaults.min_interval_s
        assert body["max_per_day"] == defaults.max_per_day
        assert body["active_hours"] is None
        assert body["review_sources"] == ["global_feed", "tags"]
        assert body["tags"] == body["include_tags"] == body["languages"] == []
        assert body["unknown_language"] == "allow"


class TestUpdateSettings:
    def test_partial_update_persists(self, client: TestClient, container: Container) -> None:
        """PUT changes the given fields only, and they are stored."""
        response = client.put(
            f"{PREFIX}/settings",
            json={
                "max_per_hour": 10,
                "active_hours": "22:00-06:00",
                "timezone": "Europe/Berlin",
                "exclude_authors": ["spammer"],
                "review_sources": [],
            },
        )
        assert response.status_code == 200
        stored = container.comment_settings.get_settings()
        assert stored.max_per_hour == 10
        assert stored.active_hours == "22:00-06:00"
        assert stored.timezone == "Europe/Berlin"
        assert stored.exclude_authors == ("spammer",)
        assert stored.review_sources == ()
        assert stored.min_interval_s == CommentSettings().min_interval_s

    def test_null_clears_nullable_fields(self, client: TestClient, container: Container) -> None:
        """active_hours: null means any time; max_per_author: null means no limit."""
        container.comment_settings.update_settings(active_hours="09:00-17:00", max_per_author=3)
        client.put(f"{PREFIX}/settings", json={"active_hours": None, "max_per_author": None})
        stored = container.comment_settings.get_settings()
        assert (stored.active_hours, stored.max_per_author) == (None, None)

    def test_null_keeps_other_fields(self, client: TestClient, container: Container) -> None:
        """null for a required field leaves it unchanged."""
        client.put(f"{PREFIX}/settings", json={"max_per_day": None})
        assert (
            container.comment_settings.get_settings().max_per_day == CommentSettings().max_per_day
        )

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"min_interval_s": 500, "max_interval_s": 100}, "min_interval_s"),
            ({"min_interval_s": 0}, "min_interval_s"),
            ({"min_interval_s": "60"}, "min_interval_s"),
            ({"max_per_hour": 1001}, "max_per_hour"),
            ({"max_per_hour": 50, "max_per_day": 10}, "max_per_hour"),
            ({"max_per_day": 2.5}, "max_per_day"),
            ({"active_hours": "25:00-26:00"}, "active_hours"),
            ({"active_hours": "9-5"}, "active_hours"),
            ({"active_hours": "09:00-09:00"}, "active_hours"),
            ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
            ({"skip_mature": "no"}, "skip_mature"),
            ({"exclude_authors": "alice"}, "exclude_authors"),
            ({"exclude_keywords": ["x" * 101]}, "exclude_keywords"),
            ({"max_attempts": 0}, "max_attempts"),
            ({"max_consecutive_failures": 101}, "max_consecutive_failures"),
            ({"review_sources": ["somewhere"]}, "review_sources"),
            ({"author_cooldown_days": -1}, "author_cooldown_days"),
            ({"max_per_author": 0}, "max_per_author"),
            ({"speed": "fast"}, "speed"),
        ],
    )
    def test_bad_field_is_422_naming_it(
        self, client: TestClient, container: Container, payload: dict[str, object], field: str
    ) -> None:
        """Each invalid value is a 422 whose message names the field; nothing is saved."""
        before = snapshot(container)
        response = client.put(f"{PREFIX}/settings", json=payload)
        assert response.status_code == 422
        assert field in response.json()["message"]
        assert snapshot(container) == before

    def test_review_sources_accepts_known_sources(
        self, client: TestClient, container: Container
    ) -> None:
        """review_sources takes the source names."""
        client.put(f"{PREFIX}/settings", json={"review_sources": ["watch_feed", "global_feed"]})
        stored = container.comment_settings.get_settings().review_sources
        assert set(stored) == {Source.WATCH_FEED, Source.GLOBAL_FEED}


LIMITS = {
    "max_per_hour": 1000,
    "max_per_day": 10_000,
    "max_attempts": 20,
    "max_consecutive_failures": 100,
    "author_cooldown_days": 3650,
    "max_per_author": 100_000,
}


class TestOneSetOfLimits:
    @pytest.mark.parametrize(("name", "limit"), LIMITS.items())
    def test_the_api_and_the_service_agree_on_each_limit(
        self, client: TestClient, container: Container, name: str, limit: int
    ) -> None:
        """The limit is accepted and one more is refused, by the API and the service alike."""
        at_limit = {name: limit, "max_per_day": 10_000} if name == "max_per_hour" else {name: limit}
        assert client.put(f"{PREFIX}/settings", json=at_limit).status_code == 200
        assert client.put(f"{PREFIX}/settings", json={name: limit + 1}).status_code == 422
        with pytest.raises(InvalidInput):
            container.comment_settings.update_settings(**{name: limit + 1})


class TestActiveHoursMessages:
    @pytest.mark.parametrize(
        ("value", "words"),
        [
            ("9-17", "must look like 09:00-23:00"),
            ("25:00-01:00", "between 00:00 and 23:59"),
            ("09:00-09:00", "must not start and end at the same time"),
        ],
    )
    def test_a_bad_window_says_how_to_write_it(
        self, client: TestClient, value: str, words: str
    ) -> None:
        """A bad active_hours is a 422 in words, never a regular expression."""
        response = client.put(f"{PREFIX}/settings", json={"active_hours": value})
        assert response.status_code == 422
        message = response.json()["message"]
        assert words in message
        assert "pattern" not in message
        assert "Value error" not in message


class TestTagAndLanguageSettings:
    def test_tags_are_saved(self, client: TestClient) -> None:
        """Followed tags, include/exclude tags and languages round-trip."""
        body = {
            "tags": ["watercolor", "акварель"],
            "include_tags": ["portrait"],
            "exclude_tags": ["nsfw"],
            "languages": ["en", "DE"],
            "unknown_language": "skip",
        }
        saved = client.put(f"{PREFIX}/settings", json=body).json()
        assert saved["tags"] == ["watercolor", "акварель"]
        assert saved["languages"] == ["en", "de"]
        assert saved["unknown_language"] == "skip"

    @pytest.mark.parametrize(
        ("field", "value", "says"),
        [
            ("tags", ["Water Color"], "try 'water_color'"),
            ("tags", ["ok", "no-dash"], "not a DeviantArt tag"),
            ("tags", [f"t{n}" for n in range(21)], "at most 20 tags"),
            ("exclude_tags", ["<b>"], "not a DeviantArt tag"),
            ("languages", ["xx"], "not a language photomanager recognises"),
            ("unknown_language", "maybe", "literal_error"),
        ],
    )
    def test_bad_values_are_422_saying_what_to_fix(
        self, client: TestClient, field: str, value: object, says: str
    ) -> None:
        """A bad tag or language is refused with a message naming the rule."""
        response = client.put(f"{PREFIX}/settings", json={field: value})
        assert response.status_code == 422
        assert says in json.dumps(response.json())
