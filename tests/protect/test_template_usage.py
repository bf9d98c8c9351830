"""Template usage: how often each template and each rendering was posted, and few variants."""

from __future__ import annotations

import pytest

from photomanager.domain.errors import InvalidInput, NotFound
from photomanager.services.templates import MAX_TOP_RENDERINGS
from protect.protect_support import enqueue, publish
from services.service_harness import START, TEMPLATE, Harness

FEW = "Thanks for sharing, {{author}}!"


def post(h: Harness, n: int) -> None:
    """Post `n` watch-feed comments (distinct authors, posted at once)."""
    enqueue(h, publish(h, n))
    for _ in range(n):
        h.worker.run_once()


class TestListWithUsage:
    def test_an_unused_template_has_no_uses(self, harness: Harness) -> None:
        """Before any comment, a template shows 0 uses and no last use."""
        template = harness.add_template()
        [(listed, usage)] = harness.templates.list_with_usage()
        assert listed == template
        assert (usage.uses, usage.last_used_at) == (0, None)

    def test_uses_count_the_comments_posted(self, harness: Harness) -> None:
        """Three posted comments count as three uses, last used at the time of the last post."""
        harness.add_template()
        post(harness, 3)
        [(_, usage)] = harness.templates.list_with_usage()
        assert usage.uses == 3
        assert usage.last_used_at == START

    def test_each_template_counts_its_own_uses(self, harness: Harness) -> None:
        """An inactive template keeps 0 uses while the active one is used."""
        active = harness.add_template()
        idle = harness.add_template(FEW, active=False)
        post(harness, 2)
        uses = {t.message_id: u.uses for t, u in harness.templates.list_with_usage()}
        assert uses == {active.message_id: 2, idle.message_id: 0}

    def test_few_variants_are_flagged(self, harness: Harness) -> None:
        """Under 20 variants is flagged; the 27-variant default template is not."""
        rich = harness.add_template()
        poor = harness.add_template(FEW)
        usage = {t.message_id: u for t, u in harness.templates.list_with_usage()}
        assert (usage[rich.message_id].variant_count, usage[rich.message_id].few_variants) == (
            27,
            False,
        )
        assert (usage[poor.message_id].variant_count, usage[poor.message_id].few_variants) == (
            1,
            True,
        )


class TestTopRenderings:
    def test_repeated_texts_are_counted_most_used_first(self, harness: Harness) -> None:
        """A one-variant template posted to one author's fans: each text with its count."""
        template = harness.add_template("Lovely work!")
        post(harness, 2)
        [top] = harness.templates.top_renderings(template.message_id)
        assert (top.body, top.uses) == ("Lovely work!", 2)

    def test_counts_add_up_to_the_uses(self, harness: Harness) -> None:
        """The renderings of a template sum to its uses, most used first."""
        template = harness.add_template(TEMPLATE)
        post(harness, 4)
        top = harness.templates.top_renderings(template.message_id)
        assert sum(r.uses for r in top) == harness.templates.usage(template.message_id).uses == 4
        assert [r.uses for r in top] == sorted((r.uses for r in top), reverse=True)

    def test_an_unknown_template_is_not_found(self, harness: Harness) -> None:
        """Asking for the renderings of a missing template raises NotFound."""
        with pytest.raises(NotFound):
            harness.templates.top_renderings(4242)

    @pytest.mark.parametrize("limit", [0, MAX_TOP_RENDERINGS + 1])
    def test_the_limit_is_bounded(self, harness: Harness, limit: int) -> None:
        """A limit outside 1..100 is refused."""
        template = harness.add_template()
        with pytest.raises(InvalidInput):
            harness.templates.top_renderings(template.message_id, limit=limit)
