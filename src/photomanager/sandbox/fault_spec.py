"""Faults for the demo, from one short string: `serve --sandbox --faults "rate=2,errors=0.05"`.

The tests set `sandbox.faults` fields directly; a person trying the demo gets the
same switches through this spec. Keys:

 rate=R         comment posting limited to R requests/s (a token bucket, burst 5,
                with the tarpit); 429s carry Retry-After
 errors=P       each API request fails with a 500 with probability P (0..1)
 drops=P        a stored comment's response is lost with probability P (the
                "did it land?" case the worker reconciles)
 slow=S         every API answer is delayed S seconds (at most 30)
 maintenance    every API request answers 503 with Retry-After
 restricted     posting answers 403 "account restricted" (the worker must stop)
"""

from __future__ import annotations

from photomanager.domain.errors import InvalidInput
from photomanager.sandbox.faults import Faults, RateLimit

POST_ENDPOINT = "post_comment"
DEMO_BURST = 5.0
MAX_DELAY_S = 30.0
_FLAGS = frozenset({"maintenance", "restricted"})
_VALUED = frozenset({"rate", "errors", "drops", "slow"})


def apply_fault_spec(faults: Faults, spec: str) -> None:
    """Switch on the faults that `spec` names; InvalidInput says which part is wrong."""
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        key, sep, raw = part.partition("=")
        key = key.strip().lower()
        if not sep:
            if key not in _FLAGS:
                raise _bad(part, f"unknown switch; use one of {sorted(_FLAGS | _VALUED)}")
            if key == "maintenance":
                faults.maintenance = True
            else:
                faults.account_restricted = True
            continue
        if key not in _VALUED:
            raise _bad(part, f"unknown fault; use one of {sorted(_FLAGS | _VALUED)}")
        value = _number(part, raw)
        if key == "rate":
            if value <= 0:
                raise _bad(part, "the rate must be above 0 requests/s")
            faults.rate_limit = RateLimit(
                capacity=DEMO_BURST, refill_per_s=value, endpoints=frozenset({POST_ENDPOINT})
            )
        elif key == "slow":
            if not 0 <= value <= MAX_DELAY_S:
                raise _bad(part, f"the delay must be 0 to {MAX_DELAY_S:g} seconds")
            faults.delay_s = value
        else:
            if not 0 <= value <= 1:
                raise _bad(part, "a probability is between 0 and 1")
            if key == "errors":
                faults.server_error_probability = value
            else:
                faults.drop_probability = value


def _number(part: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise _bad(part, "expected a number after '='") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise _bad(part, "expected a finite number")
    return value


def _bad(part: str, why: str) -> InvalidInput:
    return InvalidInput(f"bad fault {part!r}: {why}", details={"faults": why})
