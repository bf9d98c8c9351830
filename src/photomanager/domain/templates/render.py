"""Rendering, counting and enumerating renderings of a parsed template.

Variable values are appended as they are, after parsing: they are never
read as template syntax, whatever braces, bars or `{{...}}` they contain.
Every rendering is stripped of leading and trailing whitespace (so an empty
first or last choice leaves no stray space); whitespace inside is kept as
the artist wrote it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping

from photomanager.domain.templates.tree import Group, Node, Template, Text, Variable

VARIANT_CAP = 10**12
# Up to this many structural paths, counts are exact (distinct strings, after
# stripping); above it they are the structural count, an upper bound.
EXACT_COUNT_LIMIT = 1000
# enumerate_variants never looks at more paths than this, whatever its limit.
ENUMERATION_BUDGET = 100_000
# Lengths assumed for variables whose value is not known yet (DeviantArt
# usernames have at most 20 characters; titles get a generous allowance).
ASSUMED_VARIABLE_LENGTH: Mapping[str, int] = {"author": 20, "username": 20, "title": 100}
DEFAULT_ASSUMED_LENGTH = 100


def render(template: Template, variables: Mapping[str, str], rng: random.Random) -> str:
    """One random rendering; every variable used must be in `variables`."""
    out: list[str] = []
    _render(template.nodes, variables, rng, out)
    return "".join(out).strip()


def _render(
    nodes: tuple[Node, ...], variables: Mapping[str, str], rng: random.Random, out: list[str]
) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.value)
        elif isinstance(node, Variable):
            out.append(variables[node.name])
        else:
            options = node.options
            if len(options) == 1:
                chosen = options[0]
            else:
                chosen = rng.choices(options, weights=[o.weight for o in options])[0]
            _render(chosen.nodes, variables, rng, out)


class _Counter:
    """Structural path counts (exact big integers), memoized per node identity."""

    def __init__(self) -> None:
        self.memo: dict[int, int] = {}

    def seq(self, nodes: tuple[Node, ...]) -> int:
        total = 1
        for node in nodes:
            total *= self.node(node)
        return total

    def node(self, node: Node) -> int:
        if not isinstance(node, Group):
            return 1
        key = id(node)
        if key not in self.memo:
            self.memo[key] = sum(self.seq(option.nodes) for option in node.options)
        return self.memo[key]


def structural_count(template: Template) -> int:
    """Number of paths through the template, not capped, duplicates included."""
    return _Counter().seq(template.nodes)


def iter_paths(template: Template, var_text: Callable[[str], str]) -> Iterator[str]:
    """Every path's rendering (stripped), in option order, duplicates included."""
    counter = _Counter()
    total = counter.seq(template.nodes)
    for index in range(total):
        out: list[str] = []
        _render_index(template.nodes, index, counter, var_text, out)
        yield "".join(out).strip()


def _render_index(
    nodes: tuple[Node, ...],
    index: int,
    counter: _Counter,
    var_text: Callable[[str], str],
    out: list[str],
) -> None:
    # Mixed radix: the last node varies fastest, like itertools.product.
    digits: list[int] = []
    for node in reversed(nodes):
        index, digit = divmod(index, counter.node(node))
        digits.append(digit)
    digits.reverse()
    for node, digit in zip(nodes, digits, strict=True):
        if isinstance(node, Text):
            out.append(node.value)
        elif isinstance(node, Variable):
            out.append(var_text(node.name))
        else:
            for option in node.options:
                size = counter.seq(option.nodes)
                if digit < size:
                    _render_index(option.nodes, digit, counter, var_text, out)
                    break
                digit -= size


def distinct_renderings(
    template: Template, var_text: Callable[[str], str], limit: int
) -> list[str]:
    """Up to `limit` distinct renderings, in first-seen order, within the budget."""
    seen: dict[str, None] = {}
    for examined, text in enumerate(iter_paths(template, var_text)):
        if len(seen) >= limit or examined >= ENUMERATION_BUDGET:
            break
        seen.setdefault(text, None)
    return list(seen)


def count_distinct(template: Template) -> int:
    """Distinct renderings: exact for small templates, a capped upper bound otherwise."""
    total = structural_count(template)
    if total > EXACT_COUNT_LIMIT:
        return min(total, VARIANT_CAP)
    # A private-use character per variable keeps variables apart from any literal.
    names = sorted(template.variable_names())
    sentinels = {name: chr(0xE000 + i) for i, name in enumerate(names)}
    return len(set(iter_paths(template, sentinels.__getitem__)))


def max_length(template: Template, variables: Mapping[str, str] | None = None) -> int:
    """Upper bound of a rendering's length in characters (before stripping)."""
    known = variables or {}

    def var_len(name: str) -> int:
        if name in known:
            return len(known[name])
        return ASSUMED_VARIABLE_LENGTH.get(name, DEFAULT_ASSUMED_LENGTH)

    def seq(nodes: tuple[Node, ...]) -> int:
        total = 0
        for node in nodes:
            if isinstance(node, Text):
                total += len(node.value)
            elif isinstance(node, Variable):
                total += var_len(node.name)
            else:
                total += max(seq(option.nodes) for option in node.options)
        return total

    return seq(template.nodes)


def can_render_blank(template: Template) -> bool:
    """True when some choice of options renders only whitespace (variables count as text)."""

    def seq(nodes: tuple[Node, ...]) -> bool:
        for node in nodes:
            if isinstance(node, Text):
                blank = not node.value.strip()
            elif isinstance(node, Variable):
                blank = False
            else:
                blank = any(seq(option.nodes) for option in node.options)
            if not blank:
                return False
        return True

    return seq(template.nodes)
