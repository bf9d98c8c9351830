"""Examples of the template language: spintax, weights, escapes, variables, validation."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from photomanager.domain.errors import InvalidInput
from photomanager.domain.templates import (
    DEFAULT_MAX_LENGTH,
    KNOWN_VARIABLES,
    MAX_DEPTH,
    VARIANT_CAP,
    Group,
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

VALUES = {"author": "Ann", "title": "Sunset", "username": "me"}
# Twenty-plus variants and no warnings: the shape of a good template.
GOOD = "{Great|Lovely|Superb|Wonderful|Stunning} {work|piece|job|shot}, {{author}}!"


def render(body: str | Template, seed: int = 0, values: dict[str, str] | None = None) -> str:
    return randomize_template(body, VALUES if values is None else values, random.Random(seed))


def renders(body: str, seeds: int = 200) -> set[str]:
    return {render(body, seed) for seed in range(seeds)}


def issues_of(body: str, **kwargs: Any) -> list[TemplateIssue]:
    return validate_template(body, **kwargs)


def codes(body: str, **kwargs: Any) -> list[str]:
    return [issue.code for issue in issues_of(body, **kwargs)]


def only_error(body: str, **kwargs: Any) -> TemplateIssue:
    found = [i for i in issues_of(body, **kwargs) if i.severity == Severity.ERROR]
    assert len(found) == 1, found
    return found[0]


class TestSpintax:
    def test_picks_each_option_of_a_group(self) -> None:
        """Every option of a flat group is eventually chosen, and nothing else."""
        assert renders("{a|b|c}") == {"a", "b", "c"}

    def test_nested_groups(self) -> None:
        """An option may itself contain groups."""
        assert renders("{Great {work|piece}|Lovely}") == {"Great work", "Great piece", "Lovely"}

    def test_empty_options(self) -> None:
        """An empty option renders nothing."""
        assert renders("Nice{|!}") == {"Nice", "Nice!"}

    def test_single_option_group(self) -> None:
        """A group with one option always renders it."""
        assert renders("{only} one") == {"only one"}

    def test_same_seed_same_rendering(self) -> None:
        """Rendering is deterministic given the rng state."""
        body = "{a|b|c|d|e}{1|2|3|4|5}{x|y|z}"
        assert [render(body, 7) for _ in range(5)] == [render(body, 7)] * 5

    def test_accepts_a_parsed_template(self) -> None:
        """randomize_template takes a Template as well as a string."""
        assert render(parse_template("{a|a} {{author}}")) == "a Ann"


class TestWeights:
    def test_distribution_follows_weights(self) -> None:
        """`{3::a|b}` picks `a` about three times as often as `b`."""
        rng = random.Random(20240501)
        counts = Counter(randomize_template("{3::a|b}", {}, rng) for _ in range(4000))
        assert 0.70 < counts["a"] / 4000 < 0.80

    def test_weights_in_nested_groups(self) -> None:
        """A weight applies to its own option, also inside nested groups."""
        rng = random.Random(5)
        counts = Counter(randomize_template("{x{9::y|z}|w}", {}, rng) for _ in range(4000))
        assert counts.keys() == {"xy", "xz", "w"}
        assert counts["xy"] > 5 * counts["xz"]

    def test_weight_prefix_is_not_rendered(self) -> None:
        """The `N::` prefix is syntax, not text."""
        assert renders("{12::Wonderful|Nice}") == {"Wonderful", "Nice"}

    def test_weight_like_text_outside_groups_is_literal(self) -> None:
        """`3::` only means a weight right after `{` or `|`."""
        assert render("Score 3::1 {a}") == "Score 3::1 a"
        assert render("{x 3::y}") == "x 3::y"

    def test_escaped_colons_start_an_option_with_digits(self) -> None:
        """`\\:` lets an option begin with text shaped like a weight."""
        assert renders("{3\\:\\:go|b}") == {"3::go", "b"}

    @pytest.mark.parametrize("weight", ["0", "-1", "1.5", "+2", "1,000", "1000001"])
    def test_bad_weights_are_errors(self, weight: str) -> None:
        """Zero, negative, fractional, signed and huge weights are refused."""
        body = f"Hi {{a|{weight}::b}}"
        issue = only_error(body)
        assert (issue.code, issue.offset) == ("bad_weight", 6)
        assert f"`{weight}::`" in issue.message
        assert "whole number from 1" in issue.message


class TestEscapes:
    def test_escaped_syntax_characters_are_literal(self) -> None:
        """`\\{ \\} \\| \\\\` render as the characters themselves."""
        assert render("a\\{b\\}c\\|d\\\\e") == "a{b}c|d\\e"

    def test_escapes_inside_groups(self) -> None:
        """An escaped bar does not split options."""
        assert renders("{a\\|b|c}") == {"a|b", "c"}

    def test_backslash_before_other_characters_is_literal(self) -> None:
        """Emoticons like `\\o/` and `¯\\_(ツ)_/¯` need no escaping."""
        assert render("\\o/ ¯\\_(ツ)_/¯") == "\\o/ ¯\\_(ツ)_/¯"

    def test_escaped_braces_spell_a_variable_literally(self) -> None:
        """`\\{\\{author\\}\\}` is text, not a variable."""
        assert render("\\{\\{author\\}\\}") == "{{author}}"

    def test_literal_brace_around_a_variable(self) -> None:
        """`\\{{{author}}\\}` is a literal brace, the variable, a literal brace."""
        assert render("\\{{{author}}\\}") == "{Ann}"

    def test_dangling_backslash_is_an_error(self) -> None:
        """A backslash at the very end points at itself."""
        issue = only_error("Nice work\\")
        assert (issue.code, issue.offset, issue.column) == ("dangling_backslash", 9, 10)
        assert "`\\\\`" in issue.message


class TestVariableOrGroup:
    """`{{` + identifier + `}}` is a variable; any other `{` opens a group."""

    def test_double_braces_around_a_name_are_a_variable(self) -> None:
        """`{{author}}` inserts the author."""
        assert parse_template("{{author}}").nodes == (Variable("author", 0),)

    def test_spaces_inside_the_braces_are_allowed(self) -> None:
        """`{{ title }}` is the same variable as `{{title}}`."""
        assert render("{{ title }}") == "Sunset"

    def test_group_starting_with_a_group(self) -> None:
        """`{{a|b}|c}` is a group whose first option is a group."""
        template = parse_template("{{a|b}|c}")
        (outer,) = template.nodes
        assert isinstance(outer, Group)
        assert isinstance(outer.options[0].nodes[0], Group)
        assert renders("{{a|b}|c}") == {"a", "b", "c"}

    def test_triple_brace_is_a_group_around_a_variable(self) -> None:
        """`{{{author}}|x}` opens a group whose first option is the variable."""
        assert parse_template("{{{author}}|x}").nodes == (
            Group(
                (Option(1, (Variable("author", 1),), 1), Option(1, (Text("x", 12),), 12)),
                0,
            ),
        )
        assert renders("{{{author}}|x}") == {"Ann", "x"}

    def test_triple_braces_on_both_sides(self) -> None:
        """`{{{author}}}` is a one-option group holding the variable."""
        assert render("{{{author}}}") == "Ann"

    def test_single_closing_brace_makes_a_group(self) -> None:
        """`{{author}|x}` is not a variable: a group holding the group `{author}`."""
        assert renders("{{author}|x}") == {"author", "x"}
        assert "looks_like_variable" in codes("{{author}|x}")

    def test_name_that_is_not_an_identifier_makes_groups(self) -> None:
        """`{{9lives}}` is two nested groups, since `9lives` is not an identifier."""
        assert render("{{9lives}}") == "9lives"

    def test_extra_closing_brace_after_a_variable_is_stray(self) -> None:
        """`{{author}}}` is the variable followed by a stray `}`."""
        issue = only_error("Hi {{author}}}")
        assert (issue.code, issue.offset) == ("unexpected_close", 13)


class TestVariables:
    def test_russian_and_emoji(self) -> None:
        """Cyrillic text and emoji pass through untouched."""
        assert renders("{Классная|Отличная} работа, {{author}}! 🔥") == {
            "Классная работа, Ann! 🔥",
            "Отличная работа, Ann! 🔥",
        }

    def test_english_with_every_variable(self) -> None:
        """author, title and username are all inserted."""
        body = "{Love|Adore} “{{title}}”, {{author}}! — {{username}} ✨"
        assert render(body) in {"Love “Sunset”, Ann! — me ✨", "Adore “Sunset”, Ann! — me ✨"}

    def test_hostile_values_come_out_verbatim(self) -> None:
        """Values with braces, bars, backslashes, % and `{{author}}` are never parsed."""
        hostile = {"author": "{{title}}", "title": "{a|b} \\| %s %(x)s \\", "username": "}{"}
        assert render("{{author}}/{{title}}/{{username}}", values=hostile) == (
            "{{title}}/{a|b} \\| %s %(x)s \\/}{"
        )

    def test_missing_value_is_refused(self) -> None:
        """Rendering without a value for a used variable raises InvalidInput."""
        with pytest.raises(InvalidInput) as caught:
            render("Hi {{title}}", values={"author": "Ann"})
        assert caught.value.details == [
            {
                "severity": "error",
                "code": "unknown_variable",
                "message": "no value for variable {{title}}",
                "offset": 3,
                "line": 1,
                "column": 4,
            }
        ]


class TestRenderingWhitespace:
    def test_result_is_stripped(self) -> None:
        """Empty first or last choices leave no leading or trailing space."""
        assert renders("{|Wow} nice {|!!}") == {"nice", "Wow nice", "nice !!", "Wow nice !!"}

    def test_inner_whitespace_is_kept(self) -> None:
        """Whitespace inside the comment is left as written."""
        assert render("a  {|}  b\nc") == "a    b\nc"

    def test_empty_rendering_is_refused(self) -> None:
        """A rendering that comes out blank raises instead of posting nothing."""
        with pytest.raises(InvalidInput, match="empty comment"):
            render("{ |\t}")


class TestParseTemplate:
    def test_builds_the_tree(self) -> None:
        """Text, variables and groups keep their offsets."""
        assert parse_template("Hi {{author}}, {2::a|}").nodes == (
            Text("Hi ", 0),
            Variable("author", 3),
            Text(", ", 13),
            Group((Option(2, (Text("a", 19),), 16), Option(1, (), 21)), 15),
        )

    def test_variable_names(self) -> None:
        """A template lists the variables it uses."""
        assert parse_template("{{author}} {x|{{title}}}").variable_names() == {"author", "title"}

    def test_malformed_template_raises_with_every_error(self) -> None:
        """InvalidInput carries all syntax errors as dicts, first one in the message."""
        with pytest.raises(InvalidInput) as caught:
            parse_template("a}b{c")
        details = caught.value.details
        assert [(d["code"], d["offset"]) for d in details] == [
            ("unexpected_close", 1),
            ("unclosed_group", 3),
        ]
        assert "line 1, column 2" in caught.value.message
        assert "(and 1 more)" in caught.value.message

    def test_rendering_malformed_template_raises(self) -> None:
        """randomize_template refuses a malformed body."""
        with pytest.raises(InvalidInput):
            render("{a|b")


class TestValidateTemplate:
    def test_good_template_has_no_issues(self) -> None:
        """A well-formed, varied template validates clean."""
        assert validate_template(GOOD) == []

    @pytest.mark.parametrize("body", ["", "   ", "\n\t "])
    def test_empty_body(self, body: str) -> None:
        """An empty or whitespace-only body is one error."""
        assert codes(body) == ["empty_template"]
        assert "empty" in issues_of(body)[0].message

    def test_unclosed_group_points_at_its_opener(self) -> None:
        """The error for an unclosed `{` is at the `{`, with line and column."""
        issue = only_error("Hello\n{a|b\n{c|d}")
        assert (issue.code, issue.offset, issue.line, issue.column) == ("unclosed_group", 6, 2, 1)
        assert "add a matching `}`" in issue.message

    def test_each_unclosed_group_is_reported(self) -> None:
        """Two unclosed groups give two errors, in order."""
        found = [(i.code, i.offset) for i in issues_of("x {a {b")]
        assert found == [("unclosed_group", 2), ("unclosed_group", 5)]

    def test_stray_close_points_at_itself(self) -> None:
        """A `}` without opener is reported where it is."""
        issue = only_error("Nice\n  work}")
        assert (issue.code, issue.offset, issue.line, issue.column) == (
            "unexpected_close",
            11,
            2,
            7,
        )
        assert "no matching `{`" in issue.message

    def test_stray_pipe(self) -> None:
        """A `|` outside any group is an error suggesting braces or `\\|`."""
        issue = only_error("Nice|Great work")
        assert (issue.code, issue.offset) == ("stray_pipe", 4)
        assert "`\\|`" in issue.message

    def test_unknown_variable_names_the_known_ones(self) -> None:
        """An unknown variable's message lists the known variables."""
        issue = only_error("Hi {{artist}}")
        assert (issue.code, issue.offset) == ("unknown_variable", 3)
        assert "{{artist}}" in issue.message
        assert "{{author}}, {{title}}, {{username}}" in issue.message

    def test_unknown_variable_suggests_a_close_name(self) -> None:
        """A wrongly cased name gets a suggestion."""
        assert "did you mean {{author}}?" in only_error("Hi {{Author}}").message

    def test_known_variables_are_configurable(self) -> None:
        """known_variables decides which names are accepted."""
        assert codes("{a|b} {{date}}", known_variables={"date"}, min_variants=1) == []
        assert "unknown_variable" in codes("{{author}}", known_variables={"date"})

    def test_too_long(self) -> None:
        """A body that can render over max_length is an error naming both lengths."""
        body = "{" + "x" * 30 + "|y} {{title}}"
        issue = only_error(body, max_length=100)
        assert issue.code == "too_long"
        assert "131 characters" in issue.message
        assert "{{title}} as 100" in issue.message
        assert "limit of 100" in issue.message

    def test_default_limit_is_deviantarts(self) -> None:
        """The default limit is 5000 characters."""
        assert DEFAULT_MAX_LENGTH == 5000
        assert "too_long" not in codes("a" * 5000)
        assert "too_long" in codes("a" * 5001)

    def test_can_render_empty(self) -> None:
        """A template where some choices render nothing is an error."""
        assert only_error("{Hi|} {|there}").code == "can_render_empty"

    def test_too_deep(self) -> None:
        """Nesting beyond MAX_DEPTH is one error at the first too-deep `{`."""
        body = "{a" * (MAX_DEPTH + 5) + "}" * (MAX_DEPTH + 5)
        issue = only_error(body)
        assert (issue.code, issue.offset) == ("too_deep", 2 * MAX_DEPTH)

    def test_every_error_is_reported_in_order(self) -> None:
        """Several mistakes are all reported, sorted by position."""
        body = "a|b {0::x|y} {{nope}} }\n{open \\"
        found = [(i.code, i.line, i.column) for i in issues_of(body)]
        assert found == [
            ("stray_pipe", 1, 2),
            ("bad_weight", 1, 6),
            ("unknown_variable", 1, 14),
            ("unexpected_close", 1, 23),
            ("unclosed_group", 2, 1),
            ("dangling_backslash", 2, 7),
        ]

    def test_issue_as_dict(self) -> None:
        """to_dict gives JSON-ready fields."""
        assert issues_of("}x")[0].to_dict() == {
            "severity": "error",
            "code": "unexpected_close",
            "message": "`}` has no matching `{`: remove it, or write `\\}` for a literal brace",
            "offset": 0,
            "line": 1,
            "column": 1,
        }


