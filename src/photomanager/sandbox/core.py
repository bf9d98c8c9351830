"""The fake DeviantArt itself: one framework-free router over the world.

`Sandbox.handle()` is the whole site; the adapters in `adapters/` (an httpx
transport in process, an ASGI app and a uvicorn thread for real HTTP) wrap it.
The sandbox's own paths (`/sandbox/images/`, `/sandbox/ledger`) answer first,
apart from the API and its faults. Every API request passes, in order: the
edge block (the CDN's HTML 403), removed endpoints ("Api endpoint not
found."), routing, delay, maintenance, bearer token, token revocation fault,
user/scope checks, rate limit, random 5xx, the per-action throttle (comment
POSTs), the endpoint, the dropped-response fault; then the ledger records it,
with whether it came inside a penalty.

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
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, Literal

from photomanager.domain.clock import Clock, SystemClock
from photomanager.domain.models import DeviantArtUser, OAuthToken, TokenKind
from photomanager.sandbox.endpoints import comments, feeds, images, ledger_view, messages
from photomanager.sandbox.endpoints.metadata import deviation_metadata, metadata_entry
from photomanager.sandbox.endpoints.oauth import (
    EXPIRED_DESCRIPTION,
    AccessToken,
    IssuedTokens,
    OAuthClient,
    OAuthServer,
    unauthorized,
)
from photomanager.sandbox.endpoints.responses import (
    SandboxResponse,
    edge_blocked,
    error_response,
    insufficient_scope,
    json_response,
    rate_limited,
    server_error,
    unavailable,
)
from photomanager.sandbox.endpoints.routes import (
    OAUTH_ENDPOINTS,
    Route,
    endpoint_not_found,
    match_route,
)
from photomanager.sandbox.faults.switches import Faults, applies
from photomanager.sandbox.world.deviants import Deviants
from photomanager.sandbox.world.ledger import Ledger, RequestRecord
from photomanager.sandbox.world.reactions import Reactions
from photomanager.sandbox.world.seed import DeviationFactory, WorldShape, build_world
from photomanager.sandbox.world.state import DeviationRecord, World, user_json

DEFAULT_USER_SCOPE = "basic browse comment.post message user"
API_PATH_PREFIX = "/api/v1/oauth2/"
_MAX_ARRIVALS_PER_TICK = 5000


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Knobs of the fake site. Defaults follow docs/deviantart.md."""

    client_id: str = "sandbox-client"
    # A well-known demo secret: the fake site guards nothing real.
    client_secret: str | None = field(default="sandbox-secret", repr=False)
    redirect_uris: tuple[str, ...] = ("http://127.0.0.1:8000/auth/callback",)
    access_token_ttl_s: int = 3600
    refresh_token_ttl_s: int = 90 * 86_400
    watch_limit_cap: int = 50
    home_limit_cap: int = 50
    tags_limit_cap: int = 50
    metadata_ids_cap: int = 50
    comments_limit_cap: int = 50
    default_limit: int = 10
    max_comment_length: int = 5000
    # New deviations per hour of sandbox-clock time (0: only `publish()` adds).
    arrivals_per_hour: float = 0.0
    post_status: int = 200
    comments_newest_first: bool = True
    # `messages/feed` takes no limit: its page size is DeviantArt's (unpublished) choice.
    messages_page_size: int = 10
    # `messages/feedback` limits: unconfirmed (clients cap at 5 or 50).
    feedback_limit_cap: int = 50


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
        # (inside a penalty, declared) for the request being answered; set under the lock.
        self._penalty_note = (False, False)

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

    # --- the router ------------------------------------------------------------------

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
        method = method.upper()
        headers = {k.lower(): v for k, v in headers.items()}
        image = images.answer(method, path)  # the image host: apart from the API and its faults
        if image is not None:
            return image
        if ledger_view.is_ledger_path(path):  # the sandbox's own window, for tests
            self.catch_up()  # what is due has happened before it is shown
            return ledger_view.answer(method, self.ledger)
        refused = self._before_routing(path)
        if refused is not None:
            response, inside = refused
            self.ledger.record_request(
                RequestRecord(
                    self.clock.now(),
                    method,
                    path,
                    "unknown",
                    None,
                    response.status,
                    inside_penalty=inside,
                )
            )
            return response
        route, params = match_route(method, path)
        if isinstance(route, SandboxResponse):
            self.ledger.record_request(
                RequestRecord(self.clock.now(), method, path, "unknown", None, route.status)
            )
            return route
        with self._lock:
            faults = self.faults
            delay = faults.delay_s if applies(faults.delay_endpoints, route.endpoint) else 0.0
        if delay > 0:
            time.sleep(delay)  # outside the lock: a slow answer must not stall the site
        with self._lock:
            moment = self.clock.now()
            now = moment.timestamp()
            self._tick(now)
            kind: TokenKind | None = None
            self._penalty_note = (False, False)
            if route.endpoint in OAUTH_ENDPOINTS:
                response = self._oauth_endpoint(route.endpoint, method, query, form, headers, now)
            else:
                response, kind = self._api_endpoint(route, params, query, form, headers, now)
                if route.endpoint in images.FEED_ENDPOINTS:
                    response = images.with_thumbnails(response, headers.get("host"))
            inside, declared = self._penalty_note
            self.ledger.record_request(
                RequestRecord(
                    moment,
                    method,
                    path,
                    route.endpoint,
                    kind,
                    response.status,
                    response.dropped,
                    inside_penalty=inside,
                    declared=declared,
                )
            )
            return response

    def _before_routing(self, path: str) -> tuple[SandboxResponse, bool] | None:
        """The CDN's block, or a removed endpoint: (answer, whether inside a penalty)."""
        with self._lock:
            faults = self.faults
            edge = faults.edge_block
            if edge is not None and not path.rstrip("/").endswith("/oauth2/authorize"):
                now = self.clock.now().timestamp()
                if edge.blocked(now):
                    inside = edge.refused_since is not None
                    if edge.refused_since is None:
                        edge.refused_since = now
                    return edge_blocked(), inside
                edge.refused_since = None
            if faults.gone_paths and path.startswith(API_PATH_PREFIX):
                endpoint = path[len(API_PATH_PREFIX) :].strip("/")
                if any(endpoint == g or endpoint.startswith(g + "/") for g in faults.gone_paths):
                    return endpoint_not_found(), False
        return None

    def _oauth_endpoint(
        self,
        endpoint: str,
        method: str,
        query: Mapping[str, str],
        form: Mapping[str, str],
        headers: Mapping[str, str],
        now: float,
    ) -> SandboxResponse:
        if endpoint == "token":
            self.ledger.record_token_call(form.get("grant_type") or "")
        failure = self._randomserver_error(endpoint)
        if failure is not None:
            return failure
        if endpoint == "authorize":
            return self._oauth.authorize(query, now, deny=self.faults.deny_authorization)
        if endpoint == "token":
            return self._oauth.token(method, form, headers, now)
        return self._oauth.revoke(form)

    def _api_endpoint(
        self,
        route: Route,
        params: Mapping[str, str],
        query: Mapping[str, str],
        form: Mapping[str, str],
        headers: Mapping[str, str],
        now: float,
    ) -> tuple[SandboxResponse, TokenKind | None]:
        faults = self.faults
        if faults.maintenance:
            return unavailable(faults.maintenance_retry_after_s), None
        access = self._bearer(query, form, headers, now)
        if isinstance(access, SandboxResponse):
            return access, None
        kind = access.grant.kind
        if faults.revoke_after_requests is not None:
            if faults.revoke_after_requests <= 0:
                faults.revoke_after_requests = None
                self._oauth.revoke_all(refresh_tokens=faults.revoke_refresh_tokens)
                return unauthorized("Invalid or revoked access token."), kind
            faults.revoke_after_requests -= 1
        if route.user_only and kind is TokenKind.CLIENT:
            # DeviantArt's (odd) answer to a client token on a user endpoint.
            return unauthorized(EXPIRED_DESCRIPTION), kind
        if route.scope is not None and route.scope not in access.grant.scope:
            return insufficient_scope(route.scope), kind
        limit = faults.rate_limit
        if limit is not None and applies(limit.endpoints, route.endpoint):
            user = access.grant.userid if kind is TokenKind.USER else None
            throttle = limit.check(now, user=user, client=access.grant.client_id)
            if throttle is not None:
                self._penalty_note = (throttle.inside_penalty, throttle.declared)
                return rate_limited(throttle.retry_after, throttle.error), kind
        if route.endpoint == "post_comment":
            return self._post(params["deviationid"], form, now), kind
        failure = self._randomserver_error(route.endpoint)
        if failure is not None:
            return failure, kind
        return self._read_endpoint(route.endpoint, params, query, now), kind

    def _read_endpoint(
        self, endpoint: str, params: Mapping[str, str], query: Mapping[str, str], now: float
    ) -> SandboxResponse:
        world, config = self._world, self.config
        if endpoint == "placebo":
            return json_response({"status": "success"})
        if endpoint == "whoami":
            return json_response(user_json(world.artist))
        if endpoint == "deviantsyouwatch":
            return feeds.browse(
                world,
                query,
                now,
                cap=config.watch_limit_cap,
                default_limit=config.default_limit,
                keep=lambda d: d.author.userid in world.watched,
            )
        if endpoint == "home":
            return feeds.browse(
                world, query, now, cap=config.home_limit_cap, default_limit=config.default_limit
            )
        if endpoint == "tags":
            return feeds.browse_tag(
                world, query, now, cap=config.tags_limit_cap, default_limit=config.default_limit
            )
        if endpoint == "metadata":
            return deviation_metadata(world, query, now, cap=config.metadata_ids_cap)
        center = self._deviants.center
        if endpoint == "messages_feed":
            return messages.feed(center, query, now, page_size=config.messages_page_size)
        if endpoint == "messages_stack":
            return messages.feedback_stack(
                center,
                params["stackid"],
                query,
                now,
                cap=config.feedback_limit_cap,
                default_limit=config.default_limit,
            )
        if endpoint == "messages_feedback":
            return messages.feedback(
                center,
                query,
                now,
                cap=config.feedback_limit_cap,
                default_limit=config.default_limit,
            )
        return comments.list_comments(
            world,
            params["deviationid"],
            query,
            now,
            cap=config.comments_limit_cap,
            newest_first=config.comments_newest_first,
        )

    def _post(self, deviationid: str, form: Mapping[str, str], now: float) -> SandboxResponse:
        faults = self.faults
        throttle = faults.action_throttle
        if throttle is not None and throttle.refuses(now):
            return error_response(
                400, "invalid_request", throttle.description, code=throttle.error_code
            )
        failure = self._randomserver_error("post_comment")
        if failure is not None and not faults.server_error_after_store:
            return failure
        if faults.account_restricted:
            return error_response(
                403,
                "unauthorized",
                "Your account has been suspended from commenting for spam.",
            )
        stored = comments.post_comment(
            self._world,
            deviationid,
            form,
            self.artist,
            now,
            max_length=self.config.max_comment_length,
            rng=self._rng,
        )
        if isinstance(stored, SandboxResponse):
            return stored
        self.ledger.record_comment(stored)
        self._deviants.comment_posted(
            stored, now, scale=faults.reaction_scale, delay_s=faults.reaction_delay_s
        )
        if throttle is not None:
            throttle.stored(now)
        if failure is not None:
            return failure
        response = json_response(stored.to_json(), status=self.config.post_status)
        if faults.drop_next_posts > 0:
            faults.drop_next_posts -= 1
            return replace(response, dropped=True)
        if faults.drop_probability > 0 and faults.rng.random() < faults.drop_probability:
            return replace(response, dropped=True)
        return response

    def _bearer(
        self,
        query: Mapping[str, str],
        form: Mapping[str, str],
        headers: Mapping[str, str],
        now: float,
    ) -> AccessToken | SandboxResponse:
        if "access_token" in query:
            return error_response(
                400,
                "invalid_request",
                "Access tokens in the query string are not accepted; use the Authorization header.",
            )
        auth = headers.get("authorization", "")
        token = ""
        if auth[:7].lower() == "bearer ":
            token = auth[7:].strip()
        elif form.get("access_token"):
            token = form["access_token"]
        if not token:
            return unauthorized("No access token was provided.")
        return self._oauth.authenticate(token, now)

    def _randomserver_error(self, endpoint: str) -> SandboxResponse | None:
        faults = self.faults
        if faults.server_error_probability <= 0:
            return None
        if not applies(faults.server_error_endpoints, endpoint):
            return None
        if faults.rng.random() >= faults.server_error_probability:
            return None
        return server_error(faults.server_error_status)

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
