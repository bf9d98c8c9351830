"""`photomanager outcomes`, `inbox`, `inbox read|reply`, and the inbox line of `status`."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from api.support import post_one
from photomanager.bootstrap import Container
from photomanager.cli import app
from photomanager.domain.models import Source
from photomanager.sandbox import ManualClock, Reactions, Sandbox
from photomanager.storage.tables import inbox_messages

HOSTILE = "[bold red]shout[/] <b>x</b>"


@pytest.fixture
def answered_world(container: Container, sandbox: Sandbox, sandbox_clock: ManualClock) -> Container:
    """Two comments posted, every deviant reacted, the inbox read once."""
    run = container.collect_runs.start(Source.WATCH_FEED, pages=1)
    container.collect_runs.wait(run.run_id, timeout=30)
    container.templates.create_template(title="Thanks", body="{Lovely|Great} work, {{author}}!")
    sandbox.reactions = Reactions.certain(delay_s=60)
    for _ in range(2):
        post_one(container)
    sandbox_clock.advance(120)
    sandbox.catch_up()
    container.inbox_overview.refresh()
    container.inbox_overview.join(timeout=30)
    return container


def first_reply_id(container: Container) -> int:
    return container.inbox.list_items().items[0].id


class TestOutcomesCommand:
    def test_prints_the_table_per_template(
        self, runner: CliRunner, answered_world: Container
    ) -> None:
        """The template's row: 2 comments, 2 replies, 100% with its interval; the window."""
        result = runner.invoke(app, ["outcomes"], obj=answered_world, env={"COLUMNS": "200"})

        assert result.exit_code == 0, result.output
        assert "Thanks" in result.stdout
        assert "100% [34-100]" in result.stdout  # 2 of 2, Wilson 95%
        assert "within 14 days" in result.stdout

    def test_by_source_and_a_bad_grouping(
        self, runner: CliRunner, answered_world: Container
    ) -> None:
        """--by source lists the feed; --by author exits 1 saying the choices."""
        by_source = runner.invoke(
            app, ["outcomes", "--by", "source"], obj=answered_world, env={"COLUMNS": "200"}
        )
        bad = runner.invoke(app, ["outcomes", "--by", "author"], obj=answered_world)

        assert by_source.exit_code == 0, by_source.output
        assert "watch_feed" in by_source.stdout
        assert bad.exit_code == 1
        assert "template, source or week" in bad.stderr


class TestInboxCommands:
    def test_lists_unread_replies(self, runner: CliRunner, answered_world: Container) -> None:
        """`inbox --unread`: the replies, with our comment and the unread count."""
        result = runner.invoke(app, ["inbox", "--unread"], obj=answered_world)

        assert result.exit_code == 0, result.output
        assert "2 unread replies" in result.stdout
        assert "Lovely" in result.stdout or "Great" in result.stdout

    def test_read_and_reply_once(
        self, runner: CliRunner, answered_world: Container, sandbox: Sandbox
    ) -> None:
        """`inbox read ID`, `inbox reply ID TEXT`; a second reply exits 1, nothing posted."""
        item = first_reply_id(answered_world)

        read = runner.invoke(app, ["inbox", "read", str(item)], obj=answered_world)
        reply = runner.invoke(app, ["inbox", "reply", str(item), "Thank you!"], obj=answered_world)
        again = runner.invoke(app, ["inbox", "reply", str(item), "Again"], obj=answered_world)

        assert read.exit_code == 0, read.output
        assert "read" in read.stdout
        assert reply.exit_code == 0, reply.output
        assert "answered" in reply.stdout
        assert again.exit_code == 1
        assert "answer already" in again.stderr
        assert [r.body for r in sandbox.ledger.replies()] == ["Thank you!"]

    def test_a_hostile_reply_prints_as_text(
        self, runner: CliRunner, answered_world: Container
    ) -> None:
        """Console markup in a deviant's text is printed, not interpreted."""
        with answered_world.engine.begin() as conn:
            conn.execute(update(inbox_messages).values(body=HOSTILE))

        result = runner.invoke(app, ["inbox"], obj=answered_world)

        assert result.exit_code == 0, result.output
        assert "[bold red]shout[/]" in result.stdout

    def test_an_empty_answer_exits_1(self, runner: CliRunner, answered_world: Container) -> None:
        """A blank answer: exit 1 with the reason."""
        item = first_reply_id(answered_world)

        result = runner.invoke(app, ["inbox", "reply", str(item), "  "], obj=answered_world)

        assert result.exit_code == 1
        assert "empty" in result.stderr


class TestStatusLine:
    def test_status_shows_the_last_read(self, runner: CliRunner, answered_world: Container) -> None:
        """The inbox row: unread replies and when the inbox was last read."""
        result = runner.invoke(app, ["status"], obj=answered_world)

        assert result.exit_code == 0, result.output
        assert "2 unread replies" in result.stdout
        assert "last read" in result.stdout

    def test_status_asks_to_reconnect_without_the_scope(
        self, runner: CliRunner, container: Container, sandbox: Sandbox
    ) -> None:
        """A connection without `message`: RECONNECT TO READ REPLIES."""
        container.auth.tokens.store(sandbox.issue_user_token(scope="browse comment.post user"))

        result = runner.invoke(app, ["status"], obj=container)

        assert result.exit_code == 0, result.output
        assert "RECONNECT TO READ REPLIES" in result.stdout


class TestSettings:
    def test_poll_minutes_and_attribution_days_are_checked(
        self, runner: CliRunner, container: Container
    ) -> None:
        """`settings set`: 0 and 5-1440 minutes, 1-90 days; anything else exits 1."""
        ok = runner.invoke(
            app, ["settings", "set", "inbox_poll_minutes=30", "attribution_days=7"], obj=container
        )
        too_often = runner.invoke(app, ["settings", "set", "inbox_poll_minutes=1"], obj=container)
        too_long = runner.invoke(app, ["settings", "set", "attribution_days=365"], obj=container)
        shown = runner.invoke(app, ["settings", "show"], obj=container)

        assert ok.exit_code == 0, ok.output
        assert too_often.exit_code == 1
        assert "inbox_poll_minutes" in too_often.stderr
        assert too_long.exit_code == 1
        assert "attribution_days" in too_long.stderr
        assert "inbox_poll_minutes" in shown.stdout
        settings = container.comment_settings.get_settings()
        assert (settings.inbox_poll_minutes, settings.attribution_days) == (30, 7)
