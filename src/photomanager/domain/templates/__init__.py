"""The comment template language (syntax and rules in `language.py`).

- `tree`: the parsed shape of a template and the issues found in one;
- `parser`: a recovering parser that reports every mistake at once;
- `render`: rendering, counting and enumerating renderings;
- `validate`: every problem of a body, with positions;
- `sanitize`: DeviantArt's text (titles, names) made safe to insert as a variable.
"""

from __future__ import annotations

from photomanager.domain.templates.language import (
    ASSUMED_VARIABLE_LENGTH,
    DEFAULT_MAX_LENGTH,
    EXACT_COUNT_LIMIT,
    KNOWN_VARIABLES,
    MAX_DEPTH,
    MAX_WEIGHT,
    MIN_VARIANTS,
    VARIANT_CAP,
    Group,
    Node,
    Option,
    Severity,
    Template,
    TemplateIssue,
    Text,
    Variable,
    count_variants,
    enumerate_variants,
    max_rendered_length,
    parse_template,
    randomize_template,
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
