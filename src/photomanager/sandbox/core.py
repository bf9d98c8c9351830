"""The fake DeviantArt itself: the `Sandbox` facade over the world.

`Sandbox.handle()` is the whole site; the adapters in `adapters/` (an httpx
transport in process, an ASGI app and a uvicorn thread for real HTTP) wrap it.
It hands each request to its `RequestPipeline` (`pipeline.py`: the order of
DeviantArt's checks); this module holds what the site is and what tests set up
and read: configuration, tokens without the browser flow, the world and its
accessors, and faults.

Time moves the world on each request (and each accessor): deviations arrive,
and the deviants' reactions to the artist's comments and the strangers'
messages happen when due (`world/deviants.py`, the model in
`world/reactions.py`, tuned by `sandbox.reactions`, `faults.reaction_scale` and
`faults.reaction_delay_s`).
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any, Literal

from photomanager.domain.clock import Clock, SystemClock
from photomanager.domain.models import DeviantArtUser, OAuthToken
from photomanager.sandbox.config import SandboxConfig as SandboxConfig
from photomanager.sandbox.endpoints.metadata import metadata_entry
from photomanager.sandbox.endpoints.oauth import IssuedTokens, OAuthClient, OAuthServer
from photomanager.sandbox.endpoints.responses import SandboxResponse
from photomanager.sandbox.faults.switches import Faults
from photomanager.sandbox.pipeline import API_PATH_PREFIX as API_PATH_PREFIX
from photomanager.sandbox.pipeline import RequestPipeline
from photomanager.sandbox.world.deviants import Deviants
from photomanager.sandbox.world.ledger import Ledger
from photomanager.sandbox.world.reactions import Reactions
from photomanager.sandbox.world.seed import DeviationFactory, WorldShape, build_world
from photomanager.sandbox.world.state import DeviationRecord, World

DEFAULT_USER_SCOPE = "basic browse comment.post message user"
_MAX_ARRIVALS_PER_TICK = 5000


class Sandbox:
    """A faithful fake DeviantArt; thread-safe (one lock around the world)."""

    def __init__(
        self,
        world: World,
        factory: DeviationFactory,
        rng: random.Random,
        *,
        clock: Clock | None = None,
        config: SandboxConfig | None = None,
        seed: int = 0,
    ) -> None:
        self.config = config or SandboxConfig()
        self.clock: Clock = clock or SystemClock()
        self.faults = Faults()
        self.faults.reseed(seed)
        self.ledger = Ledger(world.artist.userid)
        self._deviants = Deviants(world, self.ledger, seed)
        self._world = world
        self._factory = factory
        self._rng = rng
        self._lock = threading.RLock()
        self._oauth = OAuthServer(
            OAuthClient(
                self.config.client_id,
                self.config.client_secret,
                set(self.config.redirect_uris),
            ),
            world.artist,
            access_ttl_s=self.config.access_token_ttl_s,
            refresh_ttl_s=self.config.refresh_token_ttl_s,
        )
        self._last_tick: float | None = None
        self._arrival_carry = 0.0
        self._pipeline = RequestPipeline(
            self, world, self._oauth, self._deviants, rng, self._lock, self._tick
        )

    @classmethod
    def seeded(
        cls,
        *,
        seed: int = 0,
        deviations: int = 3000,
        clock: Clock | None = None,
        config: SandboxConfig | None = None,
        shape: WorldShape | None = None,
    ) -> Sandbox:
        """A deterministic world for `seed` (relative to the clock's current time)."""
        clock = clock or SystemClock()
        shape = replace(shape or WorldShape(), deviations=deviations)
        world, factory, rng = build_world(seed, shape, clock.now().timestamp())
        return cls(world, factory, rng, clock=clock, config=config, seed=seed)

    # --- the account and the OAuth client -----------------------------------------

    @property
    def artist(self) -> DeviantArtUser:
        """The seeded artist: every authorization is approved as this account."""
        return self._world.artist

    @property
    def client_id(self) -> str:
        return self._oauth.client.client_id

    @property
    def client_secret(self) -> str | None:
        return self._oauth.client.client_secret

    def register_redirect_uri(self, uri: str) -> None:
        """Allow one more exact redirect URI."""
        with self._lock:
            self._oauth.client.redirect_uris.add(uri)

    def issue_user_token(self, scope: str = DEFAULT_USER_SCOPE) -> OAuthToken:
        """Tokens for the artist without the browser flow."""
        with self._lock:
            grant = self._oauth.user_grant(frozenset(scope.split()) | {"basic"})
            return self._to_token(self._oauth.issue(grant, self._now()), user=self.artist)

    def issue_client_token(self) -> OAuthToken:
        """A client-credentials token (public endpoints only)."""
        with self._lock:
            issued = self._oauth.issue(self._oauth.client_grant(), self._now())
            return self._to_token(issued, user=None)

    def revoke_all_tokens(self, *, refresh_tokens: bool = True) -> None:
        """Revoke every access token (and, by default, every refresh token)."""
        with self._lock:
            self._oauth.revoke_all(refresh_tokens=refresh_tokens)

    def expire_all_tokens(self) -> None:
        """Expire every access token now; refreshing still works."""
        with self._lock:
            self._oauth.expire_all(self._now())

    # --- the deviants and the message center ----------------------------------------

    @property
    def reactions(self) -> Reactions:
        """How deviants answer the artist's comments (see `world/reactions.py`)."""
        return self._deviants.reactions

    @reactions.setter
    def reactions(self, model: Reactions) -> None:
        with self._lock:
            self._deviants.reactions = model

    def gallery_ids(self) -> list[str]:
        """The artist's own deviations (what deviants fave and comment on), newest first."""
        with self._lock:
            return [d.deviationid for d in self._world.gallery]

    def catch_up(self) -> None:
        """Let everything due by the sandbox clock happen now (arrivals, reactions, noise).

        Requests do this on their own; call it before reading the ledger after
        moving a ManualClock without a request.
        """
        with self._lock:
            self._now()

    def message_count(self) -> int:
        """Messages in the artist's inbox so far (one each, stacks unfolded)."""
        with self._lock:
            self._now()
            return len(self._deviants.center.messages)

    # --- the world -----------------------------------------------------------------

    def publish(
        self, n: int = 1, *, author: DeviantArtUser | None = None, watched: bool = False
    ) -> list[str]:
        """Publish `n` plain deviations now (newest first in the feeds); returns their ids."""
        with self._lock:
            now = self._now()
            ids = []
            for _ in range(n):
                who = author
                if who is None and watched:
                    who = self._rng.choice(
                        [u for u in self._world.users if u.userid in self._world.watched]
                    )
                deviation = self._factory.make(now, who, plain=True)
                self._world.add(deviation)
                ids.append(deviation.deviationid)
            return ids

    def delete_deviation(self, deviationid: str) -> None:
        """Delete a deviation now."""
        with self._lock:
            self._require(deviationid).deleted_at = self._now()

    def set_allows_comments(self, deviationid: str, allowed: bool) -> None:
        """Switch comments on or off for one deviation."""
        with self._lock:
            self._require(deviationid).allows_comments = allowed

    def block_artist(self, userid: str) -> None:
        """Make `userid` block the artist: posting under their deviations fails."""
        with self._lock:
            self._world.blockers.add(userid)

    def deviation(self, deviationid: str) -> dict[str, Any]:
        """One deviation as the API would show it (even when deleted)."""
        with self._lock:
            return self._require(deviationid).to_json(self._now())

    def deviation_ids(
        self,
        *,
        feed: Literal["home", "watch", "newest"] = "home",
        mature: bool | None = None,
        commentable: bool | None = None,
        tag: str | None = None,
        language: str | None = None,
    ) -> list[str]:
        """Ids visible in a feed right now, newest first, optionally filtered.

        `feed="home"` is every visible deviation ("newest" is its old name,
        kept for callers written before browse/newest was removed); "watch"
        keeps watched authors. `commentable=True` keeps only deviations a post
        would succeed on; `tag` and `language` filter on the sandbox's truth.
        """
        with self._lock:
            now = self._now()
            world = self._world
            result = []
            for d in world.deviations:
                if d.published_at > now or d.is_deleted(now):
                    continue
                if feed == "watch" and d.author.userid not in world.watched:
                    continue
                if mature is not None and d.is_mature != mature:
                    continue
                if commentable is not None and self._commentable(d) != commentable:
                    continue
                if tag is not None and tag.lower() not in d.tags:
                    continue
                if language is not None and d.language != language:
                    continue
                result.append(d.deviationid)
            return result

    def metadata(self, deviationid: str) -> dict[str, Any]:
        """One deviation's `deviation/metadata` entry (tags, HTML description...)."""
        with self._lock:
            return metadata_entry(self._world, self._require(deviationid))

    def language(self, deviationid: str) -> str:
        """The language (ISO 639-1) a deviation's text is written in: the sandbox's truth."""
        with self._lock:
            return self._require(deviationid).language

    @property
    def users(self) -> list[DeviantArtUser]:
        """Every seeded user (not the artist)."""
        return list(self._world.users)

    @property
    def watched_userids(self) -> set[str]:
        """The users the artist watches."""
        with self._lock:
            return set(self._world.watched)

    # --- the site ------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        form: Mapping[str, str],
        headers: Mapping[str, str],
    ) -> SandboxResponse:
        """Answer one request exactly as DeviantArt would (faults included).

        `query` may be a plain mapping or a `QueryParams` (which the adapters
        build, keeping repeated keys such as `deviationids[]`).
        """
        return self._pipeline.handle(method, path, query, form, headers)

    # --- internals ---------------------------------------------------------------------

    def _now(self) -> float:
        """The sandbox time, after letting due arrivals happen (call under the lock)."""
        now = self.clock.now().timestamp()
        self._tick(now)
        return now

    def _tick(self, now: float) -> None:
        """Let deviations arrive, and deviants react, with the passing of sandbox time."""
        last, self._last_tick = self._last_tick, now
        self._arrive(last, now)
        self._deviants.catch_up(last, now, scale=self.faults.reaction_scale)

    def _arrive(self, last: float | None, now: float) -> None:
        rate = self.config.arrivals_per_hour
        if last is None or now <= last or rate <= 0:
            return
        expected = (now - last) * rate / 3600.0 + self._arrival_carry
        count = math.floor(expected)
        self._arrival_carry = expected - count
        count = min(count, _MAX_ARRIVALS_PER_TICK)
        for i in range(count):
            published = last + (now - last) * (i + 1) / count
            self._world.add(self._factory.make(published))

    def _require(self, deviationid: str) -> DeviationRecord:
        deviation = self._world.get(deviationid)
        if deviation is None:
            raise KeyError(deviationid)
        return deviation

    def _commentable(self, deviation: DeviationRecord) -> bool:
        return self._world.can_comment(deviation)

    def _to_token(self, issued: IssuedTokens, *, user: DeviantArtUser | None) -> OAuthToken:
        expires = self.clock.now() + timedelta(seconds=issued.expires_in)
        return OAuthToken(
            access_token=issued.access_token,
            refresh_token=issued.refresh_token,
            expires_at=expires,
            scope=issued.scope,
            userid=user.userid if user else None,
            username=user.username if user else None,
        )
