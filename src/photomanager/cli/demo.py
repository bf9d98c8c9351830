"""The running demo's address book: how `photomanager --sandbox <command>` finds it.

`serve --sandbox` runs its fake DeviantArt in process, on a random port. It
writes `demo.json` in the data dir (mode 0600: it holds the fake app's client
secret) with that base URL, the fake client id/secret and its pid, and removes
it on exit. Commands that talk to DeviantArt under `--sandbox` read it; a file
whose pid is gone is a crashed demo's leftover and counts as "not running".
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

STATE_FILE = "demo.json"
NOT_RUNNING = "the demo is not running; start the demo first: scripts/start.sh --sandbox"


@dataclass(frozen=True, slots=True)
class DemoState:
    """Where the running demo's fake DeviantArt answers. Secrets stay out of the repr."""

    base_url: str
    client_id: str
    client_secret: str | None
    pid: int

    def __repr__(self) -> str:
        return f"DemoState(base_url={self.base_url!r}, pid={self.pid})"


def state_path(data_dir: Path) -> Path:
    """The demo state file in `data_dir`."""
    return data_dir / STATE_FILE


def write_demo_state(data_dir: Path, state: DemoState) -> Path:
    """Write the state file, readable by its owner only; returns its path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = state_path(data_dir)
    payload = json.dumps(
        {
            "base_url": state.base_url,
            "client_id": state.client_id,
            "client_secret": state.client_secret,
            "pid": state.pid,
        }
    )
    # Created 0600 from the start: never a moment where others could read the secret.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(payload)
    os.chmod(path, 0o600)  # an older file may have been created with other bits
    return path


def remove_demo_state(data_dir: Path, pid: int) -> None:
    """Remove the state file if it is still the one `pid` wrote."""
    current = read_demo_state(data_dir, check_alive=False)
    if current is not None and current.pid == pid:
        state_path(data_dir).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return True


def read_demo_state(data_dir: Path, *, check_alive: bool = True) -> DemoState | None:
    """The running demo's state; None when there is no file, it is unreadable, or stale."""
    try:
        raw = json.loads(state_path(data_dir).read_text(encoding="utf-8"))
        state = DemoState(
            base_url=str(raw["base_url"]),
            client_id=str(raw["client_id"]),
            client_secret=None if raw.get("client_secret") is None else str(raw["client_secret"]),
            pid=int(raw["pid"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if check_alive and not _alive(state.pid):
        return None
    return state
