"""The comment template language: parse, validate, count and render.

Syntax
------
- `{a|b|c}` picks one option per rendering. Groups nest (`{Great {work|piece}|Lovely}`)
  and options may be empty (`work{|!}`). `{a}` is a group with one option.
- `{3::Wonderful|Nice}`: a weight `N::` right after `{` or `|` makes that option N
  times as likely as a weight-1 option (the default). Weights are whole numbers from
  1 to 1,000,000; `0::`, `-1::`, `1.5::` are errors (to drop an option, delete it).
  `N::` anywhere else is plain text.
- `\\{ \\} \\| \\\\ \\:` are a literal `{ } | \\ :` (`\\:` lets an option start with
  text like `3::`). A backslash before any other character is itself literal, so
  `\\o/` needs no escaping; a backslash at the very end is an error.
- `{{author}}`, `{{title}}`, `{{username}}` (the artist's own account) insert values.
- A `|` outside any group is an error (write `\\|`), as are unbalanced braces.

The `{{` rule
-------------
At a `{`, if the text from there matches `{{` + optional spaces + an identifier
(`[A-Za-z_][A-Za-z0-9_]*`) + optional spaces + `}}`, it is a variable; otherwise
that `{` opens a group and parsing goes on at the next character. So
`{{a|b}|c}` is a group inside a group, `{{author}}` is a variable, and
`{{{author}}|x}` is a group whose first option is the variable.

Rendering
---------
Variable values are inserted verbatim and never read as syntax. The result is
stripped of leading/trailing whitespace; whitespace inside is left as written.
Given the same `random.Random` state, rendering is deterministic.

Modules
-------
`tree` (the parsed shape and its issues), `parser` (recovering: every mistake at
once), `render` (render, count, enumerate), `validate` (every problem, with
positions), `sanitize` (DeviantArt's text made safe to insert as a variable).
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from photomanager.domain.errors import InvalidInput
from photomanager.domain.templates.parser import MAX_DEPTH, MAX_WEIGHT, parse_with_issues
from photomanager.domain.templates.render import (
    ASSUMED_VARIABLE_LENGTH,
    EXACT_COUNT_LIMIT,
    VARIANT_CAP,
    count_distinct,
    distinct_renderings,
    max_length,
    render,
)
from photomanager.domain.templates.tree import (
    Group,
    Node,
    Option,
    Severity,
    Template,
    TemplateIssue,
    Text,
    Variable,
    walk,
)
from photomanager.domain.templates.validate import (
    DEFAULT_MAX_LENGTH,
    KNOWN_VARIABLES,
    MIN_VARIANTS,
    validate_template,
)

__all__ = [
    "ASSUMED_VARIABLE_LENGTH",
    "DEFAULT_MAX_LENGTH",
    "EXACT_COUNT_LIMIT",
    "KNOWN_VARIABLES",
    "MAX_DEPTH",
    "MAX_WEIGHT",
    "MIN_VARIANTS",
    "VARIANT_CAP",
    "Group",
    "Node",
    "Option",
    "Severity",
    "Template",
    "TemplateIssue",
    "Text",
    "Variable",
    "count_variants",
    "enumerate_variants",
    "max_rendered_length",
    "parse_template",
    "randomize_template",
    "validate_template",
]


def _invalid(summary: str, issues: list[TemplateIssue]) -> InvalidInput:
    first = issues[0]
    more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
    return InvalidInput(
        f"{summary}: line {first.line}, column {first.column}: {first.message}{more}",
        details=[issue.to_dict() for issue in issues],
    )


def parse_template(body: str) -> Template:
    """Parse `body`; raise `InvalidInput` (details: every syntax error) if it is malformed."""
    template, issues = parse_with_issues(body)
    if issues:
        raise _invalid("invalid template", issues)
    return template


def _parsed(body: str | Template) -> Template:
    return body if isinstance(body, Template) else parse_template(body)


def randomize_template(
    body: str | Template, variables: Mapping[str, str], rng: random.Random
) -> str:
    """Render one random comment from `body`, inserting `variables` verbatim.

    Raises `InvalidInput` if the template is malformed, uses a variable missing
    from `variables`, or this rendering came out empty.
    """
    template = _parsed(body)
    issues = [
        TemplateIssue.at(
            template.source,
            Severity.ERROR,
            "unknown_variable",
            f"no value for variable {{{{{node.name}}}}}",
            node.offset,
        )
        for node in walk(template.nodes)
        if isinstance(node, Variable) and node.name not in variables
    ]
    if issues:
        raise _invalid("cannot render template", issues)
    text = render(template, variables, rng)
    if not text:
        raise InvalidInput(
            "the template rendered an empty comment: give every combination some text",
            details=[],
        )
    return text


def count_variants(body: str | Template) -> int:
    """How many different comments `body` can render (variables held fixed).

    Exact up to `EXACT_COUNT_LIMIT` paths; above that a structural upper bound,
    saturated at `VARIANT_CAP`. Never enumerates large spaces.
    """
    return count_distinct(_parsed(body))


def enumerate_variants(
    body: str | Template, limit: int = 100, variables: Mapping[str, str] | None = None
) -> list[str]:
    """Up to `limit` distinct renderings in option order, for previews of small templates.

    Variables missing from `variables` show as `{{name}}`. Stops early (possibly
    short of `limit`) after examining 100,000 combinations.
    """
    known = variables or {}
    return distinct_renderings(
        _parsed(body), lambda name: known.get(name, f"{{{{{name}}}}}"), limit
    )


def max_rendered_length(body: str | Template, variables: Mapping[str, str] | None = None) -> int:
    """Upper bound of a rendering's length in characters.

    Variables missing from `variables` count with `ASSUMED_VARIABLE_LENGTH`.
    """
    return max_length(_parsed(body), variables)
