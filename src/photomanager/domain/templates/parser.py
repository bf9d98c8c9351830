"""A recovering parser for the template language (see the package docstring for the language).

It never stops at the first mistake: it records an issue, repairs the
structure (skips a stray `}`, closes unclosed groups at the end) and goes
on, so the artist sees every error at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from photomanager.domain.templates.tree import (
    Group,
    Node,
    Option,
    Severity,
    Template,
    TemplateIssue,
    Text,
    Variable,
)

# `{{` + identifier + `}}` (spaces allowed inside) is a variable; any other `{` opens a group.
VARIABLE_RE = re.compile(r"\{\{[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\}\}")
# Anything that looks like an attempt at a weight; only `[0-9]+::` in range is a valid one.
_WEIGHT_LIKE_RE = re.compile(r"[+\-]?[0-9.,]*[0-9][0-9.,]*::")
_WEIGHT_RE = re.compile(r"[0-9]+::")
ESCAPABLE = frozenset("{}|\\:")
MAX_WEIGHT = 1_000_000
# Rendering and counting recurse once per level; this keeps them far from Python's limit.
MAX_DEPTH = 20


@dataclass
class _Frame:
    """A group being parsed."""

    offset: int
    options: list[Option] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    option_offset: int = 0
    weight: int = 1


class _Parser:
    def __init__(self, body: str) -> None:
        self.body = body
        self.pos = 0
        self.top: list[Node] = []
        self.stack: list[_Frame] = []
        self.issues: list[TemplateIssue] = []
        self.text: list[str] = []
        self.text_start = 0
        self.too_deep_reported = False

    def error(self, code: str, message: str, offset: int) -> None:
        self.issues.append(TemplateIssue.at(self.body, Severity.ERROR, code, message, offset))

    def nodes(self) -> list[Node]:
        return self.stack[-1].nodes if self.stack else self.top

    def add_text(self, chars: str, offset: int) -> None:
        if not self.text:
            self.text_start = offset
        self.text.append(chars)

    def flush(self) -> None:
        if self.text:
            self.nodes().append(Text("".join(self.text), self.text_start))
            self.text = []

    def run(self) -> tuple[Template, list[TemplateIssue]]:
        body = self.body
        while self.pos < len(body):
            char = body[self.pos]
            if char == "\\":
                self.backslash()
            elif char == "{":
                self.open_brace()
            elif char == "}":
                self.close_brace()
            elif char == "|" and self.stack:
                self.flush()
                self.end_option()
                self.pos += 1
                self.start_option()
            elif char == "|":
                self.error(
                    "stray_pipe",
                    "`|` outside a `{...}` group: wrap the choices in braces like "
                    "`{a|b}`, or write `\\|` for a literal bar",
                    self.pos,
                )
                self.add_text("|", self.pos)
                self.pos += 1
            else:
                self.add_text(char, self.pos)
                self.pos += 1
        self.flush()
        while self.stack:
            frame = self.stack[-1]
            self.error(
                "unclosed_group",
                "`{` opened here is never closed: add a matching `}`, "
                "or write `\\{` for a literal brace",
                frame.offset,
            )
            self.close_group()
        self.issues.sort(key=lambda issue: issue.offset)
        return Template(body, tuple(self.top)), self.issues

    def backslash(self) -> None:
        nxt = self.body[self.pos + 1 : self.pos + 2]
        if not nxt:
            self.error(
                "dangling_backslash",
                "the template ends with a lone `\\`: remove it, or write `\\\\` for a backslash",
                self.pos,
            )
            self.pos += 1
        elif nxt in ESCAPABLE:
            self.add_text(nxt, self.pos)
            self.pos += 2
        else:
            # Kept literally so `\o/` and `¯\_(ツ)_/¯` need no escaping.
            self.add_text("\\", self.pos)
            self.pos += 1

    def open_brace(self) -> None:
        self.flush()
        match = VARIABLE_RE.match(self.body, self.pos)
        if match:
            self.nodes().append(Variable(match.group(1), self.pos))
            self.pos = match.end()
            return
        if len(self.stack) >= MAX_DEPTH and not self.too_deep_reported:
            self.too_deep_reported = True
            self.error(
                "too_deep",
                f"groups are nested more than {MAX_DEPTH} levels deep here: flatten them",
                self.pos,
            )
        self.stack.append(_Frame(self.pos))
        self.pos += 1
        self.start_option()

    def close_brace(self) -> None:
        if not self.stack:
            self.error(
                "unexpected_close",
                "`}` has no matching `{`: remove it, or write `\\}` for a literal brace",
                self.pos,
            )
            self.pos += 1
            return
        self.flush()
        self.pos += 1
        self.close_group()

    def start_option(self) -> None:
        frame = self.stack[-1]
        frame.option_offset = self.pos
        frame.weight = 1
        match = _WEIGHT_LIKE_RE.match(self.body, self.pos)
        if not match:
            return
        raw = match.group()[:-2]
        valid = _WEIGHT_RE.fullmatch(match.group()) is not None and 1 <= int(raw) <= MAX_WEIGHT
        if valid:
            frame.weight = int(raw)
        else:
            self.error(
                "bad_weight",
                f"weight `{raw}::` must be a whole number from 1 to {MAX_WEIGHT} "
                "(to drop a choice, delete it; to start a choice with this text, "
                "write `\\:` for each colon)",
                self.pos,
            )
        self.pos = match.end()

    def end_option(self) -> None:
        frame = self.stack[-1]
        frame.options.append(Option(frame.weight, tuple(frame.nodes), frame.option_offset))
        frame.nodes = []

    def close_group(self) -> None:
        self.end_option()
        frame = self.stack.pop()
        self.nodes().append(Group(tuple(frame.options), frame.offset))


def parse_with_issues(body: str) -> tuple[Template, list[TemplateIssue]]:
    """Parse `body`, returning a best-effort template and every syntax error found."""
    return _Parser(body).run()
