"""Checks a template body and reports every problem at once, with positions."""

from __future__ import annotations

import difflib
import re
from collections.abc import Set

from photomanager.domain.templates.parser import parse_with_issues
from photomanager.domain.templates.render import (
    ASSUMED_VARIABLE_LENGTH,
    DEFAULT_ASSUMED_LENGTH,
    can_render_blank,
    count_distinct,
    max_length,
)
from photomanager.domain.templates.tree import (
    Group,
    Severity,
    Template,
    TemplateIssue,
    Text,
    Variable,
    walk,
)

KNOWN_VARIABLES: frozenset[str] = frozenset({"author", "title", "username"})
DEFAULT_MAX_LENGTH = 5000
MIN_VARIANTS = 20

_LINK_RE = re.compile(r"https?://|www\.", re.IGNORECASE)
# `@name`, but not the middle of an e-mail address; `:iconname:` and
# `:devname:` are DeviantArt's own mention codes.
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_-]+|:(?:icon|dev)[A-Za-z0-9_-]+:")


def validate_template(
    body: str,
    *,
    max_length: int = DEFAULT_MAX_LENGTH,
    known_variables: Set[str] = KNOWN_VARIABLES,
    min_variants: int = MIN_VARIANTS,
) -> list[TemplateIssue]:
    """Every error and warning in `body`, sorted by position (empty list: all good)."""
    if not body.strip():
        return [
            TemplateIssue.at(
                body,
                Severity.ERROR,
                "empty_template",
                "the template is empty: write the comment text, e.g. `{Great|Lovely} work!`",
                0,
            )
        ]
    template, issues = parse_with_issues(body)
    issues.extend(_unknown_variables(template, known_variables))
    issues.extend(_lookalike_variables(template, known_variables))
    if not any(issue.code == "too_deep" for issue in issues):
        issues.extend(_structural(template, issues, max_length, min_variants))
    issues.extend(_advice(body))
    issues.sort(key=lambda issue: (issue.offset, issue.severity != Severity.ERROR))
    return issues


def _unknown_variables(template: Template, known: Set[str]) -> list[TemplateIssue]:
    names = ", ".join(f"{{{{{name}}}}}" for name in sorted(known)) or "none"
    found = []
    for node in walk(template.nodes):
        if isinstance(node, Variable) and node.name not in known:
            close = difflib.get_close_matches(node.name.lower(), sorted(known), n=1)
            hint = f" (did you mean {{{{{close[0]}}}}}?)" if close else ""
            message = f"unknown variable {{{{{node.name}}}}}{hint}: known variables are {names}"
            found.append(
                TemplateIssue.at(
                    template.source, Severity.ERROR, "unknown_variable", message, node.offset
                )
            )
    return found


def _lookalike_variables(template: Template, known: Set[str]) -> list[TemplateIssue]:
    found = []
    for node in walk(template.nodes):
        if not isinstance(node, Group) or len(node.options) != 1:
            continue
        nodes = node.options[0].nodes
        only = nodes[0] if len(nodes) == 1 else None
        if isinstance(only, Text) and only.value in known:
            found.append(
                TemplateIssue.at(
                    template.source,
                    Severity.WARNING,
                    "looks_like_variable",
                    f"`{{{only.value}}}` is a group with one choice and renders the word "
                    f"'{only.value}': write `{{{{{only.value}}}}}` for the variable",
                    node.offset,
                )
            )
    return found


def _structural(
    template: Template, syntax: list[TemplateIssue], limit: int, min_variants: int
) -> list[TemplateIssue]:
    body = template.source
    found = []
    longest = max_length(template)
    if longest > limit:
        assumed = ", ".join(
            f"{{{{{name}}}}} as {ASSUMED_VARIABLE_LENGTH.get(name, DEFAULT_ASSUMED_LENGTH)}"
            for name in sorted(template.variable_names())
        )
        counting = f" (counting {assumed})" if assumed else ""
        found.append(
            TemplateIssue.at(
                body,
                Severity.ERROR,
                "too_long",
                f"the longest rendering has {longest} characters{counting}, over the limit "
                f"of {limit}: shorten the longest choices",
                0,
            )
        )
    if can_render_blank(template):
        found.append(
            TemplateIssue.at(
                body,
                Severity.ERROR,
                "can_render_empty",
                "some combination of choices renders an empty comment: "
                "give every combination some text",
                0,
            )
        )
    if not syntax and not found:
        variants = count_distinct(template)
        if variants < min_variants:
            found.append(
                TemplateIssue.at(
                    body,
                    Severity.WARNING,
                    "few_variants",
                    f"only {variants} different comment(s) possible: identical comments look "
                    f"like spam, add `{{a|b}}` choices to reach at least {min_variants}",
                    0,
                )
            )
    return found


def _advice(body: str) -> list[TemplateIssue]:
    found = []
    for match in _LINK_RE.finditer(body):
        found.append(
            TemplateIssue.at(
                body,
                Severity.WARNING,
                "link",
                "links in automatic comments look like spam to DeviantArt: consider removing it",
                match.start(),
            )
        )
    for match in _MENTION_RE.finditer(body):
        found.append(
            TemplateIssue.at(
                body,
                Severity.WARNING,
                "mention",
                f"`{match.group()}` notifies that user on every comment, which looks like spam: "
                "consider removing it",
                match.start(),
            )
        )
    return found
