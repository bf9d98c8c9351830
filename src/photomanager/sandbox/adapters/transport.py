"""The sandbox as an in-process httpx transport: the default double for the client."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import httpx

from photomanager.sandbox.endpoints.query import QueryParams

if TYPE_CHECKING:
    from photomanager.sandbox.core import Sandbox


def parse_form(content_type: str, body: bytes) -> dict[str, str]:
    """Form fields of a urlencoded body (anything else carries no fields)."""
    if not content_type.lower().startswith("application/x-www-form-urlencoded"):
        return {}
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


class SandboxTransport(httpx.BaseTransport):
    """Answers requests from `Sandbox.handle`; a dropped response is a read timeout."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        form = parse_form(request.headers.get("content-type", ""), body)
        answer = self._sandbox.handle(
            request.method,
            request.url.path,
            QueryParams.parse(request.url.query.decode("latin-1")),
            form,
            dict(request.headers),
        )
        if answer.dropped:
            raise httpx.ReadTimeout("sandbox dropped the response", request=request)
        return httpx.Response(
            answer.status,
            headers=answer.wire_headers(),
            content=answer.body_bytes(),
            request=request,
        )
