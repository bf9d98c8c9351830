"""Properties of the template language, checked on generated templates."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from photomanager.domain.errors import InvalidInput
from photomanager.domain.templates import (
    Severity,
    Variable,
    count_variants,
    enumerate_variants,
    parse_template,
    randomize_template,
    validate_template,
)
from photomanager.domain.templates.render import structural_count
from photomanager.domain.templates.tree import walk

FAST = settings(max_examples=60, deadline=None)
NAMES = ("author", "title", "username")
PLAIN = st.text(
    alphabet=st.sampled_from("abcxyz ABC,!?-\nабвгд🔥✨é0123456789"), min_size=1, max_size=6
)
SYNTAX_CHARS = set("{}|\\")
HOSTILE = st.text(alphabet=st.sampled_from("{}|\\%:@ab{{}}$") | st.characters(), max_size=12)


# A model of a template, serialized to source and rendered independently of the parser.
@dataclass(frozen=True)
class MText:
    value: str


@dataclass(frozen=True)
class MVar:
    name: str


@dataclass(frozen=True)
class MGroup:
    options: tuple[tuple[int | None, tuple[MNode, ...]], ...]


MNode = MText | MVar | MGroup


def source(nodes: tuple[MNode, ...]) -> str:
    parts = []
    for node in nodes:
        if isinstance(node, MText):
            parts.append(node.value)
        elif isinstance(node, MVar):
            parts.append(f"{{{{{node.name}}}}}")
        else:
            options = [("" if w is None else f"{w}::") + source(seq) for w, seq in node.options]
            parts.append("{" + "|".join(options) + "}")
    return "".join(parts)


def renderings(nodes: tuple[MNode, ...], values: dict[str, str]) -> set[str]:
    choices: list[set[str]] = []
    for node in nodes:
        if isinstance(node, MText):
            choices.append({node.value})
        elif isinstance(node, MVar):
            choices.append({values[node.name]})
        else:
            choices.append(set().union(*(renderings(seq, values) for _, seq in node.options)))
    return {"".join(parts) for parts in itertools.product(*choices)}


def model_variable_count(nodes: tuple[MNode, ...]) -> int:
    total = 0
    for node in nodes:
        if isinstance(node, MVar):
            total += 1
        elif isinstance(node, MGroup):
            total += sum(model_variable_count(seq) for _, seq in node.options)
    return total


def seqs(children: st.SearchStrategy[MNode]) -> st.SearchStrategy[tuple[MNode, ...]]:
    return st.lists(children, max_size=3).map(tuple)


leaves: st.SearchStrategy[MNode] = st.one_of(PLAIN.map(MText), st.sampled_from(NAMES).map(MVar))
nodes_strategy: st.SearchStrategy[MNode] = st.recursive(
    leaves,
    lambda children: st.lists(
        st.tuples(st.none() | st.integers(1, 9), seqs(children)), min_size=1, max_size=3
    ).map(lambda options: MGroup(tuple(options))),
    max_leaves=8,
)


@st.composite
def templates(draw: st.DrawFn) -> tuple[str, tuple[MNode, ...]]:
    """A valid template (prefixed by `Hi ` so no rendering is blank) and its model."""
    nodes = (MText("Hi "), *draw(seqs(nodes_strategy)))
    body = source(nodes)
    # `{{name}}` built from a group holding only the group `{name}` reads as a
    # variable by the language's rule; such bodies mean something else than their model.
    assume(
        sum(isinstance(n, Variable) for n in walk(parse_template(body).nodes))
        == model_variable_count(nodes)
    )
    assume(structural_count(parse_template(body)) <= 500)
    return body, nodes


@st.composite
def top_level_offsets(draw: st.DrawFn) -> tuple[str, int]:
    """A valid template and an offset between two of its top-level nodes."""
    _, nodes = draw(templates())
    cut = draw(st.integers(0, len(nodes)))
    return source(nodes), len(source(nodes[:cut]))


def values_with(author: str, title: str, username: str) -> dict[str, str]:
    return {"author": author, "title": title, "username": username}


class TestRenderingProperties:
    @FAST
    @given(templates(), st.integers(0, 2**32))
    def test_rendering_holds_no_syntax(
        self, case: tuple[str, tuple[MNode, ...]], seed: int
    ) -> None:
        """With plain literals and values, no `{ } | \\` survives rendering."""
        body, _ = case
        text = randomize_template(body, values_with("Ann", "Sky", "me"), random.Random(seed))
        assert not SYNTAX_CHARS & set(text)
        assert "::" not in text

    @FAST
    @given(templates(), st.integers(0, 2**32))
    def test_rendering_is_an_enumerated_variant(
        self, case: tuple[str, tuple[MNode, ...]], seed: int
    ) -> None:
        """Every rendering is one of the enumerated variants and of the model's renderings."""
        body, nodes = case
        values = values_with("Ann", "Sky", "me")
        text = randomize_template(body, values, random.Random(seed))
        assert text in enumerate_variants(body, limit=1000, variables=values)
        assert text in {r.strip() for r in renderings(nodes, values)}

    @FAST
    @given(templates())
    def test_count_matches_enumeration(self, case: tuple[str, tuple[MNode, ...]]) -> None:
        """count_variants equals the number of distinct enumerated variants and the model's."""
        body, nodes = case
        variants = enumerate_variants(body, limit=1000)
        placeholders = {name: f"{{{{{name}}}}}" for name in NAMES}
        assert count_variants(body) == len(set(variants))
        assert set(variants) == {r.strip() for r in renderings(nodes, placeholders)}

    @FAST
    @given(templates(), HOSTILE, HOSTILE, HOSTILE, st.integers(0, 2**32))
    def test_hostile_values_come_out_verbatim(
        self,
        case: tuple[str, tuple[MNode, ...]],
        author: str,
        title: str,
        username: str,
        seed: int,
    ) -> None:
        """Values full of `{ } | % \\` are inserted as they are, never parsed."""
        body, nodes = case
        values = values_with(author, title, username)
        text = randomize_template(body, values, random.Random(seed))
        assert text in {r.strip() for r in renderings(nodes, values)}

    @FAST
    @given(HOSTILE, HOSTILE)
    def test_hostile_values_in_a_fixed_template(self, author: str, title: str) -> None:
        """A value is inserted exactly, whatever it contains."""
        values = values_with(author, title, "me")
        text = randomize_template("<{{author}}\\|{{title}}>", values, random.Random(0))
        assert text == f"<{author}|{title}>".strip()


