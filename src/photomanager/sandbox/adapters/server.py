"""Run the sandbox over real HTTP: uvicorn in a background thread on a free port."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.types import Scope

from photomanager.sandbox.adapters.asgi import build_app

if TYPE_CHECKING:
    from photomanager.sandbox.core import Sandbox

_START_TIMEOUT_S = 10.0


class SandboxServer:
    """`with SandboxServer(sandbox) as base_url:`; or `start()` / `stop()`."""

    def __init__(self, sandbox: Sandbox, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        app = build_app(sandbox, drop_connection=self._abort_connection)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            http="h11",
            loop="asyncio",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.base_url = ""

    def start(self) -> str:
        """Start serving; returns the base URL (e.g. http://127.0.0.1:54321)."""
        if self._thread is not None:
            return self.base_url
        self._thread = threading.Thread(
            target=self._server.run, name="sandbox-uvicorn", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.005)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://{self._host}:{port}"
        return self.base_url

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _abort_connection(self, scope: Scope) -> None:
        """Reset the TCP connection of this request: the client gets no response."""
        client = scope.get("client")
        if client is None:
            return
        connections: set[Any] = self._server.server_state.connections
        for protocol in connections:
            if getattr(protocol, "client", None) == tuple(client):
                protocol.transport.abort()
