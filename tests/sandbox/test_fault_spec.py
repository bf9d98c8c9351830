"""The demo's fault switches: `serve --sandbox --faults "rate=2,errors=0.05"`."""

from __future__ import annotations

import pytest

from photomanager.domain.errors import InvalidInput
from photomanager.sandbox import Sandbox
from photomanager.sandbox.fault_spec import POST_ENDPOINT, apply_fault_spec
from photomanager.sandbox.faults import Faults


class TestSpec:
    def test_every_switch_sets_its_fault(self) -> None:
        """Each key of the spec turns on the matching sandbox fault."""
        faults = Faults()
        apply_fault_spec(faults, "rate=2, errors=0.05,drops=0.1,slow=0.3,maintenance,restricted")
        assert faults.rate_limit is not None
        assert faults.rate_limit.refill_per_s == 2
        assert faults.rate_limit.endpoints == frozenset({POST_ENDPOINT})
        assert faults.server_error_probability == 0.05
        assert faults.drop_probability == 0.1
        assert faults.delay_s == 0.3
        assert faults.maintenance
        assert faults.account_restricted

    def test_an_empty_spec_changes_nothing(self) -> None:
        """No spec, no faults."""
        faults = Faults()
        apply_fault_spec(faults, " , ")
        assert faults == Faults(rng=faults.rng)

    @pytest.mark.parametrize(
        ("spec", "says"),
        [
            ("rate=0", "above 0"),
            ("errors=1.5", "between 0 and 1"),
            ("slow=99", "0 to 30"),
            ("drops=lots", "a number"),
            ("rate=nan", "finite"),
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
    def test_rate_limits_posting_with_retry_after(self, sandbox: Sandbox) -> None:
        """With rate=1 the sixth quick post (after the burst of 5) is a 429 with Retry-After."""
        apply_fault_spec(sandbox.faults, "rate=1")
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
