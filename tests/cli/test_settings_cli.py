"""`settings show|set`: the same validation as the API, results read back from the database."""

from __future__ import annotations

from typer.testing import CliRunner

from photomanager.bootstrap import Container
from photomanager.cli import app
from photomanager.domain.models import CommentSettings, SourceKind


def _set(runner: CliRunner, container: Container, *pairs: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["settings", "set", *pairs], obj=container)
    return result.exit_code, result.stdout, result.stderr


class TestShowSettings:
    def test_lists_every_setting_with_its_value(
        self, runner: CliRunner, container: Container
    ) -> None:
        """`settings show` prints one row per setting, values as `set` accepts them."""
        container.comment_settings.update_settings(max_per_hour=12, exclude_authors=("a", "b"))
        result = runner.invoke(app, ["settings", "show"], obj=container)
        assert result.exit_code == 0, result.output
        rows = {
            cells[1]: cells[2]
            for line in result.stdout.splitlines()
            if len(cells := [c.strip() for c in line.split("│")]) == 4
        }
        assert rows["max_per_hour"] == "12"
        assert rows["exclude_authors"] == "a,b"
        assert rows["active_hours"] == "none"
        assert rows["skip_mature"] == "true"
        assert set(rows) >= set(CommentSettings.__dataclass_fields__)


class TestSetSettings:
    def test_saves_typed_values(self, runner: CliRunner, container: Container) -> None:
        """Numbers, windows, lists, booleans and sources are parsed and stored."""
        code, out, err = _set(
            runner,
            container,
            "max_per_hour=20",
            "active_hours=09:00-23:00",
            "exclude_authors=a, b",
            "skip_mature=false",
            "review_sources=global_feed,watch-feed",
            "max_per_author=3",
        )
        assert code == 0, err
        saved = container.comment_settings.get_settings()
        assert saved.max_per_hour == 20
        assert saved.active_hours == "09:00-23:00"
        assert saved.exclude_authors == ("a", "b")
        assert saved.skip_mature is False
        assert saved.review_sources == (SourceKind.GLOBAL_FEED, SourceKind.WATCH_FEED)
        assert saved.max_per_author == 3
        assert "settings saved" in out
        assert "09:00-23:00" in out  # the result is shown

    def test_none_clears_nullable_values_and_lists(
        self, runner: CliRunner, container: Container
    ) -> None:
        """`none` means any time, no limit, no entries."""
        container.comment_settings.update_settings(
            active_hours="09:00-17:00", max_per_author=2, exclude_keywords=("nsfw",)
        )
        code, _, err = _set(
            runner,
            container,
            "active_hours=none",
            "max_per_author=none",
            "exclude_keywords=",
        )
        assert code == 0, err
        saved = container.comment_settings.get_settings()
        assert saved.active_hours is None
        assert saved.max_per_author is None
        assert saved.exclude_keywords == ()

    def test_unknown_key_names_it_and_changes_nothing(
        self, runner: CliRunner, container: Container
    ) -> None:
        """An unknown key exits 1 in one line naming it and the known ones; nothing is saved."""
        code, _, err = _set(runner, container, "max_per_hour=20", "max_per_week=3")
        assert code == 1
        [line] = err.strip().splitlines()
        assert "max_per_week: unknown setting" in line
        assert "max_per_day" in line  # a known name to pick from
        assert container.comment_settings.get_settings() == CommentSettings()

    def test_bad_value_says_what_to_fix(self, runner: CliRunner, container: Container) -> None:
        """A value of the wrong kind or range exits 1 naming the field and the rule."""
        code, _, err = _set(runner, container, "max_per_hour=lots", "skip_mature=maybe")
        assert code == 1
        [line] = err.strip().splitlines()
        assert "max_per_hour: must be a whole number" in line
        assert "skip_mature: must be true or false" in line
        assert container.comment_settings.get_settings() == CommentSettings()

    def test_cross_field_rule_is_checked(self, runner: CliRunner, container: Container) -> None:
        """min above max interval is refused by the service, as through the API."""
        code, _, err = _set(runner, container, "min_interval_s=300", "max_interval_s=60")
        assert code == 1
        assert "min_interval_s: must not be greater than max_interval_s" in err
        assert container.comment_settings.get_settings().min_interval_s == 45

    def test_bad_window_and_unknown_source(self, runner: CliRunner, container: Container) -> None:
        """A malformed window or an unknown source is refused with the field's name."""
        code, _, err = _set(runner, container, "active_hours=nine-five", "review_sources=forum")
        assert code == 1
        assert "active_hours:" in err
        assert "review_sources: unknown source 'forum'" in err
        assert container.comment_settings.get_settings() == CommentSettings()

    def test_pair_without_equals_is_usage_error(
        self, runner: CliRunner, container: Container
    ) -> None:
        """`set max_per_hour 20` is a usage error (exit 2); nothing is saved."""
        result = runner.invoke(app, ["settings", "set", "max_per_hour", "20"], obj=container)
        assert result.exit_code == 2
        assert container.comment_settings.get_settings() == CommentSettings()

    def test_a_key_given_twice_is_usage_error(
        self, runner: CliRunner, container: Container
    ) -> None:
        """`max_per_hour=20 max_per_hour=25`: which was meant? Exit 2, nothing saved."""
        result = runner.invoke(
            app, ["settings", "set", "max_per_hour=20", "max_per_hour=25"], obj=container
        )
        assert result.exit_code == 2
        assert container.comment_settings.get_settings() == CommentSettings()