class TestValidateWarnings:
    @pytest.mark.parametrize(
        ("text", "offset"),
        [("http://x.io", 0), ("see https://x.io/a", 4), ("at WWW.example.com", 3)],
    )
    def test_links_are_flagged(self, text: str, offset: int) -> None:
        """http://, https:// and www. links are warnings at their position."""
        found = [i for i in issues_of(f"{GOOD} {text}") if i.code == "link"]
        assert [(i.severity, i.offset) for i in found] == [
            (Severity.WARNING, len(GOOD) + 1 + offset)
        ]

    @pytest.mark.parametrize("mention", ["@someone", ":iconsomeone:", ":devsomeone:"])
    def test_mentions_are_flagged(self, mention: str) -> None:
        """@name and DeviantArt's :icon:/:dev: codes are warnings naming the mention."""
        (issue,) = [i for i in issues_of(f"{GOOD} {mention}") if i.code == "mention"]
        assert issue.severity == Severity.WARNING
        assert issue.offset == len(GOOD) + 1
        assert f"`{mention}`" in issue.message

    def test_email_is_not_a_mention(self) -> None:
        """The @ inside an e-mail address is not flagged as a mention."""
        assert "mention" not in codes(f"{GOOD} me@example.org")

    def test_few_variants(self) -> None:
        """Fewer than 20 variants is a warning with the count."""
        (issue,) = issues_of("{Nice|Great} work")
        assert (issue.severity, issue.code) == (Severity.WARNING, "few_variants")
        assert "only 2 different" in issue.message

    def test_threshold_is_configurable(self) -> None:
        """min_variants moves the threshold."""
        assert issues_of("{Nice|Great} work", min_variants=2) == []

    def test_warnings_do_not_hide_errors(self) -> None:
        """Errors and warnings come together, errors first at the same offset."""
        assert codes("@x {{nope}}") == ["mention", "unknown_variable"]


