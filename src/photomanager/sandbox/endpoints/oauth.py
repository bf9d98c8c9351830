"""OAuth 2.1 as DeviantArt runs it: authorization code with PKCE (S256 only),
exact redirect URIs, refresh-token rotation, client credentials, revocation.

Token strings are only dictionary keys here: no record holds or prints one,
and no error description ever echoes a secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from photomanager.domain.models import DeviantArtUser, TokenKind
from photomanager.sandbox.endpoints.responses import (
    SandboxResponse,
    error_response,
    json_response,
    redirect,
)

KNOWN_SCOPES = frozenset(
    {
        "basic",
        "browse",
        "browse.mlt",
        "collection",
        "comment.post",
        "feed",
        "gallery",
        "group",
        "message",
        "note",
        "publish",
        "stash",
        "user",
        "user.manage",
    }
)
CLIENT_SCOPE = frozenset({"basic", "browse"})
CODE_TTL_S = 600.0
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
# DeviantArt's own words for a client token on a user endpoint (and for expiry).
EXPIRED_DESCRIPTION = (
    "Expired oAuth2 user token. The client should request a new one with an access code "
    "or a refresh token."
)
_NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def scope_text(scope: frozenset[str]) -> str:
    """Scopes as DeviantArt writes them: space separated, stable order."""
    return " ".join(sorted(scope))


@dataclass(slots=True)
class OAuthClient:
    """A registered application; `client_secret=None` makes it a public client."""

    client_id: str
    client_secret: str | None = field(repr=False)
    redirect_uris: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Grant:
    """One authorization; every token issued from it dies with it."""

    client_id: str
    kind: TokenKind
    scope: frozenset[str]
    userid: str | None
    revoked: bool = False


@dataclass(slots=True)
class AccessToken:
    grant: Grant
    expires_at: float
    revoked: bool = False


@dataclass(slots=True)
class _RefreshToken:
    grant: Grant
    expires_at: float
    used: bool = False


@dataclass(slots=True)
class _AuthCode:
    client_id: str
    redirect_uri: str
    challenge: str
    scope: frozenset[str]
    issued_at: float
    used: bool = False
    grants: list[Grant] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    """What the token endpoint hands out. Never log this object."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_in: int
    scope: str
    kind: TokenKind

    def to_json(self) -> dict[str, object]:
        """The documented token response."""
        body: dict[str, object] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }
        if self.refresh_token is not None:
            body["refresh_token"] = self.refresh_token
        body["scope"] = self.scope
        body["status"] = "success"
        return body


