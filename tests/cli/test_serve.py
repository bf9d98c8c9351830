"""`serve`: loopback by default (read off the real socket), refusals, demo mode end to end."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from typer.testing import CliRunner

from photomanager.api.app import create_app
from photomanager.api.server import AppServer, check_bind_address, is_loopback
from photomanager.bootstrap import Container
from photomanager.cli import app
from photomanager.domain.errors import InvalidInput

STARTUP_TIMEOUT_S = 60


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOMANAGER_")}
    env["PHOTOMANAGER_DATA_DIR"] = str(tmp_path)
    env["PHOTOMANAGER_LOG_LEVEL"] = "WARNING"
    return env


@contextmanager
def demo_process(data_dir: Path, *args: str) -> Iterator[str]:
    """`photomanager serve --sandbox --port 0 [args]` in a subprocess, its data in
    `data_dir`; yields the printed base URL and stops the process (SIGINT) on exit."""
    process = subprocess.Popen(
        [sys.executable, "-m", "photomanager.cli", "serve", "--sandbox", "--port", "0", *args],
        cwd=data_dir,
        env=_clean_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout or []], daemon=True
    )
    reader.start()
    try:
        line = lines.get(timeout=STARTUP_TIMEOUT_S)
        assert "listening on" in line, line
        yield line.split("listening on ", 1)[1].split()[0]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=10)  # EOF once the process is gone
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def served_demo(tmp_path: Path) -> Iterator[str]:
    """`photomanager serve --sandbox --port 0` in a subprocess; yields the printed base URL."""
    with demo_process(tmp_path) as base_url:
        yield base_url


class TestDefaultBind:
    def test_serve_binds_loopback(self, served_demo: str) -> None:
        """The real `serve` listens on 127.0.0.1 (the address read off its socket) and answers."""
        address = urlsplit(served_demo)
        assert address.hostname == "127.0.0.1"
        assert address.port
        with httpx.Client(base_url=served_demo, trust_env=False) as http:
            assert http.get("/healthz").json() == {"status": "ok"}

    def test_demo_mode_is_connected_sandbox(self, served_demo: str) -> None:
        """`serve --sandbox` starts connected, flagged SANDBOX, with starter templates."""
        with httpx.Client(base_url=served_demo, trust_env=False) as http:
            status = http.get("/api/deviation-comments/status").json()
            templates = http.get("/api/deviation-comments/messages").json()
        assert status["sandbox"] is True
        assert status["account"]["connected"] is True
        assert len(templates) >= 2

    def test_a_second_demo_on_the_same_data_dir_is_refused(
        self, served_demo: str, tmp_path: Path
    ) -> None:
        """While a demo runs, another `serve --sandbox` there exits 1; the first keeps working."""
        second = subprocess.run(
            [sys.executable, "-m", "photomanager.cli", "serve", "--sandbox", "--port", "0"],
            cwd=tmp_path,
            env=_clean_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=STARTUP_TIMEOUT_S,
        )
        assert second.returncode == 1
        assert "already running" in second.stderr
        with httpx.Client(base_url=served_demo, trust_env=False) as http:
            assert http.get("/healthz").json() == {"status": "ok"}
        assert (tmp_path / "demo.json").exists()

    def test_app_server_default_host_is_loopback(self, container: Container) -> None:
        """AppServer without a host binds 127.0.0.1, as the socket reports."""
        server = AppServer(create_app(container), port=0, log_level="warning")
        bound = server.start()
        try:
            assert bound.host == "127.0.0.1"
            with httpx.Client(base_url=bound.url, trust_env=False) as http:
                assert http.get("/healthz").status_code == 200
        finally:
            server.stop()


class TestRemoteRefused:
    def test_non_loopback_needs_allow_remote(
        self, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`serve --host 0.0.0.0` exits 1 with a one-line reason."""
        monkeypatch.delenv("PHOTOMANAGER_API_TOKEN", raising=False)
        result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "0"])
        assert result.exit_code == 1
        [line] = result.stderr.strip().splitlines()
        assert "--allow-remote" in line

    def test_allow_remote_needs_a_token(
        self, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`--allow-remote` without an API token still refuses."""
        monkeypatch.delenv("PHOTOMANAGER_API_TOKEN", raising=False)
        result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "0", "--allow-remote"])
        assert result.exit_code == 1
        assert "PHOTOMANAGER_API_TOKEN" in result.stderr

    def test_remote_with_token_is_allowed(self) -> None:
        """A non-loopback address passes with --allow-remote and a token."""
        check_bind_address("0.0.0.0", allow_remote=True, api_token_set=True)
        with pytest.raises(InvalidInput):
            check_bind_address("192.168.1.5", allow_remote=False, api_token_set=True)

    @pytest.mark.parametrize(
        ("host", "loopback"),
        [
            ("127.0.0.1", True),
            ("127.1.2.3", True),
            ("localhost", True),
            ("::1", True),
            ("[::1]", True),
            ("0.0.0.0", False),
            ("::", False),
            ("192.168.1.5", False),
            ("example.com", False),
        ],
    )
    def test_loopback_detection(self, host: str, loopback: bool) -> None:
        """Only loopback names and addresses count as local."""
        assert is_loopback(host) is loopback


class TestDemoFaults:
    def test_faults_need_the_demo(self, runner: CliRunner) -> None:
        """`--faults` without `--sandbox` exits 1 and says to add it."""
        result = runner.invoke(app, ["serve", "--port", "0", "--faults", "rate=2"])
        assert result.exit_code == 1
        assert "--sandbox" in result.stderr

    def test_a_bad_fault_spec_is_refused_before_starting(self, runner: CliRunner) -> None:
        """A wrong spec exits 1 naming the wrong part; nothing starts."""
        result = runner.invoke(app, ["serve", "--sandbox", "--port", "0", "--faults", "chaos=1"])
        assert result.exit_code == 1
        [line] = result.stderr.strip().splitlines()
        assert "chaos=1" in line
