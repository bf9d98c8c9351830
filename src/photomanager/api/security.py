"""Guards for a local admin app, as one pure ASGI middleware.

In order, for every HTTP request:
1. Host allow-list (loopback names with any port, plus configured ones) -> 400,
   so a DNS-rebinding page cannot talk to us under a name it controls.
2. Optional access token (when bound remotely): `Authorization: Bearer` or the
   `photomanager_token` cookie -> 401.
3. CSRF for state-changing methods: `application/json` only (a bodiless DELETE
   may omit it: browsers preflight DELETE) and same-origin
   (`Origin` equal to the Host, or `Sec-Fetch-Site` same-origin/none when there is
   no Origin) -> 403. JSON plus a same-origin check means a foreign page can send
   neither a simple form post nor a cross-site fetch.
4. Request bodies larger than `MAX_BODY_BYTES` -> 413, before anything reads them.
5. Security headers on every response (strict CSP, nosniff, no referrer). Images load from
   this origin and the allowed image origins only (DeviantArt's image host for thumbnails;
   the sandbox's own origin in demo mode).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from photomanager.api.errors import error_response
from photomanager.domain.images import DEVIANTART_IMAGE_ORIGINS

TOKEN_COOKIE = "photomanager_token"  # noqa: S105 - a cookie name, not a secret
UNSAFE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# Far above any real request (a template is at most a few KiB), far below harm.
MAX_BODY_BYTES = 1024 * 1024


def content_security_policy(image_origins: Iterable[str]) -> str:
    """The page's policy: everything from this origin only, images also from `image_origins`."""
    images = " ".join(["'self'", *sorted(image_origins)])
    return (
        f"default-src 'self'; script-src 'self'; img-src {images}; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


CONTENT_SECURITY_POLICY = content_security_policy(DEVIANTART_IMAGE_ORIGINS)


def security_headers(image_origins: Iterable[str] = DEVIANTART_IMAGE_ORIGINS) -> dict[str, str]:
    """The headers every response carries (a route may set its own CSP, as /docs does)."""
    return {
        "Content-Security-Policy": content_security_policy(image_origins),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


@dataclass(frozen=True, slots=True)
class SecurityPolicy:
    """What the middleware enforces; built from Settings by the app factory."""

    allowed_hosts: frozenset[str]
    api_token: str | None = None
    image_origins: frozenset[str] = DEVIANTART_IMAGE_ORIGINS

    @classmethod
    def local(
        cls,
        extra_hosts: Iterable[str] = (),
        api_token: str | None = None,
        image_origins: frozenset[str] = DEVIANTART_IMAGE_ORIGINS,
    ) -> SecurityPolicy:
        """Loopback names plus `extra_hosts` (each with or without a port)."""
        names = {name.lower() for name in LOOPBACK_NAMES}
        names.update(_normalise_host(host) for host in extra_hosts if host)
        return cls(
            allowed_hosts=frozenset(names),
            api_token=api_token or None,
            image_origins=image_origins,
        )

    def host_allowed(self, host_header: str) -> bool:
        """True when the Host header (name[:port]) names us."""
        host = host_header.strip().lower()
        if not host:
            return False
        if host in self.allowed_hosts:
            return True
        name, port = _split_port(host)
        return port is not None and name in self.allowed_hosts


def _normalise_host(host: str) -> str:
    host = host.strip().lower()
    if ":" in host and not host.startswith("[") and host.count(":") > 1:
        return f"[{host}]"  # a bare IPv6 literal from the configuration
    return host


def _split_port(host: str) -> tuple[str, str | None]:
    if host.startswith("["):
        end = host.find("]")
        rest = host[end + 1 :]
        if end == -1 or (rest and not rest.startswith(":")):
            return host, None
        port = rest[1:] if rest else None
        return host[: end + 1], port if port and port.isdigit() else None
    name, sep, port = host.rpartition(":")
    if not sep or not port.isdigit():
        return host, None
    return name, port


def _origin_matches(origin: str, host: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.strip().lower()


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    return "transfer-encoding" in headers or (length is not None and length.strip() != "0")


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def _presented_token(headers: Headers) -> str | None:
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    cookie_header = headers.get("cookie")
    if cookie_header:
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(cookie_header)
        except Exception:  # a malformed cookie header simply presents no token
            return None
        morsel = cookies.get(TOKEN_COOKIE)
        if morsel is not None and morsel.value:
            return morsel.value
    return None


def check_request(
    policy: SecurityPolicy, method: str, headers: Headers
) -> tuple[int, str, str] | None:
    """Why this request must be refused as (status, code, message), or None."""
    host = headers.get("host", "")
    if not policy.host_allowed(host):
        return 400, "bad_host", "This server only answers to its own address (Host not allowed)."
    if policy.api_token is not None:
        presented = _presented_token(headers)
        if presented is None or not hmac.compare_digest(
            presented.encode(), policy.api_token.encode()
        ):
            return 401, "unauthorized", "An API token is required (Authorization: Bearer)."
    if method.upper() in UNSAFE_METHODS:
        content_type = headers.get("content-type")
        # A foreign page can send a form or a "simple" POST without asking; DELETE always
        # needs a CORS preflight, which we never grant. So a DELETE without a body needs no
        # content type; everything else must say JSON.
        bodiless_delete = method.upper() == "DELETE" and not _has_body(headers)
        if not bodiless_delete and not _is_json(content_type):
            return (
                403,
                "csrf_rejected",
                "Send Content-Type: application/json (state-changing requests only take JSON).",
            )
        origin = headers.get("origin")
        if origin is not None:
            if not _origin_matches(origin, host):
                return 403, "csrf_rejected", "Cross-origin requests are not allowed."
        elif headers.get("sec-fetch-site", "same-origin").lower() not in ("same-origin", "none"):
            return 403, "csrf_rejected", "Cross-site requests are not allowed."
    return None


class SecurityMiddleware:
    """Pure ASGI middleware applying `SecurityPolicy` and the security headers."""

    def __init__(self, app: ASGIApp, policy: SecurityPolicy) -> None:
        self.app = app
        self.policy = policy
        self.headers = security_headers(policy.image_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                # No websocket endpoints exist; refuse rather than pass unchecked.
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        headers = Headers(scope=scope)
        refusal = check_request(self.policy, scope["method"], headers)
        if refusal is None:
            receive, refusal = await _limit_body(headers, receive)
        if refusal is not None:
            status, code, message = refusal
            response = error_response(status, code, message)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


_TOO_LARGE = (413, "body_too_large", f"Request bodies are limited to {MAX_BODY_BYTES} bytes.")


async def _limit_body(
    headers: Headers, receive: Receive
) -> tuple[Receive, tuple[int, str, str] | None]:
    """Refuse an oversized body; otherwise a `receive` that replays what was read.

    A declared Content-Length is trusted for the early refusal; a body without one
    (chunked) is read here, up to the limit, so nothing downstream ever holds more.
    """
    declared = headers.get("content-length")
    if declared is not None:
        if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
            return receive, _TOO_LARGE
        return receive, None
    if headers.get("transfer-encoding") is None:
        return receive, None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return receive, _TOO_LARGE
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        return await receive()

    return replay, None
