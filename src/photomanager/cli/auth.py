"""`photomanager auth login|status|logout`: connect the DeviantArt account from a terminal.

`login` prints DeviantArt's consent URL, opens the browser when it can, and
waits for the redirect on a one-shot stdlib listener at
`http://127.0.0.1:<port>/auth/callback` (the redirect URI registered at
DeviantArt). No cookie binds the state here: only this process knows it, and
the listener lives exactly as long as the login.
"""

from __future__ import annotations

import threading
import time
import webbrowser
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

import typer

from photomanager.cli.common import console, opened_container
from photomanager.domain.errors import InvalidInput
from photomanager.services.account.session import (
    CALLBACK_PATH,
    LOOPBACK_IP,
    AuthSession,
    loopback_redirect_uri,
    registration_help,
)

auth_app = typer.Typer(help="Connect, inspect or disconnect the DeviantArt account.")

DEFAULT_LOGIN_TIMEOUT_S = 300.0
_DONE_PAGE = (
    b"<!doctype html><html lang=en><head><meta charset=utf-8><title>photomanager</title>"
    b"</head><body><h1>You can close this tab.</h1>"
    b"<p>Return to the terminal to see whether the account is connected.</p></body></html>"
)


@dataclass(frozen=True, slots=True)
class CallbackParams:
    """What DeviantArt put on the redirect. `code` is a secret: never print it."""

    state: str | None
    code: str | None
    error: str | None

    def __repr__(self) -> str:
        return f"CallbackParams(error={self.error!r}, ...)"


class _CallbackServer(HTTPServer):
    params: CallbackParams | None = None


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _CallbackServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self.send_error(404)  # favicon.ico and the like: keep waiting
            return
        query = parse_qs(parts.query)
        self.server.params = CallbackParams(
            state=_first(query, "state"), code=_first(query, "code"), error=_first(query, "error")
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(_DONE_PAGE)))
        self.end_headers()
        self.wfile.write(_DONE_PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        # The default writes the request line (with the code) to stderr: say nothing.
        return


def _first(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


class CallbackListener:
    """A one-shot HTTP listener on 127.0.0.1 for the OAuth redirect."""

    def __init__(self, port: int, host: str = LOOPBACK_IP) -> None:
        try:
            self._server = _CallbackServer((host, port), _CallbackHandler)
        except OSError as exc:
            raise InvalidInput(
                f"cannot listen on {host}:{port} ({exc.strerror or exc}). If `photomanager "
                "serve` is running there, use Connect on its page instead, or pass --port with "
                "a free port whose redirect URI is also registered at DeviantArt."
            ) from None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def wait(self, timeout_s: float, stop: threading.Event | None = None) -> CallbackParams | None:
        """The callback's parameters, or None after `timeout_s` (or when `stop` is set)."""
        deadline = time.monotonic() + timeout_s
        self._server.timeout = 0.25  # short slices, so a stop or the deadline is seen soon
        while self._server.params is None:
            if time.monotonic() >= deadline or (stop is not None and stop.is_set()):
                return None
            self._server.handle_request()
        return self._server.params

    def close(self) -> None:
        self._server.server_close()

    def __enter__(self) -> CallbackListener:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _session(container: Any) -> AuthSession:
    session = container.auth
    if not isinstance(session, AuthSession):
        raise TypeError("the container has no AuthSession")
    return session


@auth_app.command("login")
def login(
    ctx: typer.Context,
    port: Annotated[
        int | None, typer.Option(help="Callback port (default: PHOTOMANAGER_PORT).")
    ] = None,
    browser: Annotated[bool, typer.Option(help="Open the consent page in a browser.")] = True,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for DeviantArt's redirect.", min=1)
    ] = DEFAULT_LOGIN_TIMEOUT_S,
) -> None:
    """Connect a DeviantArt account (OAuth 2.1 + PKCE in your browser)."""
    out = console()
    with opened_container(ctx, needs_deviantart=True) as container:
        session = _session(container)
        redirect_uri = loopback_redirect_uri(port or container.settings.port)
        if not session.client_configured:
            out.print(registration_help(redirect_uri), markup=False)
            raise typer.Exit(1)
        with CallbackListener(port or container.settings.port) as listener:
            start = session.begin_login(redirect_uri, bind_to_browser=False)
            out.print("Open this URL to let photomanager comment as you on DeviantArt:")
            out.print(start.authorize_url, markup=False)
            if browser:
                webbrowser.open(start.authorize_url)
            out.print(f"Waiting up to {timeout:.0f} s for DeviantArt to send you back ...")
            params = listener.wait(timeout)
        if params is None:
            raise InvalidInput("no answer from the browser in time; run `auth login` again")
        status = session.complete_login(state=params.state, code=params.code, error=params.error)
        out.print(f"Connected as {status.username or '(unknown user)'}.", markup=False)


@auth_app.command("status")
def status(ctx: typer.Context) -> None:
    """Show whether an account is connected (never prints a token)."""
    out = console()
    with opened_container(ctx, needs_deviantart=True) as container:
        session = _session(container)
        state = session.status()
        redirect_uri = loopback_redirect_uri(container.settings.port)
    if not state.connected:
        # The registration steps only matter until an account is connected.
        if not state.client_configured:
            out.print(registration_help(redirect_uri), markup=False)
        out.print("Not connected. Run `photomanager auth login`.")
        return
    out.print(f"Connected as {state.username or '(unknown user)'}.", markup=False)
    if state.expires_at is not None:
        out.print(
            f"Access token valid until {state.expires_at.isoformat()} (renewed automatically)."
        )
    if state.reauth_required:
        out.print("DeviantArt refused the saved login: run `photomanager auth login` again.")


@auth_app.command("logout")
def logout(ctx: typer.Context) -> None:
    """Revoke the tokens at DeviantArt (where it works) and forget them here."""
    out = console()
    with opened_container(ctx, needs_deviantart=True) as container:
        result = _session(container).logout()
    if not result.was_connected:
        out.print("No account was connected.")
    elif result.revoked:
        out.print("Disconnected; DeviantArt revoked the tokens.")
    else:
        out.print("Disconnected locally; DeviantArt could not be reached to revoke the tokens.")
