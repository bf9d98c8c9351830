"""Running the app under uvicorn, loopback-only unless told otherwise.

`serve` (CLI) and the tests use the same `AppServer`: it reports the address
read off the real listening socket, so port 0 works and the test of the
default bind address checks what the kernel bound, not what we asked for.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

from photomanager.domain.errors import InvalidInput

BoundCallback = Callable[[str, int], None]


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IP literals (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind_address(host: str, *, allow_remote: bool, api_token_set: bool) -> None:
    """Refuse a non-loopback address unless remote access is allowed AND protected."""
    if is_loopback(host):
        return
    if not allow_remote:
        raise InvalidInput(
            f"refusing to listen on {host}: this admin app binds to 127.0.0.1 only; "
            "pass --allow-remote (and set PHOTOMANAGER_API_TOKEN) to expose it"
        )
    if not api_token_set:
        raise InvalidInput(
            f"refusing to listen on {host} without an access token: set PHOTOMANAGER_API_TOKEN"
        )


@dataclass(frozen=True, slots=True)
class BoundAddress:
    host: str
    port: int

    @property
    def url(self) -> str:
        """The base URL of the listening socket."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


class _ReportingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_bound: BoundCallback | None) -> None:
        super().__init__(config)
        self._on_bound = on_bound
        self.bound: BoundAddress | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        for server in getattr(self, "servers", []):
            for sock in server.sockets:
                name = sock.getsockname()
                self.bound = BoundAddress(str(name[0]), int(name[1]))
                break
            if self.bound is not None:
                break
        if self.bound is not None and self._on_bound is not None:
            self._on_bound(self.bound.host, self.bound.port)


class AppServer:
    """uvicorn over `app`, run in the foreground (`run`) or a thread (`start`)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        log_level: str = "info",
        on_bound: BoundCallback | None = None,
    ) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level=log_level.lower(),
            proxy_headers=False,  # nothing sits in front of a local app; never trust X-Forwarded-*
            server_header=False,
            access_log=False,
            lifespan="on",
            # No handlers of uvicorn's own: its records propagate to our root
            # handlers, which redact secrets (see `logging_setup`).
            log_config=None,
        )
        self._server = _ReportingServer(config, on_bound)
        self._thread: threading.Thread | None = None

    @property
    def bound(self) -> BoundAddress | None:
        """The address of the listening socket, once started."""
        return self._server.bound

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C)."""
        self._server.run()

    def start(self, timeout: float = 10.0) -> BoundAddress:
        """Serve in a daemon thread; return once the socket is bound."""

        def _serve() -> None:
            asyncio.run(self._server.serve())

        self._thread = threading.Thread(target=_serve, name="photomanager-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._thread.is_alive():
            if self._server.started and self._server.bound is not None:
                return self._server.bound
            time.sleep(0.02)
        raise RuntimeError("the HTTP server did not start")

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to finish and wait for its thread."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
