"""Connecting the DeviantArt account from the browser.

    GET  /auth/login        302 to DeviantArt's consent page (PKCE S256, one-time state)
    GET  /auth/callback     checks state + browser cookie, exchanges the code, 303 to /
    GET  /api/auth/status   connected? as whom? until when? (never a token)
    POST /api/auth/logout   revoke at DeviantArt, forget locally

The `state` is bound to the browser that started the login by a random nonce
in an HttpOnly, SameSite=Lax cookie scoped to /auth; the callback refuses a
missing, unknown, replayed or foreign state with 400 before any token request.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from photomanager.api.errors import error_response, status_for
from photomanager.domain.errors import LoginRejected, PhotomanagerError
from photomanager.services.account.session import (
    DEVELOPERS_URL,
    LOOPBACK_IP,
    AuthSession,
    AuthStatus,
    loopback_redirect_uri,
)

router = APIRouter(tags=["auth"])

NONCE_COOKIE = "photomanager_oauth_nonce"
_COOKIE_PATH = "/auth"
_COOKIE_MAX_AGE = 600  # the state's own lifetime
# Query values are untrusted and may be long: cap before they reach anything.
_MAX_PARAM = 2048


def get_auth_session(request: Request) -> AuthSession:
    """The app's AuthSession (put on `app.state` by the app factory)."""
    container = getattr(request.app.state, "container", None)
    session = getattr(container, "auth", None) or getattr(request.app.state, "auth", None)
    if not isinstance(session, AuthSession):
        raise RuntimeError("the app has no AuthSession wired")
    return session


Session = Annotated[AuthSession, Depends(get_auth_session)]
OptionalParam = Annotated[str | None, Query(max_length=_MAX_PARAM)]


class AuthStatusPublic(BaseModel):
    """The connected account as the page shows it. Never holds a token."""

    model_config = ConfigDict(from_attributes=True)

    connected: bool
    username: str | None = None
    userid: str | None = None
    expires_at: datetime | None = Field(default=None, description="When the access token ends.")
    scope: str | None = None
    client_configured: bool = Field(description="False until a DeviantArt app id is set.")
    reauth_required: bool = Field(description="DeviantArt refused the saved login.")
    redirect_uri: str = Field(description="The redirect URI to register at DeviantArt.")
    register_url: str = Field(default=DEVELOPERS_URL)
    reason: str | None = Field(default=None, description="Why posting cannot run, in words.")
    sandbox: bool = Field(default=False, description="DeviantArt is the built-in fake (demo).")


class LogoutPublic(BaseModel):
    """What logout did."""

    was_connected: bool
    revoked: bool = Field(description="True when DeviantArt confirmed the revocation.")
    status: AuthStatusPublic


def _port(request: Request) -> int:
    port = request.url.port
    if port is not None:
        return port
    return 443 if request.url.scheme == "https" else 80


def _reason(status: AuthStatus) -> str | None:
    if not status.client_configured:
        return "no DeviantArt app configured"
    if status.reauth_required:
        return "DeviantArt refused the saved login: reconnect your account"
    if not status.connected:
        return "not connected"
    return None


def _status_public(status: AuthStatus, request: Request) -> AuthStatusPublic:
    container = getattr(request.app.state, "container", None)
    return AuthStatusPublic(
        connected=status.connected,
        username=status.username,
        userid=status.userid,
        expires_at=status.expires_at,
        scope=status.scope,
        client_configured=status.client_configured,
        reauth_required=status.reauth_required,
        redirect_uri=loopback_redirect_uri(_port(request)),
        reason=_reason(status),
        sandbox=bool(getattr(container, "sandbox_mode", False)),
    )


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _page(title: str, text: str, status: int) -> HTMLResponse:
    """A small plain page (the CSP allows no inline script or style)."""
    body = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
        '<p><a href="/">Back to photomanager</a></p></body></html>'
    )
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _failure(request: Request, exc: PhotomanagerError, status: int) -> Response:
    if _wants_html(request):
        return _page("Could not connect DeviantArt", exc.message, status)
    return error_response(status, exc.code, exc.message, headers={"Cache-Control": "no-store"})


@router.get("/auth/login", response_class=RedirectResponse, status_code=302)
def login(request: Request, session: Session) -> Response:
    """Send the browser to DeviantArt's consent page."""
    port = _port(request)
    if request.url.hostname != LOOPBACK_IP:
        # The cookie must live on the host the callback will use (127.0.0.1).
        return RedirectResponse(f"http://{LOOPBACK_IP}:{port}/auth/login", status_code=302)
    try:
        start = session.begin_login(loopback_redirect_uri(port))
    except PhotomanagerError as exc:
        return _failure(request, exc, status_for(exc))
    response = RedirectResponse(start.authorize_url, status_code=302)
    response.headers["Cache-Control"] = "no-store"
    if start.browser_nonce is not None:
        response.set_cookie(
            NONCE_COOKIE,
            start.browser_nonce,
            max_age=_COOKIE_MAX_AGE,
            path=_COOKIE_PATH,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


@router.get("/auth/callback", response_class=RedirectResponse, status_code=303)
def callback(
    request: Request,
    session: Session,
    state: OptionalParam = None,
    code: OptionalParam = None,
    error: OptionalParam = None,
) -> Response:
    """DeviantArt sends the browser back here with a code (or an error)."""
    response: Response
    try:
        session.complete_login(
            state=state,
            code=code,
            browser_nonce=request.cookies.get(NONCE_COOKIE),
            error=error,
        )
    except LoginRejected as exc:
        response = _failure(request, exc, 400)
    except PhotomanagerError as exc:
        response = _failure(request, exc, status_for(exc))
    else:
        response = RedirectResponse("/", status_code=303)
    response.delete_cookie(NONCE_COOKIE, path=_COOKIE_PATH, httponly=True, samesite="lax")
    return response


@router.get("/api/auth/status", response_model=AuthStatusPublic)
def auth_status(request: Request, session: Session) -> AuthStatusPublic:
    """Whether an account is connected, as whom, and until when."""
    return _status_public(session.status(), request)


@router.post("/api/auth/logout", response_model=LogoutPublic)
def logout(request: Request, session: Session) -> LogoutPublic:
    """Revoke the tokens at DeviantArt (where it works) and forget them here."""
    result = session.logout()
    return LogoutPublic(
        was_connected=result.was_connected,
        revoked=result.revoked,
        status=_status_public(session.status(), request),
    )