class TestCountVariants:
    def test_flat_and_nested(self) -> None:
        """Options add up inside a group and multiply across groups."""
        assert count_variants("{a|b|c} {x|{y|z}}") == 9

    def test_duplicates_count_once(self) -> None:
        """Identical renderings are one variant."""
        assert count_variants("{a|a}{b|}{|b}") == 3

    def test_weights_do_not_change_the_count(self) -> None:
        """A weighted option is still one variant."""
        assert count_variants("{5::a|b}") == 2

    def test_variables_are_fixed(self) -> None:
        """A variable is one value and never collides with literal text."""
        assert count_variants("{{{author}}|author|\\{\\{author\\}\\}}") == 3

    def test_huge_spaces_saturate(self) -> None:
        """A template with 2**60 paths reports the cap, without enumerating."""
        assert count_variants("{a|b}" * 60) == VARIANT_CAP

    def test_large_spaces_are_structural(self) -> None:
        """Above the exact limit the structural count is returned."""
        assert count_variants("{a|b}" * 12) == 4096


class TestEnumerateVariants:
    def test_in_option_order(self) -> None:
        """Variants come in option order, the last group varying fastest."""
        assert enumerate_variants("{a|b}{1|2}") == ["a1", "a2", "b1", "b2"]

    def test_limit(self) -> None:
        """No more than `limit` variants are returned, even for huge templates."""
        assert enumerate_variants("{a|b}" * 60, limit=3) == [
            "aaaa" * 15,
            "a" * 59 + "b",
            "a" * 58 + "ba",
        ]

    def test_placeholders_and_values(self) -> None:
        """Unknown values show as `{{name}}`; given values are inserted."""
        assert enumerate_variants("Hi {{author}}") == ["Hi {{author}}"]
        assert enumerate_variants("Hi {{author}}", variables={"author": "Ann"}) == ["Hi Ann"]

    def test_distinct_only(self) -> None:
        """Duplicate renderings appear once."""
        assert enumerate_variants("{a|a|b}") == ["a", "b"]


class TestMaxRenderedLength:
    def test_longest_choice_wins(self) -> None:
        """Groups count their longest option; sequences add up."""
        assert max_rendered_length("ab{c|defg{h|ij}}") == 8

    def test_given_values(self) -> None:
        """Known values count with their real length."""
        assert max_rendered_length("Hi {{author}}", {"author": "Ann"}) == 6

    def test_assumed_lengths(self) -> None:
        """Unknown values count with generous assumed lengths."""
        assert max_rendered_length("{{author}}{{title}}{{username}}") == 140

    def test_known_variables_default(self) -> None:
        """The default variables are author, title and username."""
        assert {"author", "title", "username"} == KNOWN_VARIABLES
