"""`photomanager inbox [--unread]`, `inbox read ID`, `inbox reply ID TEXT`.

Replies are deviants' text: printed as plain text (never as console markup).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from photomanager.cli.common import console, opened_container
from photomanager.domain.inbox import AnswerState, InboxItem
from photomanager.services.inbox.answers import MAX_PAGE

inbox_app = typer.Typer(
    help="Replies to your comments (and the other messages): read and answer them by hand.",
    invoke_without_command=True,
)

ItemArgument = Annotated[int, typer.Argument(min=1, help="The item's id (the first column).")]


@inbox_app.callback()
def list_inbox(
    ctx: typer.Context,
    unread: Annotated[bool, typer.Option("--unread", help="Only unread items.")] = False,
    kind: Annotated[
        str, typer.Option("--kind", help="replies (default), other (watches, faves...) or all.")
    ] = "replies",
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_PAGE)] = 30,
) -> None:
    """Show the inbox, newest first (replies unless --kind says otherwise)."""
    if ctx.invoked_subcommand is not None:
        return
    out = console()
    with opened_container(ctx) as container:
        page = container.inbox.list_items(
            status="unread" if unread else "all", kind=kind, limit=limit
        )
        reconnect = container.inbox_overview.overview().reconnect_to_read_replies
    if reconnect:
        out.print("reconnect to read replies: `photomanager auth login` (the message scope)")
    if not page.items:
        out.print("the inbox is empty" if not unread else "no unread items")
        return
    for item in page.items:
        out.print(_block(item))
    out.print(f"{page.unread} unread repl{'y' if page.unread == 1 else 'ies'}")
    if page.next_cursor:
        out.print(f"(showing the newest {limit})")


def _block(item: InboxItem) -> Text:
    """One item as a few lines; every text a deviant wrote stays plain text (no markup)."""
    message = item.message
    status = item.status.value
    if item.answer is not None and item.answer.state is not AnswerState.SENT:
        status += f", answer {item.answer.state.value}"
    where = message.deviation_title or message.deviationid or "-"
    block = Text()
    block.append(f"#{item.id}", style="bold")
    block.append(f"  {status}  {item.received_at:%Y-%m-%d %H:%M} UTC  {message.kind.value} from ")
    block.append(message.originator_username or "?")
    block.append(" on ")
    block.append(where)
    if item.our_comment_body:
        block.append("\n  our comment: ")
        block.append(item.our_comment_body)
    if message.body is not None:
        block.append("\n  " + ("reply" if message.kind.value == "reply" else "text") + ": ")
        block.append(message.body)
    if item.answer is not None:
        block.append("\n  your answer: ")
        block.append(item.answer.body)
    return block


@inbox_app.command("read")
def mark_read(ctx: typer.Context, item_id: ItemArgument) -> None:
    """Mark an item read."""
    with opened_container(ctx) as container:
        item = container.inbox.mark_read(item_id)
    console().print(f"item {item.id}: {item.status.value}")


@inbox_app.command("reply")
def reply(
    ctx: typer.Context,
    item_id: ItemArgument,
    text: Annotated[str, typer.Argument(help="Your answer, posted under the deviant's reply.")],
) -> None:
    """Post your answer under the deviant's reply (once: a second answer is refused)."""
    with opened_container(ctx, needs_deviantart=True) as container:
        item = container.inbox.reply(item_id, text)
    answer = item.answer
    out = console()
    if answer is not None and answer.state is AnswerState.UNKNOWN:
        out.print(
            f"item {item.id}: DeviantArt's answer was lost; the reply may have landed. "
            "It is checked before any other answer: run the command again in a few minutes."
        )
        raise typer.Exit(1)
    out.print(Text(f"item {item.id}: answered ({answer.commentid if answer else '?'})"))
