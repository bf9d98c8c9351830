"""The parsed shape of a comment template, and the issues found in one.

Template
 └── nodes: Text | Variable | Group
                              └── options: Option (weight, nodes)

Every node keeps the offset of its first character in the source, so
issues found after parsing can still point at the right place.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass


class Severity(enum.StrEnum):
    """An error blocks saving and rendering; a warning is advice."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class TemplateIssue:
    """One problem in a template body, with where it is and what to do about it.

    `offset` is 0-based (in characters); `line` and `column` are 1-based.
    """

    severity: Severity
    code: str
    message: str
    offset: int
    line: int
    column: int

    @classmethod
    def at(
        cls, body: str, severity: Severity, code: str, message: str, offset: int
    ) -> TemplateIssue:
        """Build an issue, computing line and column of `offset` in `body`."""
        line = body.count("\n", 0, offset) + 1
        column = offset - (body.rfind("\n", 0, offset) + 1) + 1
        return cls(severity, code, message, offset, line, column)

    def to_dict(self) -> dict[str, str | int]:
        """Plain JSON-ready form, used as `InvalidInput.details`."""
        return {
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
            "offset": self.offset,
            "line": self.line,
            "column": self.column,
        }


@dataclass(frozen=True, slots=True)
class Text:
    """Literal text, escapes already resolved."""

    value: str
    offset: int


@dataclass(frozen=True, slots=True)
class Variable:
    """`{{name}}`: replaced by a value that is never read as template syntax."""

    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class Option:
    """One choice of a group; `weight` is relative to its siblings."""

    weight: int
    nodes: tuple[Node, ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Group:
    """`{a|b|c}`: one option is chosen per rendering."""

    options: tuple[Option, ...]
    offset: int


Node = Text | Variable | Group


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template body."""

    source: str
    nodes: tuple[Node, ...]

    def variable_names(self) -> frozenset[str]:
        """Names of every variable the template uses."""
        return frozenset(node.name for node in walk(self.nodes) if isinstance(node, Variable))


def walk(nodes: tuple[Node, ...]) -> Iterator[Node]:
    """Every node, depth first, in source order."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Group):
            for option in reversed(node.options):
                stack.extend(reversed(option.nodes))
