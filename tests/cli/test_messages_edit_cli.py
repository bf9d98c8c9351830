"""`messages update|delete`, and the preview's warnings printed after `add`/`update` save."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from photomanager.bootstrap import Container
from photomanager.cli import app
from photomanager.domain.errors import NotFound

RICH = "{Lovely|Great|Superb|Wonderful|Fine} {work|piece|job|art|result}, {{author}}!"


@pytest.fixture
def template_id(container: Container) -> int:
    """A saved, active template with plenty of variants."""
    return container.templates.create_template(title="Kind", body=RICH).message_id


class TestUpdate:
    def test_changes_only_what_is_given(
        self, runner: CliRunner, container: Container, template_id: int
    ) -> None:
        """--title alone renames; body and active flag stay."""
        result = runner.invoke(
            app, ["messages", "update", str(template_id), "--title", "Warm"], obj=container
        )
        assert result.exit_code == 0, result.output
        saved = container.templates.get_template(template_id)
        assert (saved.title, saved.body, saved.is_active) == ("Warm", RICH, True)
        assert f"template {template_id} saved" in result.stdout

    def test_deactivates_and_reactivates(
        self, runner: CliRunner, container: Container, template_id: int
    ) -> None:
        """--inactive switches a template off, --active back on."""
        args = ["messages", "update", str(template_id)]
        assert runner.invoke(app, [*args, "--inactive"], obj=container).exit_code == 0
        assert container.templates.get_template(template_id).is_active is False
        assert runner.invoke(app, [*args, "--active"], obj=container).exit_code == 0
        assert container.templates.get_template(template_id).is_active is True

    def test_active_and_inactive_together_is_a_usage_error(
        self, runner: CliRunner, container: Container, template_id: int
    ) -> None:
        """--active --inactive contradict each other: exit 2, the template is unchanged."""
        before = container.templates.get_template(template_id).is_active
        args = ["messages", "update", str(template_id), "--active", "--inactive"]
        assert runner.invoke(app, args, obj=container).exit_code == 2
        assert container.templates.get_template(template_id).is_active is before

    def test_body_from_a_file(
        self, runner: CliRunner, container: Container, template_id: int, tmp_path: Path
    ) -> None:
        """--file replaces the body with the file's text."""
        new = "{Nice|Neat|Cool|Bold|Calm} {colours|lines|shapes|light|mood}!"
        path = tmp_path / "t.txt"
        path.write_text(new, encoding="utf-8")
        result = runner.invoke(
            app, ["messages", "update", str(template_id), "--file", str(path)], obj=container
        )
        assert result.exit_code == 0, result.output
        assert container.templates.get_template(template_id).body == new

    def test_invalid_body_is_refused_with_position(
        self, runner: CliRunner, container: Container, template_id: int
    ) -> None:
        """An unclosed group exits 1 with line:column; the stored body is unchanged."""
        result = runner.invoke(
            app, ["messages", "update", str(template_id), "--body", "{a|b"], obj=container
        )
        assert result.exit_code == 1
        assert "line 1, column" in result.stderr
        assert container.templates.get_template(template_id).body == RICH

    def test_unknown_id_exits_1(self, runner: CliRunner, container: Container) -> None:
        """Updating a template that does not exist says so in one line."""
        result = runner.invoke(app, ["messages", "update", "999", "--inactive"], obj=container)
        assert result.exit_code == 1
        assert result.stderr.strip() == "error: no template 999"

    def test_nothing_to_change_is_usage_error(
        self, runner: CliRunner, container: Container, template_id: int
    ) -> None:
        """`update ID` without options is a usage error (exit 2)."""
        result = runner.invoke(app, ["messages", "update", str(template_id)], obj=container)
        assert result.exit_code == 2
        assert container.templates.get_template(template_id).title == "Kind"


class TestDelete:
    def test_yes_deletes(self, runner: CliRunner, container: Container, template_id: int) -> None:
        """`delete ID --yes` removes the template without asking."""
        result = runner.invoke(
            app, ["messages", "delete", str(template_id), "--yes"], obj=container
        )
        assert result.exit_code == 0, result.output
        with pytest.raises(NotFound):
            container.templates.get_template(template_id)

    def test_declining_the_prompt_keeps_it(
        self, runner: CliRunner, container: Container, template_id: int
    ) -> None:
        """Answering no at the prompt aborts (exit 1) and keeps the template."""
        result = runner.invoke(
            app, ["messages", "delete", str(template_id)], obj=container, input="n\n"
        )
        assert result.exit_code == 1
        assert container.templates.get_template(template_id).title == "Kind"

    def test_unknown_id_exits_1(self, runner: CliRunner, container: Container) -> None:
        """Deleting a template that does not exist says so in one line."""
        result = runner.invoke(app, ["messages", "delete", "999", "--yes"], obj=container)
        assert result.exit_code == 1
        assert result.stderr.strip() == "error: no template 999"


class TestWarningsAfterSave:
    def test_add_prints_link_mention_and_few_variants(
        self, runner: CliRunner, container: Container
    ) -> None:
        """A saved template with a link, an @mention and few variants gets all three warnings."""
        body = "{Nice|Great} work, see https://example.com and @someone"
        result = runner.invoke(
            app, ["messages", "add", "--title", "Spammy", "--body", body], obj=container
        )
        assert result.exit_code == 0, result.output
        [saved] = container.templates.list_templates()
        lines = result.stdout.splitlines()
        assert lines[0] == f"template {saved.message_id} saved"
        warnings = [line for line in lines[1:] if line.startswith("warning: ")]
        assert len(warnings) == 3
        assert any("links" in w for w in warnings)
        assert any("@someone" in w for w in warnings)
        assert any("different comment(s) possible" in w for w in warnings)

    def test_update_prints_warnings_of_the_new_body(
        self, runner: CliRunner, container: Container, template_id: int
    ) -> None:
        """Updating to a body with a link prints the link warning after "saved"."""
        body = f"{RICH} https://example.com"
        result = runner.invoke(
            app, ["messages", "update", str(template_id), "--body", body], obj=container
        )
        assert result.exit_code == 0, result.output
        assert container.templates.get_template(template_id).body == body
        [warning] = [line for line in result.stdout.splitlines() if line.startswith("warning: ")]
        assert "links" in warning

    def test_a_clean_template_prints_no_warning(
        self, runner: CliRunner, container: Container
    ) -> None:
        """A template with many variants and no link or mention saves silently."""
        result = runner.invoke(
            app, ["messages", "add", "--title", "Fine", "--body", RICH], obj=container
        )
        assert result.exit_code == 0, result.output
        assert "warning" not in result.stdout
        assert len(container.templates.list_templates()) == 1
