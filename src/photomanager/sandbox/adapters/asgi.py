"""The sandbox as an ASGI app, for real HTTP (multi-process tests, demo mode).

The core is synchronous and may sleep (the delay fault), so it runs in a
worker thread. A dropped response cuts the connection when the server lets
us (see `server.py`); otherwise the client is left waiting until it gives up,
which is what a lost response looks like from the outside.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from photomanager.sandbox.adapters.transport import parse_form
from photomanager.sandbox.endpoints.query import QueryParams

if TYPE_CHECKING:
    from photomanager.sandbox.core import Sandbox

ConnectionDropper = Callable[[Scope], None]
# Without a way to cut the connection, hold a dropped answer this long: any
# sane client has timed out by then.
_DROP_HOLD_S = 120.0


class SandboxEndpoint:
    """A raw ASGI callable: it must be able to answer with nothing at all."""

    def __init__(self, sandbox: Sandbox, drop_connection: ConnectionDropper | None) -> None:
        self._sandbox = sandbox
        self._drop_connection = drop_connection

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope["headers"]
        }
        query = QueryParams.parse(scope["query_string"].decode("latin-1"))
        form = parse_form(headers.get("content-type", ""), body)
        answer = await anyio.to_thread.run_sync(
            partial(self._sandbox.handle, scope["method"], _route_path(scope), query, form, headers)
        )
        if answer.dropped:
            if self._drop_connection is not None:
                self._drop_connection(scope)
            with anyio.move_on_after(_DROP_HOLD_S):
                await _wait_for_disconnect(receive)
            return
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [
                    (k.encode("latin-1"), v.encode("latin-1"))
                    for k, v in answer.wire_headers().items()
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer.body_bytes()})


def _route_path(scope: Scope) -> str:
    """The path below any mount point (Starlette keeps the full path in `path`)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message: dict[str, Any] = dict(await receive())
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _wait_for_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


def build_app(sandbox: Sandbox, drop_connection: ConnectionDropper | None = None) -> Starlette:
    """A Starlette app serving every sandbox route."""
    return Starlette(routes=[Mount("", app=SandboxEndpoint(sandbox, drop_connection))])
