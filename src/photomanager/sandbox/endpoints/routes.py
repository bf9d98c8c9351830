"""The endpoints of the fake site, with DeviantArt's exact paths and their access rules.

Endpoints DeviantArt removed (`browse/newest`, `browse/popular`,
`browse/recommended` in 2024; `browse/hot`, `browse/undiscovered`, the paged
`browse/morelikethis` in 2020) have no route here: like any unknown path they
answer 404 "Api endpoint not found." (docs/deviantart.md, "Feeds").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from photomanager.sandbox.endpoints.responses import SandboxResponse, error_response


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint: its path pattern, methods, and who may call it."""

    endpoint: str
    pattern: re.Pattern[str]
    methods: frozenset[str]
    user_only: bool = False
    scope: str | None = None


def _route(endpoint: str, path: str, methods: str, **rules: Any) -> Route:
    return Route(endpoint, re.compile(f"^{path}/?$"), frozenset(methods.split()), **rules)


_API = "/api/v1/oauth2"
_ID = r"(?P<deviationid>[^/]+)"
ROUTES = (
    _route("authorize", "/oauth2/authorize", "GET"),
    _route("token", "/oauth2/token", "GET POST"),
    _route("revoke", "/oauth2/revoke", "POST"),
    _route("placebo", f"{_API}/placebo", "GET POST"),
    _route("whoami", f"{_API}/user/whoami", "GET", user_only=True, scope="user"),
    _route(
        "deviantsyouwatch",
        f"{_API}/browse/deviantsyouwatch",
        "GET",
        user_only=True,
        scope="browse",
    ),
    # The home feed (a recommendation feed on DeviantArt) needs a user token.
    _route("home", f"{_API}/browse/home", "GET", user_only=True, scope="browse"),
    _route("tags", f"{_API}/browse/tags", "GET", scope="browse"),
    _route("metadata", f"{_API}/deviation/metadata", "GET", scope="browse"),
    _route(
        "post_comment",
        f"{_API}/comments/post/deviation/{_ID}",
        "POST",
        user_only=True,
        scope="comment.post",
    ),
    _route("list_comments", f"{_API}/comments/deviation/{_ID}", "GET", scope="browse"),
    # The message center: the artist's own inbox, user token and scope `message` only.
    _route("messages_feed", f"{_API}/messages/feed", "GET", user_only=True, scope="message"),
    _route(
        "messages_stack",
        f"{_API}/messages/feedback/(?P<stackid>[^/]+)",
        "GET",
        user_only=True,
        scope="message",
    ),
    _route(
        "messages_feedback", f"{_API}/messages/feedback", "GET", user_only=True, scope="message"
    ),
)
OAUTH_ENDPOINTS = frozenset({"authorize", "token", "revoke"})


def endpoint_not_found() -> SandboxResponse:
    """DeviantArt's answer to a removed or unknown API endpoint."""
    return error_response(404, "invalid_request", "Api endpoint not found.")


def match_route(method: str, path: str) -> tuple[Route | SandboxResponse, dict[str, str]]:
    """The route and its path parameters, or the 404/405 to answer."""
    for route in ROUTES:
        found = route.pattern.match(path)
        if found is None:
            continue
        if method not in route.methods:
            return error_response(405, "invalid_request", "Method not allowed."), {}
        return route, found.groupdict()
    return endpoint_not_found(), {}
