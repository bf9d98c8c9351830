"""One request through the fake DeviantArt, from its path to the ledger.

Apart from the `Sandbox` facade (which owns the world and shares its lock) so
the order DeviantArt applies its checks in reads in one place. The sandbox's
own paths (`/sandbox/images/`, `/sandbox/ledger`) answer first, apart from the
API and its faults. Every API request passes, in order: the edge block (the
CDN's HTML 403), removed endpoints ("Api endpoint not found."), routing, delay,
maintenance, bearer token, token revocation fault, user/scope checks, rate
limit, random 5xx, the per-action throttle (comment POSTs), the endpoint, the
dropped-response fault; then the ledger records it, with whether it came inside
a penalty.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Protocol

from photomanager.domain.clock import Clock
from photomanager.domain.models import TokenKind
from photomanager.sandbox.config import SandboxConfig
from photomanager.sandbox.endpoints import comments, feeds, images, ledger_view, messages
from photomanager.sandbox.endpoints.metadata import deviation_metadata
from photomanager.sandbox.endpoints.oauth import (
    EXPIRED_DESCRIPTION,
    AccessToken,
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
from photomanager.sandbox.world.state import World, user_json

API_PATH_PREFIX = "/api/v1/oauth2/"


class Site(Protocol):
    """The `Sandbox` as the pipeline sees it, read on every request (tests swap `faults`)."""

    config: SandboxConfig
    clock: Clock
    faults: Faults
    ledger: Ledger

    def catch_up(self) -> None: ...


class RequestPipeline:
    """Answers requests for one `Sandbox`; call `handle` from any thread."""

    def __init__(
        self,
        site: Site,
        world: World,
        oauth: OAuthServer,
        deviants: Deviants,
        rng: random.Random,
        lock: threading.RLock,
        tick: Callable[[float], None],
    ) -> None:
        self._site = site
        self._world = world
        self._oauth = oauth
        self._deviants = deviants
        self._rng = rng
        self._lock = lock
        # Moves the world on to the request's time (call under the lock).
        self._tick = tick
        # (inside a penalty, declared) for the request being answered; set under the lock.
        self._penalty_note = (False, False)

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        form: Mapping[str, str],
        headers: Mapping[str, str],
    ) -> SandboxResponse:
        """Answer one request (see `Sandbox.handle`) and record it in the ledger."""
        method = method.upper()
        headers = {k.lower(): v for k, v in headers.items()}
        image = images.answer(method, path)  # the image host: apart from the API and its faults
        if image is not None:
            return image
        if ledger_view.is_ledger_path(path):  # the sandbox's own window, for tests
            self._site.catch_up()  # what is due has happened before it is shown
            return ledger_view.answer(method, self._site.ledger)
        refused = self._before_routing(path)
        if refused is not None:
            response, inside = refused
            self._site.ledger.record_request(
                RequestRecord(
                    self._site.clock.now(),
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
            self._site.ledger.record_request(
                RequestRecord(self._site.clock.now(), method, path, "unknown", None, route.status)
            )
            return route
        with self._lock:
            faults = self._site.faults
            delay = faults.delay_s if applies(faults.delay_endpoints, route.endpoint) else 0.0
        if delay > 0:
            time.sleep(delay)  # outside the lock: a slow answer must not stall the site
        with self._lock:
            moment = self._site.clock.now()
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
            self._site.ledger.record_request(
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
            faults = self._site.faults
            edge = faults.edge_block
            if edge is not None and not path.rstrip("/").endswith("/oauth2/authorize"):
                now = self._site.clock.now().timestamp()
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
            self._site.ledger.record_token_call(form.get("grant_type") or "")
        failure = self._randomserver_error(endpoint)
        if failure is not None:
            return failure
        if endpoint == "authorize":
            return self._oauth.authorize(query, now, deny=self._site.faults.deny_authorization)
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
        faults = self._site.faults
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
        world, config = self._world, self._site.config
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
        faults = self._site.faults
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
            self._world.artist,
            now,
            max_length=self._site.config.max_comment_length,
            rng=self._rng,
        )
        if isinstance(stored, SandboxResponse):
            return stored
        self._site.ledger.record_comment(stored)
        self._deviants.comment_posted(
            stored, now, scale=faults.reaction_scale, delay_s=faults.reaction_delay_s
        )
        if throttle is not None:
            throttle.stored(now)
        if failure is not None:
            return failure
        response = json_response(stored.to_json(), status=self._site.config.post_status)
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
        faults = self._site.faults
        if faults.server_error_probability <= 0:
            return None
        if not applies(faults.server_error_endpoints, endpoint):
            return None
        if faults.rng.random() >= faults.server_error_probability:
            return None
        return server_error(faults.server_error_status)