class TestValidationPositions:
    @FAST
    @given(templates())
    def test_generated_templates_have_no_errors(self, case: tuple[str, tuple[MNode, ...]]) -> None:
        """The generator only makes valid templates (so injected errors are the only ones)."""
        body, _ = case
        assert [i for i in validate_template(body) if i.severity == Severity.ERROR] == []

    @FAST
    @given(top_level_offsets())
    def test_stray_close_is_reported_at_its_offset(self, case: tuple[str, int]) -> None:
        """A `}` injected between top-level nodes is the one error, at its offset."""
        body, offset = case
        broken = body[:offset] + "}" + body[offset:]
        found = [i for i in validate_template(broken) if i.severity == Severity.ERROR]
        assert [(i.code, i.offset) for i in found] == [("unexpected_close", offset)]
        assert found[0].line == broken[:offset].count("\n") + 1
        assert found[0].column == offset - broken.rfind("\n", 0, offset)

    @FAST
    @given(top_level_offsets())
    def test_unclosed_group_is_reported_at_its_opener(self, case: tuple[str, int]) -> None:
        """A `{` injected between top-level nodes is the one error, at the opener."""
        body, offset = case
        broken = body[:offset] + "{" + body[offset:]
        found = [i for i in validate_template(broken) if i.severity == Severity.ERROR]
        assert [(i.code, i.offset) for i in found] == [("unclosed_group", offset)]
        assert found[0].line == broken[:offset].count("\n") + 1

    @FAST
    @given(st.text(alphabet=st.sampled_from("{}|\\:ab1 \n@.w"), max_size=40))
    def test_any_text_validates_without_crashing(self, body: str) -> None:
        """Validation of arbitrary text returns issues inside the body, never raises."""
        for issue in validate_template(body):
            assert 0 <= issue.offset <= max(len(body) - 1, 0)
            assert issue.line == body[: issue.offset].count("\n") + 1

    @FAST
    @given(st.text(alphabet=st.sampled_from("{}|\\:ab1 \n"), max_size=40))
    def test_parse_agrees_with_validate(self, body: str) -> None:
        """parse_template raises exactly when validation finds a syntax error."""
        syntax = {
            "unclosed_group",
            "unexpected_close",
            "stray_pipe",
            "bad_weight",
            "dangling_backslash",
            "too_deep",
        }
        expected = [i.to_dict() for i in validate_template(body) if i.code in syntax]
        if expected:
            with pytest.raises(InvalidInput) as caught:
                parse_template(body)
            assert caught.value.details == expected
        else:
            assert parse_template(body).source == body
