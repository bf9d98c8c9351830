"""A faithful fake DeviantArt for tests and demo mode (see deviantart-api.md).

sandbox = Sandbox.seeded(seed=1, deviations=400, clock=ManualClock())
client = httpx.Client(transport=SandboxTransport(sandbox), base_url="https://www.deviantart.com")
with SandboxServer(sandbox) as base_url: ...   # real HTTP (see `adapters/`)
sandbox.faults.rate_limit = VelocityFilter(user_limit=6, user_window_s=10)  # DeviantArt's model
sandbox.faults.rate_limit = RateLimit(capacity=2, refill_per_s=0.5)  # a bucket with Retry-After
sandbox.ledger.duplicates()
sandbox.metadata(deviationid)["tags"]; sandbox.language(deviationid)   # the world's truth
"""

from __future__ import annotations

from .clock import ManualClock
from .core import DEFAULT_USER_SCOPE, Sandbox, SandboxConfig
from .faults import (
    API_ENDPOINTS,
    ActionThrottle,
    EdgeBlock,
    Faults,
    RateLimit,
    VelocityFilter,
    default_rate_limit,
)
from .ledger import Ledger, RequestRecord
from .oauth import s256
from .query import QueryParams
from .responses import SandboxResponse
from .seed import WorldShape
from .world import CommentRecord

__all__ = [
    "API_ENDPOINTS",
    "DEFAULT_USER_SCOPE",
    "ActionThrottle",
    "CommentRecord",
    "EdgeBlock",
    "Faults",
    "Ledger",
    "ManualClock",
    "QueryParams",
    "RateLimit",
    "RequestRecord",
    "Sandbox",
    "SandboxConfig",
    "SandboxResponse",
    "VelocityFilter",
    "WorldShape",
    "default_rate_limit",
    "s256",
]
