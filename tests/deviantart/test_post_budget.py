"""A POST never waits more than `RetryPolicy.post_wait_budget_s` in total."""

from __future__ import annotations

import httpx
import pytest

from deviantart.da_doubles import Harness, error_response, json_response
from photomanager.deviantart.retry import RetryPolicy
from photomanager.domain.errors import RateLimited

OK = {"status": "success"}
BUDGET = RetryPolicy(retry_after_jitter_s=0.0, post_wait_budget_s=30.0)


def rate_limited(retry_after: str) -> httpx.Response:
    return error_response(
        429, "user_api_threshold", "API threshold reached", {"Retry-After": retry_after}
    )


class TestPostWaitBudget:
    def test_retry_after_above_the_budget_is_raised_at_once(self, harness: Harness) -> None:
        """A 429 asking for more than the budget: RateLimited with retry_after, no wait."""
        harness.server.reply(rate_limited("120"), json_response(200, OK))
        with pytest.raises(RateLimited) as raised:
            harness.make(policy=BUDGET).post("comments/post/deviation/X", {"body": "hi"})
        assert raised.value.retry_after == 120.0
        assert harness.sleep.waits == []
        assert harness.server.methods() == ["POST"]

    def test_waits_add_up_to_at_most_the_budget(self, harness: Harness) -> None:
        """Retry-Afters that fit one by one stop once their sum would pass the budget."""
        harness.server.reply(rate_limited("20"), rate_limited("20"), json_response(200, OK))
        with pytest.raises(RateLimited) as raised:
            harness.make(policy=BUDGET).post("comments/post/deviation/X", {"body": "hi"})
        assert sum(harness.sleep.waits) <= BUDGET.post_wait_budget_s
        assert harness.sleep.waits == [20.0]
        assert raised.value.retry_after == 20.0
        assert harness.server.methods() == ["POST", "POST"]

    def test_a_wait_inside_the_budget_is_honoured(self, harness: Harness) -> None:
        """A Retry-After within the budget is waited out and the POST is sent again."""
        harness.server.reply(rate_limited("25"), json_response(200, OK))
        assert harness.make(policy=BUDGET).post("comments/post/deviation/X", {"body": "hi"}) == OK
        assert harness.sleep.waits == [25.0]

    def test_a_get_is_not_bound_by_the_post_budget(self, harness: Harness) -> None:
        """The budget concerns POSTs only: a GET waits out a longer Retry-After."""
        harness.server.reply(rate_limited("120"), json_response(200, OK))
        assert harness.make(policy=BUDGET).get("user/whoami") == OK
        assert harness.sleep.waits == [120.0]
