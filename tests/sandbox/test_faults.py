"""Faults behave as configured: rate limits with a tarpit, 5xx, drops, revocation, bans."""

from __future__ import annotations

import httpx
import pytest

from photomanager.sandbox import (
    ActionThrottle,
    EdgeBlock,
    ManualClock,
    RateLimit,
    Sandbox,
    VelocityFilter,
)


@pytest.fixture
def target(sandbox: Sandbox) -> str:
    """A deviation a post will succeed on."""
    return sandbox.deviation_ids(commentable=True)[0]


def _post(api: httpx.Client, deviationid: str, body: str = "Nice!") -> httpx.Response:
    return api.post(f"/comments/post/deviation/{deviationid}", data={"body": body})


class TestRateLimit:
    def test_empty_bucket_answers_429_with_retry_after(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """After `capacity` requests the next one is a 429 user_api_threshold with Retry-After."""
        sandbox.faults.rate_limit = RateLimit(capacity=2, refill_per_s=0.25)
        statuses = [user_api.get("/placebo").status_code for _ in range(3)]
        limited = user_api.get("/placebo")
        assert statuses == [200, 200, 429]
        assert limited.json()["error"] == "user_api_threshold"
        assert int(limited.headers["retry-after"]) >= 1

    def test_waiting_retry_after_lets_the_next_request_through(
        self, sandbox: Sandbox, user_api: httpx.Client, sandbox_clock: ManualClock
    ) -> None:
        """A client that waits the announced Retry-After is served again."""
        sandbox.faults.rate_limit = RateLimit(capacity=1, refill_per_s=0.25)
        user_api.get("/placebo")
        limited = user_api.get("/placebo")
        sandbox_clock.advance(float(limited.headers["retry-after"]))
        assert user_api.get("/placebo").status_code == 200

    def test_the_tarpit_grows_when_retry_after_is_ignored(
        self, sandbox: Sandbox, user_api: httpx.Client, sandbox_clock: ManualClock
    ) -> None:
        """Calling again inside the window lengthens the penalty each time."""
        sandbox.faults.rate_limit = RateLimit(capacity=1, refill_per_s=0.5, tarpit_factor=2)
        user_api.get("/placebo")
        waits = []
        for _ in range(4):
            waits.append(int(user_api.get("/placebo").headers["retry-after"]))
            sandbox_clock.advance(0.5)
        assert waits == sorted(waits)
        assert waits[-1] >= 4 * waits[0]

    def test_the_tarpit_keeps_refusing_until_its_window_passes(
        self, sandbox: Sandbox, user_api: httpx.Client, sandbox_clock: ManualClock
    ) -> None:
        """Once lengthened, the original Retry-After no longer suffices."""
        sandbox.faults.rate_limit = RateLimit(capacity=1, refill_per_s=0.5)
        user_api.get("/placebo")
        first = int(user_api.get("/placebo").headers["retry-after"])
        longer = int(user_api.get("/placebo").headers["retry-after"])
        sandbox_clock.advance(first)
        assert user_api.get("/placebo").status_code == 429
        sandbox_clock.advance(longer * 4)
        assert user_api.get("/placebo").status_code == 200

    def test_rate_limit_can_target_one_endpoint(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """With endpoints={"post_comment"}, reads are never limited."""
        sandbox.faults.rate_limit = RateLimit(
            capacity=1, refill_per_s=0.01, endpoints=frozenset({"post_comment"})
        )
        assert [_post(user_api, target).status_code for _ in range(2)] == [200, 429]
        assert user_api.get("/browse/home").status_code == 200
        assert len(sandbox.ledger.comments_for(target)) == 1


class TestServerErrors:
    def _statuses(self, api: httpx.Client, n: int = 40) -> list[int]:
        return [api.get("/placebo").status_code for _ in range(n)]

    def test_probability_with_a_seed_is_reproducible(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """The same seed draws the same 5xx sequence; about the configured share fails."""
        sandbox.faults.server_error_probability = 0.5
        sandbox.faults.reseed(99)
        first = self._statuses(user_api)
        sandbox.faults.reseed(99)
        assert self._statuses(user_api) == first
        assert set(first) == {200, 500}
        assert 8 <= first.count(500) <= 32

    def test_probability_zero_and_one(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """Probability 0 never fails; 1 always does."""
        assert set(self._statuses(user_api, 10)) == {200}
        sandbox.faults.server_error_probability = 1.0
        assert set(self._statuses(user_api, 10)) == {500}

    def test_only_the_chosen_endpoints_fail(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """server_error_endpoints limits the fault to the named endpoints."""
        sandbox.faults.server_error_probability = 1.0
        sandbox.faults.server_error_endpoints = frozenset({"home", "metadata"})
        some = sandbox.deviation_ids()[0]
        assert user_api.get("/browse/home").status_code == 500
        assert (
            user_api.get("/deviation/metadata", params={"deviationids[]": some}).status_code == 500
        )
        assert user_api.get("/browse/tags", params={"tag": "watercolor"}).status_code == 200
        assert user_api.get("/browse/deviantsyouwatch").status_code == 200

    def test_a_5xx_on_post_stores_nothing_by_default(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """A plain 500 on a POST left no comment."""
        sandbox.faults.server_error_probability = 1.0
        assert _post(user_api, target).status_code == 500
        assert sandbox.ledger.comments_for(target) == []

    def test_a_5xx_after_store_leaves_the_comment(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """With server_error_after_store the comment landed although the answer is a 500."""
        sandbox.faults.server_error_probability = 1.0
        sandbox.faults.server_error_after_store = True
        assert _post(user_api, target).status_code == 500
        assert len(sandbox.ledger.comments_for(target)) == 1

    @pytest.mark.parametrize("status", [502, 504])
    def test_gateway_errors_are_html(
        self, sandbox: Sandbox, user_api: httpx.Client, status: int
    ) -> None:
        """502/504 come from the CDN as HTML, not DeviantArt JSON."""
        sandbox.faults.server_error_probability = 1.0
        sandbox.faults.server_error_status = status
        response = user_api.get("/placebo")
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/html")

    def test_maintenance_is_503_with_retry_after(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """Maintenance answers 503 with Retry-After on every API endpoint."""
        sandbox.faults.maintenance = True
        response = user_api.get("/browse/home")
        assert (response.status_code, response.headers["retry-after"]) == (503, "120")

    def test_token_endpoint_fails_only_when_named(
        self, sandbox: Sandbox, http: httpx.Client
    ) -> None:
        """OAuth endpoints are spared unless listed explicitly."""
        sandbox.faults.server_error_probability = 1.0
        grant = {"grant_type": "client_credentials"}
        auth = ("sandbox-client", "sandbox-secret")
        assert http.post("/oauth2/token", data=grant, auth=auth).status_code == 200
        sandbox.faults.server_error_endpoints = frozenset({"token"})
        assert http.post("/oauth2/token", data=grant, auth=auth).status_code == 500


class TestSlowResponses:
    def test_delayed_answers_are_still_correct(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """A delay fault slows the answer but does not change it."""
        sandbox.faults.delay_s = 0.001
        assert user_api.get("/placebo").json() == {"status": "success"}


class TestDroppedResponses:
    def test_next_post_is_dropped_after_storing(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """drop_next_posts=1: the client times out, yet the comment exists."""
        sandbox.faults.drop_next_posts = 1
        with pytest.raises(httpx.ReadTimeout):
            _post(user_api, target)
        assert len(sandbox.ledger.comments_for(target)) == 1
        assert _post(user_api, target).status_code == 200
        assert sandbox.ledger.duplicates() == [target]

    def test_drop_probability_one_drops_every_post(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """With probability 1 no post gets an answer, and each one is stored."""
        sandbox.faults.drop_probability = 1.0
        targets = sandbox.deviation_ids(commentable=True)[:3]
        for deviationid in targets:
            with pytest.raises(httpx.ReadTimeout):
                _post(user_api, deviationid)
        assert sandbox.ledger.commented_deviations() == set(targets)

    def test_refused_posts_are_never_dropped(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """A validation error is answered even while drops are on."""
        sandbox.faults.drop_next_posts = 1
        assert _post(user_api, target, "").status_code == 400
        assert sandbox.faults.drop_next_posts == 1


class TestRevocation:
    def test_revoke_all_tokens_answers_401(
        self, sandbox: Sandbox, user_api: httpx.Client, http: httpx.Client
    ) -> None:
        """After revoke_all_tokens() the token and its refresh token are dead."""
        token = sandbox.issue_user_token()
        sandbox.revoke_all_tokens()
        assert user_api.get("/placebo").status_code == 401
        assert token.refresh_token is not None
        refreshed = http.post(
            "/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": token.refresh_token},
            auth=("sandbox-client", "sandbox-secret"),
        )
        assert refreshed.json()["error"] == "invalid_grant"

    def test_revoke_after_n_requests(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """revoke_after_requests=2 lets two requests through, then the token is dead."""
        sandbox.faults.revoke_after_requests = 2
        statuses = [user_api.get("/placebo").status_code for _ in range(4)]
        assert statuses == [200, 200, 401, 401]
        assert sandbox.faults.revoke_after_requests is None

    def test_revocation_can_spare_refresh_tokens(
        self, sandbox: Sandbox, http: httpx.Client
    ) -> None:
        """revoke_all_tokens(refresh_tokens=False) lets the client refresh."""
        token = sandbox.issue_user_token()
        sandbox.revoke_all_tokens(refresh_tokens=False)
        assert token.refresh_token is not None
        refreshed = http.post(
            "/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": token.refresh_token},
            auth=("sandbox-client", "sandbox-secret"),
        )
        assert refreshed.status_code == 200


class TestAccountRestricted:
    def test_posting_is_403_and_stores_nothing(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """A restricted account gets 403 with an error about spam/suspension."""
        sandbox.faults.account_restricted = True
        response = _post(user_api, target)
        assert response.status_code == 403
        assert "spam" in response.json()["error_description"]
        assert sandbox.ledger.comments_for(target) == []

    def test_reading_still_works(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """The restriction only concerns posting."""
        sandbox.faults.account_restricted = True
        assert user_api.get("/browse/deviantsyouwatch").status_code == 200


class TestClear:
    def test_clear_switches_every_fault_off(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """faults.clear() restores normal service."""
        sandbox.faults.maintenance = True
        sandbox.faults.server_error_probability = 1.0
        sandbox.faults.rate_limit = RateLimit(capacity=0)
        sandbox.faults.clear()
        assert user_api.get("/placebo").status_code == 200


class TestVelocityFilter:
    def test_over_the_window_answers_deviantarts_429_without_retry_after(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """The request over the limit is DeviantArt's 429 body and carries no Retry-After."""
        sandbox.faults.rate_limit = VelocityFilter(user_limit=3, user_window_s=10)
        statuses = [user_api.get("/placebo").status_code for _ in range(3)]
        limited = user_api.get("/placebo")
        assert statuses == [200, 200, 200]
        assert limited.status_code == 429
        assert limited.json() == {
            "error": "user_api_threshold",
            "error_description": "User request limit reached.",
            "status": "error",
        }
        assert "retry-after" not in limited.headers

    def test_the_window_slides(
        self, sandbox: Sandbox, user_api: httpx.Client, sandbox_clock: ManualClock
    ) -> None:
        """Once the oldest request leaves the window, one more goes through."""
        sandbox.faults.rate_limit = VelocityFilter(user_limit=2, user_window_s=10)
        user_api.get("/placebo")
        sandbox_clock.advance(6)
        user_api.get("/placebo")
        sandbox_clock.advance(4)
        assert user_api.get("/placebo").status_code == 200
        assert user_api.get("/placebo").status_code == 429

    def test_requests_while_throttled_lengthen_the_penalty(
        self, sandbox: Sandbox, user_api: httpx.Client, sandbox_clock: ManualClock
    ) -> None:
        """A request inside the penalty restarts it: waiting the original length is not enough."""
        sandbox.faults.rate_limit = VelocityFilter(user_limit=1, user_window_s=10)
        user_api.get("/placebo")
        sandbox_clock.advance(2)
        assert user_api.get("/placebo").status_code == 429  # throttled until t=10
        sandbox_clock.advance(7)
        assert user_api.get("/placebo").status_code == 429  # t=9: the penalty restarts
        sandbox_clock.advance(2)
        assert user_api.get("/placebo").status_code == 429  # t=11 < 9 + 8
        sandbox_clock.advance(20)
        assert user_api.get("/placebo").status_code == 200

    def test_the_ledger_marks_requests_inside_a_penalty(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """The second refused request came inside the penalty; none of it was declared."""
        sandbox.faults.rate_limit = VelocityFilter(user_limit=1, user_window_s=10)
        for _ in range(3):
            user_api.get("/placebo")
        inside = [r.inside_penalty for r in sandbox.ledger.requests("placebo")]
        assert inside == [False, False, True]
        assert sandbox.ledger.inside_declared_penalty() == []

    def test_retry_after_is_an_option_and_then_declares_the_penalty(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """With send_retry_after, the 429 says how long; a request inside it is recorded."""
        sandbox.faults.rate_limit = VelocityFilter(
            user_limit=1, user_window_s=10, send_retry_after=True
        )
        user_api.get("/placebo")
        limited = user_api.get("/placebo")
        user_api.get("/placebo")
        assert int(limited.headers["retry-after"]) == 10
        assert len(sandbox.ledger.inside_declared_penalty()) == 1

    def test_the_client_limit_counts_every_token_of_the_app(
        self, sandbox: Sandbox, user_api: httpx.Client, app_api: httpx.Client
    ) -> None:
        """The app-wide window counts user and client tokens together."""
        sandbox.faults.rate_limit = VelocityFilter(
            user_limit=100, client_limit=2, client_window_s=60
        )
        user_api.get("/placebo")
        app_api.get("/placebo")
        limited = app_api.get("/placebo")
        assert limited.status_code == 429
        assert limited.json()["error"] == "application_api_threshold"


class TestEdgeBlock:
    def test_the_cdn_answers_an_html_403_for_a_stretch(
        self, sandbox: Sandbox, user_api: httpx.Client, sandbox_clock: ManualClock
    ) -> None:
        """During the block every request gets an HTML page, no JSON; afterwards all is well."""
        sandbox.faults.edge_block = EdgeBlock(duration_s=60)
        blocked = user_api.get("/placebo")
        sandbox_clock.advance(61)
        after = user_api.get("/placebo")
        assert blocked.status_code == 403
        assert blocked.headers["content-type"].startswith("text/html")
        assert "Request blocked." in blocked.text
        assert after.status_code == 200

    def test_requests_during_a_block_are_marked_inside_it(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """The first refusal announces the block; the next ones came inside it."""
        sandbox.faults.edge_block = EdgeBlock(duration_s=60)
        user_api.get("/placebo")
        user_api.get("/placebo")
        assert [r.inside_penalty for r in sandbox.ledger.requests()] == [False, True]

    def test_the_block_comes_back_every_period(
        self, sandbox: Sandbox, user_api: httpx.Client, sandbox_clock: ManualClock
    ) -> None:
        """With every_s, the block returns after each period."""
        sandbox.faults.edge_block = EdgeBlock(duration_s=10, first_after_s=5, every_s=100)
        statuses = []
        for gap in (0, 6, 4, 90, 6):
            sandbox_clock.advance(gap)
            statuses.append(user_api.get("/placebo").status_code)
        assert statuses == [200, 403, 403, 200, 403]


class TestGoneEndpoint:
    def test_a_removed_endpoint_answers_api_endpoint_not_found(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """gone=comments/deviation: the read-back is a 404, posting still works."""
        sandbox.faults.gone_paths = frozenset({"comments/deviation"})
        read = user_api.get(f"/comments/deviation/{target}")
        assert read.status_code == 404
        assert read.json() == {
            "error": "invalid_request",
            "error_description": "Api endpoint not found.",
            "status": "error",
        }
        assert _post(user_api, target).status_code == 200


class TestActionThrottle:
    def test_after_n_comments_every_post_is_a_400_with_one_code(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """After `after_posts` comments, posts answer 400 with the throttle's error_code."""
        sandbox.faults.action_throttle = ActionThrottle(after_posts=2, duration_s=600)
        ids = sandbox.deviation_ids(commentable=True)[:5]
        answers = [_post(user_api, d) for d in ids]
        assert [a.status_code for a in answers] == [200, 200, 400, 400, 400]
        assert {a.json()["error_code"] for a in answers[2:]} == {2}
        assert len(sandbox.ledger.all_comments()) == 2

    def test_posting_works_again_after_the_burst(
        self, sandbox: Sandbox, user_api: httpx.Client, sandbox_clock: ManualClock
    ) -> None:
        """Once `duration_s` has passed, comments are stored again."""
        throttle = ActionThrottle(after_posts=50, duration_s=60)
        sandbox.faults.action_throttle = throttle
        throttle.engage(sandbox_clock.now().timestamp())
        first, second = sandbox.deviation_ids(commentable=True)[:2]
        assert _post(user_api, first).status_code == 400
        sandbox_clock.advance(61)
        assert _post(user_api, second).status_code == 200
