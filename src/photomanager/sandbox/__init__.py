"""A faithful fake DeviantArt for tests and demo mode (see deviantart-api.md).

sandbox = Sandbox.seeded(seed=1, deviations=400, clock=ManualClock())
client = httpx.Client(transport=SandboxTransport(sandbox), base_url="https://www.deviantart.com")
with SandboxServer(sandbox) as base_url: ...   # real HTTP (see `adapters/`)
sandbox.faults.rate_limit = RateLimit(capacity=2, refill_per_s=0.5)
sandbox.ledger.duplicates()
sandbox.metadata(deviationid)["tags"]; sandbox.language(deviationid)   # the world's truth
"""

from __future__ import annotations

from .clock import ManualClock
from .core import DEFAULT_USER_SCOPE, Sandbox, SandboxConfig
from .faults import API_ENDPOINTS, Faults, RateLimit
from .ledger import Ledger, RequestRecord
from .oauth import s256
from .query import QueryParams
from .responses import SandboxResponse
from .seed import WorldShape
from .world import CommentRecord

__all__ = [
    "API_ENDPOINTS",
    "DEFAULT_USER_SCOPE",
    "CommentRecord",
    "Faults",
    "Ledger",
    "ManualClock",
    "QueryParams",
    "RateLimit",
    "RequestRecord",
    "Sandbox",
    "SandboxConfig",
    "SandboxResponse",
    "WorldShape",
    "s256",
]
