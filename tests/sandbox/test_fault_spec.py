"""The demo's fault switches: `serve --sandbox --faults "rate=2,errors=0.05"`."""

from __future__ import annotations

import pytest

from photomanager.domain.errors import InvalidInput
from photomanager.sandbox import Sandbox
from photomanager.sandbox.faults.spec import POST_ENDPOINT, apply_fault_spec, demo_faults
from photomanager.sandbox.faults.switches import (
    ActionThrottle,
    EdgeBlock,
    Faults,
    RateLimit,
    VelocityFilter,
)


class TestSpec:
    def test_every_switch_sets_its_fault(self) -> None:
        """Each key of the spec turns on the matching sandbox fault."""
        faults = Faults()
        apply_fault_spec(faults, "bucket=2, errors=0.05,drops=0.1,slow=0.3,maintenance,restricted")
        assert isinstance(faults.rate_limit, RateLimit)
        assert faults.rate_limit.refill_per_s == 2
        assert faults.rate_limit.endpoints == frozenset({POST_ENDPOINT})
        assert faults.server_error_probability == 0.05
        assert faults.drop_probability == 0.1
        assert faults.delay_s == 0.3
        assert faults.maintenance
        assert faults.account_restricted

    def test_rate_is_a_velocity_filter_without_retry_after(self) -> None:
        """`rate=6/10` is DeviantArt's model: 6 per 10 s per user, no Retry-After."""
        faults = Faults()
        apply_fault_spec(faults, "rate=6/10")
        assert isinstance(faults.rate_limit, VelocityFilter)
        assert (faults.rate_limit.user_limit, faults.rate_limit.user_window_s) == (6, 10)
        assert not faults.rate_limit.send_retry_after

    def test_retryafter_makes_the_velocity_filter_send_it(self) -> None:
        """`retryafter` switches the header on, whatever the order of the parts."""
        faults = Faults()
        apply_fault_spec(faults, "retryafter,rate=1/5")
        assert isinstance(faults.rate_limit, VelocityFilter)
        assert faults.rate_limit.send_retry_after

    def test_the_new_faults_are_switched_on(self) -> None:
        """edge403, gone=PATH (repeatable) and throttle400 set their faults."""
        faults = Faults()
        apply_fault_spec(
            faults, "edge403=30,gone=comments/deviation,gone=/browse/newest/,throttle400=7"
        )
        assert isinstance(faults.edge_block, EdgeBlock)
        assert faults.edge_block.duration_s == 30
        assert faults.gone_paths == frozenset({"comments/deviation", "browse/newest"})
        assert isinstance(faults.action_throttle, ActionThrottle)
        assert faults.action_throttle.after_posts == 7

    def test_reactions_scale_the_deviants(self) -> None:
        """`reactions=F` sets the reaction scale (0 silences the inbox)."""
        faults = Faults()
        apply_fault_spec(faults, "reactions=3")
        assert faults.reaction_scale == 3
        apply_fault_spec(faults, "reactions=0")
        assert faults.reaction_scale == 0

    def test_reactdelay_brings_the_deviants_sooner(self) -> None:
        """`reactdelay=S` is exactly S seconds, `reactdelay=S-T` S to T; none by default."""
        faults = Faults()
        assert faults.reaction_delay_s is None
        apply_fault_spec(faults, "reactdelay=2")
        assert faults.reaction_delay_s == (2.0, 2.0)
        apply_fault_spec(faults, "reactdelay=0.5-3")
        assert faults.reaction_delay_s == (0.5, 3.0)

    def test_the_demo_is_rate_limited_unless_told_otherwise(self) -> None:
        """The demo starts with the velocity filter; `nolimit` removes it."""
        assert isinstance(demo_faults().rate_limit, VelocityFilter)
        assert demo_faults("nolimit").rate_limit is None

    def test_an_empty_spec_changes_nothing(self) -> None:
        """No spec, no faults."""
        faults = Faults()
        apply_fault_spec(faults, " , ")
        assert faults == Faults(rng=faults.rng)

    @pytest.mark.parametrize(
        ("spec", "says"),
        [
            ("bucket=0", "above 0"),
            ("rate=0/10", "at least 1"),
            ("gone=../x", "API path"),
            ("throttle400=0", "at least 1"),
            ("errors=1.5", "between 0 and 1"),
            ("slow=99", "0 to 30"),
            ("drops=lots", "a number"),
            ("rate=nan", "finite"),
            ("reactions=101", "0 to 100"),
            ("reactions=-1", "0 to 100"),
            ("reactdelay=5-1", "S <= T"),
            ("reactdelay=4000", "S <= T <= 3600"),
            ("reactdelay=soon", "a number"),
            ("explode", "unknown switch"),
            ("chaos=1", "unknown fault"),
        ],
    )
    def test_a_bad_part_is_named(self, spec: str, says: str) -> None:
        """A wrong part is refused with what is wrong about it."""
        with pytest.raises(InvalidInput) as refused:
            apply_fault_spec(Faults(), spec)
        assert spec in refused.value.message
        assert says in refused.value.message


class TestEffect:
    def test_bucket_limits_posting_with_retry_after(self, sandbox: Sandbox) -> None:
        """With bucket=1 the sixth quick post (after the burst of 5) is a 429 with Retry-After."""
        apply_fault_spec(sandbox.faults, "bucket=1")
        token = sandbox.issue_user_token().access_token
        ids = sandbox.deviation_ids(feed="home", commentable=True)[:6]
        statuses = []
        for deviationid in ids:
            answer = sandbox.handle(
                "POST",
                f"/api/v1/oauth2/comments/post/deviation/{deviationid}",
                {},
                {"body": "Lovely!"},
                {"authorization": f"Bearer {token}"},
            )
            headers = {name.lower(): value for name, value in answer.headers.items()}
            statuses.append((answer.status, headers.get("retry-after")))
        assert [s for s, _ in statuses[:5]] == [200] * 5
        assert statuses[5][0] == 429
        assert statuses[5][1] is not None
