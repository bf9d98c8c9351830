"""Doubles for the DeviantArt client tests: a scripted fake server, tokens, clock, sleep."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from photomanager.deviantart.client import DeviantArtHttpClient
from photomanager.domain.models import TokenKind

BASE_URL = "https://da.test"
FROZEN_NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
USER_TOKEN = "user-access-token-0123456789abcdef"
CLIENT_TOKEN = "client-access-token-fedcba9876543210"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    """A response with a JSON body."""
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"} | (headers or {}),
    )


def error_response(
    status: int, error: str, description: str = "", headers: dict[str, str] | None = None
) -> httpx.Response:
    """A response in DeviantArt's error format."""
    body = {"error": error, "error_description": description, "status": "error"}
    return json_response(status, body, headers)


class FakeServer:
    """A `MockTransport` handler answering from a script and recording every request."""

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[httpx.Request] = []

    def reply(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if not self.script:
            return json_response(500, {"error": "server_error", "status": "error"})
        reply = self.script.pop(0)
        if isinstance(reply, Exception):
            if isinstance(reply, httpx.RequestError):
                reply._request = request
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)

    def methods(self) -> list[str]:
        return [r.method for r in self.requests]

    def form(self, index: int = -1) -> dict[str, str]:
        """The form body of a recorded request."""
        pairs = httpx.QueryParams(self.requests[index].content.decode())
        return dict(pairs.items())


class FakeTokens:
    """A TokenProvider that rotates on refresh and records each refresh."""

    def __init__(self) -> None:
        self.tokens = {TokenKind.USER: USER_TOKEN, TokenKind.CLIENT: CLIENT_TOKEN}
        self.refreshes: list[tuple[TokenKind, str]] = []

    def get_token(self, kind: TokenKind) -> str:
        return self.tokens[kind]

    def refresh_token(self, kind: TokenKind, rejected: str) -> str:
        self.refreshes.append((kind, rejected))
        fresh = f"{kind.value}-refreshed-token-{len(self.refreshes)}-abcdef0123"
        self.tokens[kind] = fresh
        return fresh


@dataclass
class RecordingSleep:
    """A sleep that returns at once and remembers what it was asked to wait."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class FrozenClock:
    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


class MidpointRandom(random.Random):
    """Jitter that always lands in the middle of its range, for exact waits."""

    def random(self) -> float:
        return 0.5


@dataclass
class Harness:
    server: FakeServer
    tokens: FakeTokens
    sleep: RecordingSleep
    make: Callable[..., DeviantArtHttpClient]
