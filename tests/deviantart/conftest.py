"""Fixtures for the DeviantArt client tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from deviantart.da_doubles import (
    BASE_URL,
    FakeServer,
    FakeTokens,
    FrozenClock,
    Harness,
    MidpointRandom,
    RecordingSleep,
)
from photomanager.deviantart.client import DeviantArtHttpClient
from photomanager.deviantart.retry import RetryPolicy


@pytest.fixture
def harness() -> Iterator[Harness]:
    """A client factory wired to a fake server, fake tokens, a frozen clock and fake sleep."""
    server = FakeServer()
    tokens = FakeTokens()
    sleep = RecordingSleep()
    made: list[DeviantArtHttpClient] = []

    def make(**overrides: Any) -> DeviantArtHttpClient:
        kwargs: dict[str, Any] = {
            "transport": httpx.MockTransport(server),
            "sleep": sleep,
            "clock": FrozenClock(),
            "rng": MidpointRandom(),
            "policy": RetryPolicy(retry_after_jitter_s=0.0),
        }
        kwargs.update(overrides)
        client = DeviantArtHttpClient(BASE_URL, tokens, **kwargs)
        made.append(client)
        return client

    yield Harness(server=server, tokens=tokens, sleep=sleep, make=make)
    for client in made:
        client.close()
