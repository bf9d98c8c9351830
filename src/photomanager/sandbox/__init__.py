"""A faithful fake DeviantArt for tests and demo mode (see docs/deviantart.md).

sandbox = Sandbox.seeded(seed=1, deviations=400, clock=ManualClock())
client = httpx.Client(transport=SandboxTransport(sandbox), base_url="https://www.deviantart.com")
with SandboxServer(sandbox) as base_url: ...   # real HTTP (see `adapters/`)
sandbox.faults.rate_limit = VelocityFilter(user_limit=6, user_window_s=10)  # DeviantArt's model
sandbox.faults.rate_limit = RateLimit(capacity=2, refill_per_s=0.5)  # a bucket with Retry-After
sandbox.ledger.duplicates()
sandbox.metadata(deviationid)["tags"]; sandbox.language(deviationid)   # the world's truth
sandbox.reactions = Reactions.certain(delay_s=600)   # deviants answer every comment, 10 min later
sandbox.ledger.reactions()                           # what they did (the truth behind the inbox)
"""

from __future__ import annotations

from photomanager.sandbox.core import DEFAULT_USER_SCOPE, Sandbox, SandboxConfig
from photomanager.sandbox.endpoints.oauth import s256
from photomanager.sandbox.endpoints.query import QueryParams
from photomanager.sandbox.endpoints.responses import SandboxResponse
from photomanager.sandbox.faults.switches import (
    API_ENDPOINTS,
    ActionThrottle,
    EdgeBlock,
    Faults,
    RateLimit,
    VelocityFilter,
    default_rate_limit,
)
from photomanager.sandbox.world.clock import ManualClock
from photomanager.sandbox.world.ledger import Ledger, ReactionRecord, RequestRecord
from photomanager.sandbox.world.reactions import Chance, Reactions
from photomanager.sandbox.world.seed import WorldShape
from photomanager.sandbox.world.state import CommentRecord

__all__ = [
    "API_ENDPOINTS",
    "DEFAULT_USER_SCOPE",
    "ActionThrottle",
    "Chance",
    "CommentRecord",
    "EdgeBlock",
    "Faults",
    "Ledger",
    "ManualClock",
    "QueryParams",
    "RateLimit",
    "ReactionRecord",
    "Reactions",
    "RequestRecord",
    "Sandbox",
    "SandboxConfig",
    "SandboxResponse",
    "VelocityFilter",
    "WorldShape",
    "default_rate_limit",
    "s256",
]
