"""`photomanager messages list|add|update|delete|preview`: the comment templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.table import Table

from photomanager.bootstrap import Container
from photomanager.cli.common import console, fail, opened_container
from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import CommentTemplate
from photomanager.domain.templates import Severity

messages_app = typer.Typer(help="Manage comment templates.", no_args_is_help=True)

BodyOption = Annotated[str | None, typer.Option("--body", help="The template text.")]
FileOption = Annotated[
    Path | None,
    typer.Option("--file", exists=True, dir_okay=False, help="Read the template from a file."),
]


def _body(body: str | None, file: Path | None) -> str:
    if body is not None and file is None:
        return body
    if file is not None and body is None:
        return file.read_text(encoding="utf-8")
    raise typer.BadParameter("give exactly one of --body or --file")


def _optional_body(body: str | None, file: Path | None) -> str | None:
    if body is None and file is None:
        return None
    return _body(body, file)


def _print_saved(container: Container, template: CommentTemplate) -> None:
    """Say it is saved, then the warnings `preview` shows (links, @mentions, few variants)."""
    out = console()
    out.print(f"template {template.message_id} saved")
    for issue in container.templates.preview(template.body, n=1).issues:
        if issue.severity is Severity.WARNING:
            out.print(
                f"warning: line {issue.line}, column {issue.column}: {issue.message}",
                markup=False,
            )


@messages_app.command("list")
def list_messages(ctx: typer.Context) -> None:
    """List every template with its uses and variants (few variants are flagged)."""
    out = console()
    with opened_container(ctx) as container:
        table = Table()
        for column in ("id", "title", "active", "uses", "last used", "variants", "body"):
            table.add_column(column)
        for template, usage in container.templates.list_with_usage():
            body = template.body if len(template.body) <= 60 else template.body[:57] + "..."
            last = usage.last_used_at
            table.add_row(
                str(template.message_id),
                template.title,
                "yes" if template.is_active else "no",
                str(usage.uses),
                "never" if last is None else f"{last:%Y-%m-%d %H:%M}",
                f"{usage.variant_count} (few)" if usage.few_variants else str(usage.variant_count),
                body,
            )
        out.print(table)


@messages_app.command("add")
def add_message(
    ctx: typer.Context,
    title: Annotated[str, typer.Option("--title", help="A name for the template.")],
    body: BodyOption = None,
    file: FileOption = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="Save it switched off.")] = False,
) -> None:
    """Add a template (validated: an invalid one says where and what)."""
    text = _body(body, file)
    with opened_container(ctx) as container:
        try:
            created = container.templates.create_template(
                title=title, body=text, is_active=not inactive
            )
        except InvalidInput as exc:
            fail_with_issues(exc)
        _print_saved(container, created)


MessageId = Annotated[int, typer.Argument(min=1, help="The template's id (see `messages list`).")]


@messages_app.command("update")
def update_message(
    ctx: typer.Context,
    message_id: MessageId,
    title: Annotated[str | None, typer.Option("--title", help="A new name.")] = None,
    body: BodyOption = None,
    file: FileOption = None,
    on: Annotated[bool, typer.Option("--active", help="Switch it on.")] = False,
    off: Annotated[bool, typer.Option("--inactive", help="Switch it off.")] = False,
) -> None:
    """Change a template's title, text or active flag (what is not given stays)."""
    if on and off:
        raise typer.BadParameter("--active and --inactive contradict each other: give one")
    active = True if on else False if off else None
    text = _optional_body(body, file)
    if title is None and text is None and active is None:
        raise typer.BadParameter("nothing to change: give --title, --body/--file or --active")
    with opened_container(ctx) as container:
        try:
            updated = container.templates.update_template(
                message_id, title=title, body=text, is_active=active
            )
        except InvalidInput as exc:
            fail_with_issues(exc)
        _print_saved(container, updated)


@messages_app.command("delete")
def delete_message(
    ctx: typer.Context,
    message_id: MessageId,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a template; the log keeps the text that was posted."""
    with opened_container(ctx) as container:
        template = container.templates.get_template(message_id)
        if not yes:
            typer.confirm(f"Delete template {message_id} ({template.title!r})?", abort=True)
        container.templates.delete_template(message_id)
        console().print(f"template {message_id} deleted")


def fail_with_issues(exc: InvalidInput) -> NoReturn:
    """Exit 1 listing every template error with its line:column (one line each)."""
    issues = exc.details if isinstance(exc.details, list) else []
    located = [i for i in issues if isinstance(i, dict) and "line" in i and "column" in i]
    if not located:
        fail(exc.message)
    for issue in located:
        typer.echo(
            f"error: invalid template: line {issue['line']}, column {issue['column']}: "
            f"{' '.join(str(issue.get('message', 'invalid')).split())}",
            err=True,
        )
    raise typer.Exit(1)


@messages_app.command("preview")
def preview_message(
    ctx: typer.Context,
    body: BodyOption = None,
    file: FileOption = None,
    n: Annotated[int, typer.Option("-n", min=1, max=50, help="How many renderings.")] = 5,
) -> None:
    """Render a template a few times without saving it."""
    text = _body(body, file)
    out = console()
    with opened_container(ctx) as container:
        try:
            preview = container.templates.preview(text, n=n)
        except InvalidInput as exc:
            fail_with_issues(exc)
        for sample in preview.samples:
            out.print(f"- {sample}", markup=False)
        out.print(f"{preview.variant_count} variant(s)")
        for issue in preview.issues:
            out.print(
                f"{issue.severity}: line {issue.line}, column {issue.column}: {issue.message}",
                markup=False,
            )
