"""No secret ever leaves: logs (DEBUG everywhere), API bodies and headers, HTML pages.

The whole stack runs for real over the sandbox - browser login, posting, a
refresh, a revoked grant, a bad code, a forged state, logout - while every
log record of every logger is captured at DEBUG behind the redacting filter.
A recording transport collects every secret that crossed the wire (client
secret, authorization codes, PKCE verifiers, access and refresh tokens);
then each must appear nowhere.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from auth.webapp import TestClient, app_container, browser_on
from photomanager.bootstrap import Container
from photomanager.domain.errors import PhotomanagerError, ReauthRequired
from photomanager.domain.models import TokenKind
from photomanager.logging_setup import install_filter
from photomanager.sandbox import ManualClock, Sandbox

_SECRET_FIELDS = ("client_secret", "code", "code_verifier", "refresh_token", "token")


class RecordingTransport(httpx.BaseTransport):
    """Passes requests to the sandbox and remembers every secret on the wire."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner
        self.secrets: dict[str, set[str]] = {}

    def _add(self, kind: str, value: object) -> None:
        if isinstance(value, str) and value:
            self.secrets.setdefault(kind, set()).add(value)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/oauth2/"):
            form = dict(parse_qsl(request.read().decode()))
            for key in _SECRET_FIELDS:
                self._add(key, form.get(key))
        bearer = request.headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            self._add("access_token", bearer[7:])
        response = self._inner.handle_request(request)
        if request.url.path == "/oauth2/token" and response.status_code == 200:
            body = json.loads(response.read())
            self._add("access_token", body.get("access_token"))
            self._add("refresh_token", body.get("refresh_token"))
        return response


class CapturingHandler(logging.Handler):
    """Keeps every formatted record (message and traceback) as production would print it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured_logs() -> Iterator[CapturingHandler]:
    """DEBUG on every logger (httpx and httpcore included), behind the redacting filter."""
    handler = CapturingHandler()
    install_filter(handler)  # what configure_logging() does to every root handler
    root = logging.getLogger()
    loggers = [root, logging.getLogger("httpx"), logging.getLogger("httpcore")]
    loggers += [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for logger, level in levels.items():
            logger.setLevel(level)


@pytest.fixture
def recorder(sandbox_transport: httpx.BaseTransport) -> RecordingTransport:
    return RecordingTransport(sandbox_transport)


@pytest.fixture
def container(
    tmp_path: Path,
    sandbox: Sandbox,
    sandbox_clock: ManualClock,
    sqlite_template: Path,
    recorder: RecordingTransport,
) -> Iterator[Container]:
    """The real services, talking to the sandbox through the recorder."""
    with app_container(
        tmp_path, sandbox, sandbox_clock, template_db=sqlite_template, transport=recorder
    ) as built:
        yield built


class Exposure:
    """Everything an outsider could read: response bodies, headers, error texts."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def response(self, response: httpx.Response) -> httpx.Response:
        self.texts.append(response.text)
        self.texts.extend(f"{name}: {value}" for name, value in response.headers.items())
        return response

    def error(self, exc: BaseException) -> None:
        self.texts.extend((str(exc), repr(exc)))
        if isinstance(exc, PhotomanagerError):
            self.texts.append(repr(exc.details))


def _login(browser: TestClient, sandbox_transport: httpx.BaseTransport, seen: Exposure) -> str:
    """Connect through the routes; returns the callback (path + query) that was used."""
    login = seen.response(browser.get("/auth/login", follow_redirects=False))
    with httpx.Client(transport=sandbox_transport) as deviantart:
        approved = deviantart.get(login.headers["location"], follow_redirects=False)
    callback = urlsplit(approved.headers["location"])
    target = f"{callback.path}?{callback.query}"
    seen.response(browser.get(target, follow_redirects=False))
    seen.response(browser.get(target, headers={"Accept": "text/html"}))  # replay: the page
    return target


def test_no_secret_in_logs_responses_or_pages(
    container: Container,
    sandbox: Sandbox,
    sandbox_transport: httpx.BaseTransport,
    recorder: RecordingTransport,
    captured_logs: CapturingHandler,
) -> None:
    """Login, posting, refresh and forced errors leak no token, code, verifier or secret."""
    seen = Exposure()
    with browser_on(container) as browser:
        _login(browser, sandbox_transport, seen)
        seen.response(browser.get("/api/auth/status"))
        seen.response(browser.get("/"))

        deviations = sandbox.deviation_ids(commentable=True)
        container.api.post_comment(deviations[0], "Lovely colours!")
        sandbox.expire_all_tokens()  # DeviantArt says 401: refresh and replay
        container.api.post_comment(deviations[1], "Wonderful light!")
        container.auth.get_token(TokenKind.CLIENT)

        # A bad code with a valid state: DeviantArt refuses the exchange.
        login = browser.get("/auth/login", follow_redirects=False)
        state = dict(parse_qsl(urlsplit(login.headers["location"]).query))["state"]
        seen.response(browser.get(f"/auth/callback?state={state}&code=bogus-code-4711"))
        # A forged state, and DeviantArt's own error redirect.
        seen.response(browser.get("/auth/callback?state=forged-state-1&code=whatever-code-1"))
        seen.response(browser.get("/auth/callback?error=access_denied&state=nope-nope-nope"))

        # The grant is revoked at DeviantArt: the refresh fails, reconnect needed.
        sandbox.revoke_all_tokens()
        with pytest.raises(ReauthRequired) as caught:
            container.api.whoami()
        seen.error(caught.value)
        logging.getLogger("photomanager.test").exception("worker paused", exc_info=caught.value)
        seen.response(browser.get("/api/auth/status"))

        _login(browser, sandbox_transport, seen)
        seen.response(browser.post("/api/auth/logout", json={}))
        seen.response(browser.get("/openapi.json"))
        seen.response(browser.get("/"))  # the page HTML (follows to the Auto Comments page)
    seen.texts.append(repr(container.auth.status()))

    for kind in ("client_secret", "code", "code_verifier", "access_token", "refresh_token"):
        assert recorder.secrets.get(kind), f"the scenario never used a {kind}"
    assert sandbox.ledger.token_calls("refresh_token") >= 1
    assert any("httpx" in line for line in captured_logs.lines)
    leaks = [
        (kind, where[:200])
        for kind, values in recorder.secrets.items()
        for value in values
        for where in captured_logs.lines + seen.texts
        if value in where
    ]
    assert leaks == []
