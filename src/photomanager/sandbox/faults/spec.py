"""Faults for the demo, from one short string: `serve --sandbox --faults "rate=6/10,errors=0.05"`.

The tests set `sandbox.faults` fields directly; a person trying the demo gets the
same switches through this spec. The demo is rate limited by default (DeviantArt's
velocity filter, see `switches.default_rate_limit()`); `rate`, `bucket` and `nolimit`
replace that. Keys:

 rate=N/S       at most N requests per S seconds per user (a velocity filter, the
                model DeviantArt uses): 429 without Retry-After, and requests
                while throttled lengthen the penalty; `rate=R` means R per second
                over 10 s windows
 retryafter     the velocity filter's 429s carry Retry-After (DeviantArt's do not)
 bucket=R       comment posting limited to R requests/s by a token bucket (burst 5,
                with the tarpit); its 429s carry Retry-After
 nolimit        no rate limit at all
 errors=P       each API request fails with a 500 with probability P (0..1)
 drops=P        a stored comment's response is lost with probability P (the
                "did it land?" case the worker reconciles)
 slow=S         every API answer is delayed S seconds (at most 30)
 maintenance    every API request answers 503 with Retry-After
 restricted     posting answers 403 "account restricted" (the worker must stop)
 edge403[=S]    the CDN answers an HTML 403 "Request blocked." to everything for S
                seconds (default 120), starting a minute in, every 15 minutes
 gone=PATH      the API path (e.g. comments/deviation) answers 404 "Api endpoint
                not found."; may be given more than once
 throttle400[=N] after every N stored comments (default 20), comment POSTs answer
                400 with error_code 2 "too many ... in a short period of time"
                for ten minutes
 reactions=F    how lively deviants are in the message center: every reaction
                probability and the strangers' rate times F (0 = a silent inbox,
                1 = the model as it is, 5 = most good comments earn a reply);
                at most 100
 reactdelay=S[-T] deviants react S seconds after our comment, or S to T seconds
                (uniformly), instead of the model's 30 s to 5 minutes; at most 3600:
                a demo whose inbox fills at once
"""

from __future__ import annotations

import re

from photomanager.domain.errors import InvalidInput
from photomanager.sandbox.faults.switches import (
    ActionThrottle,
    EdgeBlock,
    Faults,
    RateLimit,
    VelocityFilter,
    default_rate_limit,
)

POST_ENDPOINT = "post_comment"
DEMO_BURST = 5.0
MAX_DELAY_S = 30.0
RATE_WINDOW_S = 10.0
EDGE_FIRST_AFTER_S = 60.0
EDGE_EVERY_S = 900.0
EDGE_DURATION_S = 120.0
MAX_REACTION_SCALE = 100.0
MAX_REACTION_DELAY_S = 3600.0
_FLAGS = frozenset({"maintenance", "restricted", "retryafter", "nolimit", "edge403", "throttle400"})
_VALUED = frozenset(
    {
        "rate",
        "bucket",
        "errors",
        "drops",
        "slow",
        "edge403",
        "gone",
        "throttle400",
        "reactions",
        "reactdelay",
    }
)
_PATH = re.compile(r"[a-z0-9_]+(?:/[a-z0-9_]+)*")


def demo_faults(spec: str = "") -> Faults:
    """The demo's faults: the default rate limit, then whatever `spec` switches on."""
    faults = Faults(rate_limit=default_rate_limit())
    apply_fault_spec(faults, spec)
    return faults


def apply_fault_spec(faults: Faults, spec: str) -> None:
    """Switch on the faults that `spec` names; InvalidInput says which part is wrong."""
    retry_after = False
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        key, sep, raw = part.partition("=")
        key = key.strip().lower()
        raw = raw.strip()
        known = sorted(_FLAGS | _VALUED)
        if not sep:
            if key not in _FLAGS:
                raise _bad(part, f"unknown switch; use one of {known}")
            retry_after |= key == "retryafter"
            _switch(faults, key)
            continue
        if key not in _VALUED:
            raise _bad(part, f"unknown fault; use one of {known}")
        if key == "gone":
            path = raw.strip("/").lower()
            if not _PATH.fullmatch(path):
                raise _bad(part, "expected an API path such as comments/deviation")
            faults.gone_paths = faults.gone_paths | {path}
        elif key == "rate":
            faults.rate_limit = _velocity(part, raw)
        elif key == "reactdelay":
            faults.reaction_delay_s = _delay_range(part, raw)
        else:
            _valued(faults, part, key, _number(part, raw))
    if retry_after and isinstance(faults.rate_limit, VelocityFilter):
        faults.rate_limit.send_retry_after = True


def _switch(faults: Faults, key: str) -> None:
    if key == "maintenance":
        faults.maintenance = True
    elif key == "restricted":
        faults.account_restricted = True
    elif key == "nolimit":
        faults.rate_limit = None
    elif key == "edge403":
        faults.edge_block = EdgeBlock(
            duration_s=EDGE_DURATION_S, first_after_s=EDGE_FIRST_AFTER_S, every_s=EDGE_EVERY_S
        )
    elif key == "throttle400":
        faults.action_throttle = ActionThrottle()


def _valued(faults: Faults, part: str, key: str, value: float) -> None:
    if key == "bucket":
        if value <= 0:
            raise _bad(part, "the rate must be above 0 requests/s")
        faults.rate_limit = RateLimit(
            capacity=DEMO_BURST, refill_per_s=value, endpoints=frozenset({POST_ENDPOINT})
        )
    elif key == "slow":
        if not 0 <= value <= MAX_DELAY_S:
            raise _bad(part, f"the delay must be 0 to {MAX_DELAY_S:g} seconds")
        faults.delay_s = value
    elif key == "edge403":
        if not 0 < value <= EDGE_EVERY_S:
            raise _bad(part, f"the block lasts 1 to {EDGE_EVERY_S:g} seconds")
        faults.edge_block = EdgeBlock(
            duration_s=value, first_after_s=EDGE_FIRST_AFTER_S, every_s=EDGE_EVERY_S
        )
    elif key == "throttle400":
        if value < 1 or value != int(value):
            raise _bad(part, "expected a whole number of comments, at least 1")
        faults.action_throttle = ActionThrottle(after_posts=int(value))
    elif key == "reactions":
        if not 0 <= value <= MAX_REACTION_SCALE:
            raise _bad(part, f"the scale is 0 to {MAX_REACTION_SCALE:g}")
        faults.reaction_scale = value
    else:
        if not 0 <= value <= 1:
            raise _bad(part, "a probability is between 0 and 1")
        if key == "errors":
            faults.server_error_probability = value
        else:
            faults.drop_probability = value


def _velocity(part: str, raw: str) -> VelocityFilter:
    count_text, slash, window_text = raw.partition("/")
    count = _number(part, count_text)
    window = _number(part, window_text) if slash else RATE_WINDOW_S
    if not slash:
        count *= RATE_WINDOW_S
    if count < 1 or window <= 0:
        raise _bad(part, "expected N/S: at least 1 request per S > 0 seconds")
    return VelocityFilter(user_limit=int(count), user_window_s=window)


def _delay_range(part: str, raw: str) -> tuple[float, float]:
    low_text, dash, high_text = raw.partition("-")
    low = _number(part, low_text)
    high = _number(part, high_text) if dash else low
    if not 0 <= low <= high <= MAX_REACTION_DELAY_S:
        raise _bad(part, f"expected S or S-T seconds, 0 <= S <= T <= {MAX_REACTION_DELAY_S:g}")
    return (low, high)


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