def _with_params(uri: str, params: Mapping[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class OAuthServer:
    """The authorization server. Not thread-safe: `Sandbox` calls it under its lock."""

    def __init__(
        self,
        client: OAuthClient,
        artist: DeviantArtUser,
        *,
        access_ttl_s: int,
        refresh_ttl_s: int,
    ) -> None:
        self.client = client
        self._artist = artist
        self.access_ttl_s = access_ttl_s
        self.refresh_ttl_s = refresh_ttl_s
        self._codes: dict[str, _AuthCode] = {}
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, _RefreshToken] = {}

    # --- issuing -------------------------------------------------------------

    def issue(self, grant: Grant, now: float) -> IssuedTokens:
        """Fresh tokens for a grant (a refresh token only for user grants)."""
        access = secrets.token_hex(25)
        self._access[access] = AccessToken(grant=grant, expires_at=now + self.access_ttl_s)
        refresh: str | None = None
        if grant.kind is TokenKind.USER:
            refresh = secrets.token_hex(20)
            self._refresh[refresh] = _RefreshToken(grant=grant, expires_at=now + self.refresh_ttl_s)
        return IssuedTokens(access, refresh, self.access_ttl_s, scope_text(grant.scope), grant.kind)

    def user_grant(self, scope: frozenset[str]) -> Grant:
        """A grant for the seeded artist (the sandbox approves every authorization)."""
        return Grant(self.client.client_id, TokenKind.USER, scope, self._artist.userid)

    def client_grant(self) -> Grant:
        """A client-credentials grant: public endpoints only, no user."""
        return Grant(self.client.client_id, TokenKind.CLIENT, CLIENT_SCOPE, None)

    # --- checking ------------------------------------------------------------

    def authenticate(self, token: str, now: float) -> AccessToken | SandboxResponse:
        """The live access token, or the 401 DeviantArt would answer."""
        record = self._access.get(token)
        if record is None or record.revoked or record.grant.revoked:
            return unauthorized("Invalid or revoked access token.")
        if now >= record.expires_at:
            return unauthorized(EXPIRED_DESCRIPTION)
        return record

    # --- mass events (faults and helpers) -------------------------------------

    def revoke_all(self, *, refresh_tokens: bool) -> None:
        """Kill every access token; with `refresh_tokens`, every grant."""
        for access in self._access.values():
            access.revoked = True
        if refresh_tokens:
            for refresh in self._refresh.values():
                refresh.grant.revoked = True

    def expire_all(self, now: float) -> None:
        """Make every access token expired as of `now` (refresh tokens still work)."""
        for access in self._access.values():
            access.expires_at = min(access.expires_at, now)

    # --- endpoints -----------------------------------------------------------

    def authorize(self, query: Mapping[str, str], now: float, *, deny: bool) -> SandboxResponse:
        """GET /oauth2/authorize: approve at once as the artist, or redirect an error."""
        if query.get("client_id") != self.client.client_id:
            return error_response(400, "invalid_request", "Unknown client_id.")
        redirect_uri = query.get("redirect_uri", "")
        if redirect_uri not in self.client.redirect_uris:
            # Never redirect to an unregistered URI (OAuth 2.1 4.1.2.1).
            return error_response(
                400, "invalid_request", "redirect_uri does not match a registered URI."
            )
        state = query.get("state")

        def fail(error: str, description: str) -> SandboxResponse:
            params = {"error": error, "error_description": description}
            if state is not None:
                params["state"] = state
            return redirect(_with_params(redirect_uri, params))

        if query.get("response_type") != "code":
            return fail("unsupported_response_type", "Only response_type=code is supported.")
        challenge = query.get("code_challenge")
        if not challenge:
            return fail("invalid_request", "PKCE is required: code_challenge is missing.")
        if query.get("code_challenge_method") != "S256":
            return fail("invalid_request", "Only code_challenge_method=S256 is supported.")
        if not _CHALLENGE.match(challenge):
            return fail("invalid_request", "Malformed code_challenge.")
        scope = frozenset(query.get("scope", "basic").replace("+", " ").split()) | {"basic"}
        if not scope <= KNOWN_SCOPES:
            return fail("invalid_scope", "Unknown scope requested.")
        if deny:
            return fail("access_denied", "The user denied the authorization.")
        code = secrets.token_urlsafe(24)
        self._codes[code] = _AuthCode(
            self.client.client_id, redirect_uri, challenge, scope, issued_at=now
        )
        params = {"code": code}
        if state is not None:
            params["state"] = state
        return redirect(_with_params(redirect_uri, params))

    def token(
        self, method: str, form: Mapping[str, str], headers: Mapping[str, str], now: float
    ) -> SandboxResponse:
        """POST /oauth2/token: authorization_code, refresh_token, client_credentials."""
        if method != "POST":
            return error_response(400, "invalid_request", "Use POST for the token endpoint.")
        client_error = self._authenticate_client(form, headers)
        if client_error is not None:
            return client_error
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange_code(form, now)
        if grant_type == "refresh_token":
            return self._refresh_grant(form, now)
        if grant_type == "client_credentials":
            if self.client.client_secret is None:
                return error_response(
                    400, "unauthorized_client", "Public clients cannot use client_credentials."
                )
            if form.get("scope"):
                return error_response(
                    400,
                    "invalid_request",
                    "Scope has not been implemented, please remove it from the request.",
                )
            return self._tokens(self.issue(self.client_grant(), now))
        if not grant_type:
            return error_response(400, "invalid_request", "grant_type is required.")
        return error_response(400, "unsupported_grant_type", "Unknown grant_type.")

    def revoke(self, form: Mapping[str, str]) -> SandboxResponse:
        """POST /oauth2/revoke: kill a token (and its grant, unless refresh-only)."""
        token = form.get("token")
        if not token:
            return error_response(400, "invalid_request", "token is required.")
        refresh_only = form.get("revoke_refresh_only", "").lower() in {"true", "1"}
        access = self._access.get(token)
        refresh = self._refresh.get(token)
        if access is not None:
            access.grant.revoked = True
        elif refresh is not None:
            if refresh_only:
                refresh.used = True
            else:
                refresh.grant.revoked = True
        # RFC 7009: unknown tokens are not an error.
        return json_response({"success": True, "status": "success"})

    # --- helpers ---------------------------------------------------------------

    def _authenticate_client(
        self, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> SandboxResponse | None:
        client_id, secret, via_header = form.get("client_id"), form.get("client_secret"), False
        auth = headers.get("authorization", "")
        if auth[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return _invalid_client(via_header=True)
            user, _, password = decoded.partition(":")
            client_id, secret, via_header = unquote(user), unquote(password), True
        if client_id != self.client.client_id:
            return _invalid_client(via_header=via_header)
        expected = self.client.client_secret
        if expected is not None and (
            secret is None or not secrets.compare_digest(secret.encode(), expected.encode())
        ):
            return _invalid_client(via_header=via_header)
        return None

    def _exchange_code(self, form: Mapping[str, str], now: float) -> SandboxResponse:
        code, verifier = form.get("code", ""), form.get("code_verifier", "")
        if not code or not verifier or "redirect_uri" not in form:
            return error_response(
                400, "invalid_request", "code, code_verifier and redirect_uri are required."
            )
        record = self._codes.get(code)
        if record is None:
            return error_response(400, "invalid_grant", "Unknown authorization code.")
        if record.used:
            # A replayed code: revoke what it produced (OAuth 2.1 4.1.3).
            for grant in record.grants:
                grant.revoked = True
            return error_response(400, "invalid_grant", "Authorization code already used.")
        record.used = True
        if now - record.issued_at > CODE_TTL_S:
            return error_response(400, "invalid_grant", "Authorization code expired.")
        if form["redirect_uri"] != record.redirect_uri:
            return error_response(400, "invalid_grant", "redirect_uri does not match.")
        if not _VERIFIER.match(verifier) or not secrets.compare_digest(
            s256(verifier), record.challenge
        ):
            return error_response(400, "invalid_grant", "PKCE verification failed.")
        grant = self.user_grant(record.scope)
        record.grants.append(grant)
        return self._tokens(self.issue(grant, now))

    def _refresh_grant(self, form: Mapping[str, str], now: float) -> SandboxResponse:
        token = form.get("refresh_token", "")
        record = self._refresh.get(token) if token else None
        if record is None or record.used or record.grant.revoked:
            return error_response(400, "invalid_grant", "Invalid refresh token.")
        if now >= record.expires_at:
            return error_response(400, "invalid_grant", "Expired refresh token.")
        record.used = True  # rotation: the old refresh token is dead from now on
        scope = record.grant.scope
        if form.get("scope"):
            asked = frozenset(form["scope"].split()) | {"basic"}
            if not asked <= scope:
                return error_response(400, "invalid_scope", "Scope exceeds the original grant.")
            scope = asked
        grant = record.grant if scope == record.grant.scope else self.user_grant(scope)
        return self._tokens(self.issue(grant, now))

    @staticmethod
    def _tokens(issued: IssuedTokens) -> SandboxResponse:
        return json_response(issued.to_json(), headers=_NO_STORE)


def unauthorized(description: str) -> SandboxResponse:
    """401 invalid_token, with the RFC 6750 challenge header."""
    return error_response(
        401,
        "invalid_token",
        description,
        headers={"www-authenticate": 'Bearer error="invalid_token"'},
    )


def _invalid_client(*, via_header: bool) -> SandboxResponse:
    headers = {"www-authenticate": 'Basic realm="oauth2"'} if via_header else None
    return error_response(401, "invalid_client", "Client authentication failed.", headers=headers)
