"""`photomanager settings show|set KEY=VALUE ...`: the artist's pacing, caps and filters.

Values are typed from the command line's text by the field's type, then
validated by the same `SettingsService` as `PUT /api/deviation-comments/settings`.
Text that does not parse is handed over as is, so the service's message
(which names the field and what to fix) is the one the artist reads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table

from photomanager.cli.common import console, fail, opened_container
from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import CommentSettings

settings_app = typer.Typer(help="Show and change pacing, caps and filters.", no_args_is_help=True)

NONE_WORDS = frozenset({"", "none", "null"})  # "no value": any time, no limit, empty list
TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "off", "0"})


def _field_types() -> dict[str, str]:
    # Annotations are strings here (postponed evaluation): "int", "int | None", ...
    return {f.name: str(f.type) for f in dataclasses.fields(CommentSettings)}


def _text(text: str) -> Any:
    return text


def _int(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return text  # the service answers "must be a whole number from .. to .."


def _optional(inner: Callable[[str], Any]) -> Callable[[str], Any]:
    return lambda text: None if text.lower() in NONE_WORDS else inner(text)


def _bool(text: str) -> Any:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return text  # the service answers "must be true or false"


def _list(text: str) -> Any:
    if text.lower() in NONE_WORDS:
        return ()
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _sources(text: str) -> Any:
    # "global-feed" and "Global_Feed" mean global_feed; unknown names reach the service.
    items = _list(text)
    return tuple(item.lower().replace("-", "_") for item in items)


_PARSERS: dict[str, Callable[[str], Any]] = {
    "int": _int,
    "int | None": _optional(_int),
    "bool": _bool,
    "str": _text,
    "str | None": _optional(_text),
    "tuple[str, ...]": _list,
    "tuple[SourceKind, ...]": _sources,
}


def parse_assignments(pairs: list[str]) -> dict[str, Any]:
    """`KEY=VALUE` texts as typed changes; a pair without `=`, or a key given twice, is a
    usage error (which value was meant cannot be guessed)."""
    types = _field_types()
    changes: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise typer.BadParameter(f"expected KEY=VALUE, got {pair!r}")
        if key in changes:
            raise typer.BadParameter(f"{key} is given twice: give it once")
        parse = _PARSERS.get(types.get(key, ""), _text)  # unknown keys: the service names them
        changes[key] = parse(text.strip())
    return changes


def _shown(value: object) -> str:
    """A value as `settings set` accepts it back."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(str(item) for item in value) or "none"
    return str(value)


def _print(settings: CommentSettings) -> None:
    table = Table()
    table.add_column("setting", no_wrap=True)
    table.add_column("value")
    for field in dataclasses.fields(CommentSettings):
        table.add_row(field.name, _shown(getattr(settings, field.name)))
    console().print(table, markup=False)


@settings_app.command("show")
def show_settings(ctx: typer.Context) -> None:
    """Every setting with its value (`none`: any time, no limit, or an empty list)."""
    with opened_container(ctx) as container:
        _print(container.comment_settings.get_settings())


@settings_app.command("set")
def set_settings(
    ctx: typer.Context,
    pairs: Annotated[
        list[str],
        typer.Argument(
            metavar="KEY=VALUE",
            help="e.g. max_per_hour=20 active_hours=09:00-23:00 exclude_authors=a,b "
            "skip_mature=false active_hours=none review_sources=global_feed",
        ),
    ],
) -> None:
    """Change some settings (all or nothing: every field is checked first), then show them."""
    changes = parse_assignments(pairs)
    with opened_container(ctx) as container:
        try:
            saved = container.comment_settings.update_settings(**changes)
        except InvalidInput as exc:
            fail(_explained(exc))
        console().print("settings saved")
        _print(saved)


def _explained(exc: InvalidInput) -> str:
    """The service's message; an unknown name also lists the known ones."""
    details = exc.details if isinstance(exc.details, dict) else {}
    if "unknown setting" not in details.values():
        return exc.message
    known = ", ".join(f.name for f in dataclasses.fields(CommentSettings))
    return f"{exc.message} (known settings: {known})"
