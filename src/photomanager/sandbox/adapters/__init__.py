"""Ways to reach the sandbox: in process (an httpx transport) or over real HTTP (ASGI, uvicorn).

The core (`Sandbox.handle`) knows nothing of these; each wraps it.

    httpx.Client(transport=SandboxTransport(sandbox), base_url="https://www.deviantart.com")
    with SandboxServer(sandbox) as base_url: ...   # a uvicorn server in a thread
"""

from __future__ import annotations

from photomanager.sandbox.adapters.asgi import build_app
from photomanager.sandbox.adapters.server import SandboxServer
from photomanager.sandbox.adapters.transport import SandboxTransport

__all__ = ["SandboxServer", "SandboxTransport", "build_app"]
