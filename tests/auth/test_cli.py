"""`photomanager auth login|status|logout` on the real container and the sandbox."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from auth.webapp import app_container
from photomanager.bootstrap import Container, connect_sandbox_account
from photomanager.cli import app
from photomanager.sandbox import ManualClock, Sandbox
from photomanager.sandbox.adapters import SandboxTransport


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def container(
    tmp_path: Path, sandbox: Sandbox, sandbox_clock: ManualClock, sqlite_template: Path
) -> Iterator[Container]:
    with app_container(tmp_path, sandbox, sandbox_clock, template_db=sqlite_template) as built:
        yield built


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class FakeBrowser:
    """Stands in for `webbrowser.open`: approves at the sandbox, follows the redirect."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._transport = SandboxTransport(sandbox)
        self.opened: list[str] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        # The CLI starts listening after it "opened" us: act from another thread.
        thread = threading.Thread(target=self._visit, args=(url,), daemon=True)
        thread.start()
        self.threads.append(thread)
        return True

    def _visit(self, url: str) -> None:
        with httpx.Client(transport=self._transport) as deviantart:
            approved = deviantart.get(url, follow_redirects=False)
        with httpx.Client(timeout=10) as local:
            local.get(approved.headers["location"])


class TestLogin:
    def test_connects_through_the_one_shot_listener(
        self,
        runner: CliRunner,
        container: Container,
        sandbox: Sandbox,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """login prints the URL, the browser comes back to the listener, the account is stored."""
        port = _free_port()
        sandbox.register_redirect_uri(f"http://127.0.0.1:{port}/auth/callback")
        browser = FakeBrowser(sandbox)
        monkeypatch.setattr("photomanager.cli.auth.webbrowser.open", browser)

        result = runner.invoke(
            app, ["auth", "login", "--port", str(port), "--timeout", "30"], obj=container
        )

        for thread in browser.threads:
            thread.join(timeout=10)
        assert result.exit_code == 0, result.output
        assert browser.opened[0] in result.output.replace("\n", "")
        assert f"Connected as {sandbox.artist.username}" in result.output
        assert container.auth.status().username == sandbox.artist.username
        assert sandbox.ledger.token_calls("authorization_code") == 1

    def test_times_out_without_a_callback(
        self, runner: CliRunner, container: Container, sandbox: Sandbox
    ) -> None:
        """No browser comes back: exit 1 with a reason, no token request."""
        result = runner.invoke(
            app,
            ["auth", "login", "--port", str(_free_port()), "--timeout", "1", "--no-browser"],
            obj=container,
        )
        assert result.exit_code == 1
        assert "no answer from the browser" in result.output
        assert sandbox.ledger.token_calls() == 0

    def test_busy_port_is_explained(self, runner: CliRunner, container: Container) -> None:
        """The callback port is taken (serve running?): a clear error, exit 1."""
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            result = runner.invoke(
                app, ["auth", "login", "--port", str(port), "--no-browser"], obj=container
            )
        assert result.exit_code == 1
        assert "cannot listen on 127.0.0.1" in result.output

    def test_without_client_id_explains_registration(
        self,
        runner: CliRunner,
        tmp_path: Path,
        sandbox_clock: ManualClock,
        sqlite_template: Path,
    ) -> None:
        """No DA app configured: login prints how to register one and fails."""
        with app_container(tmp_path, None, sandbox_clock, template_db=sqlite_template) as bare:
            result = runner.invoke(app, ["auth", "login", "--no-browser"], obj=bare)
        assert result.exit_code == 1
        output = result.output.replace("\n", "")
        assert "https://www.deviantart.com/developers/" in output
        assert "http://127.0.0.1:8000/auth/callback" in output


class TestStatusAndLogout:
    def test_status_when_not_connected(self, runner: CliRunner, container: Container) -> None:
        """status says how to connect."""
        result = runner.invoke(app, ["auth", "status"], obj=container)
        assert result.exit_code == 0
        assert "Not connected" in result.output

    def test_status_when_connected_prints_no_token(
        self, runner: CliRunner, container: Container, sandbox: Sandbox
    ) -> None:
        """status names the account and never prints a token."""
        connect_sandbox_account(container)
        token = container.auth.tokens.stored()
        assert token is not None
        result = runner.invoke(app, ["auth", "status"], obj=container)
        assert f"Connected as {sandbox.artist.username}" in result.output
        assert token.access_token not in result.output
        assert token.refresh_token is not None
        assert token.refresh_token not in result.output

    def test_logout_revokes_and_forgets(
        self, runner: CliRunner, container: Container, sandbox: Sandbox
    ) -> None:
        """logout revokes at the sandbox and the account is gone."""
        connect_sandbox_account(container)
        result = runner.invoke(app, ["auth", "logout"], obj=container)
        assert result.exit_code == 0
        assert "DeviantArt revoked the tokens" in result.output
        assert len(sandbox.ledger.requests("revoke")) == 1
        assert not container.auth.status().connected
