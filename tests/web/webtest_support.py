"""Helpers of the browser tests: paths, Chromium flags, the live app handle, a page recorder.

`ready_to_post` readies an account and its queue for the worker, as several pages need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from playwright.sync_api import Page

from photomanager.bootstrap import Container, connect_sandbox_account
from photomanager.domain.models import NewQueueItem, Source
from photomanager.sandbox import Sandbox

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"
SANDBOX_SEED = 20240501
SANDBOX_DEVIATIONS = 400
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# The page's sections (the registry in static/sections.js): hash and name in the bar.
SECTIONS = (
    ("overview", "Overview"),
    ("review", "Review"),
    ("inbox", "Inbox"),
    ("queue", "Queue"),
    ("collect", "Collect"),
    ("templates", "Templates"),
    ("outcomes", "Outcomes"),
    ("log", "Log"),
    ("settings", "Settings"),
)


class PageRecorder:
    """What the page did that a test must see: dialogs, script errors, console errors."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []

    def attach(self, page: Page) -> None:
        """Record (and dismiss) every dialog and error of `page`."""

        def on_dialog(dialog: object) -> None:
            self.dialogs.append(dialog.message)  # type: ignore[attr-defined]
            dialog.dismiss()  # type: ignore[attr-defined]

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )


@dataclass
class LiveApp:
    """The real app (bootstrap + create_app) on a loopback port, DeviantArt = a served sandbox."""

    url: str
    sandbox: Sandbox
    container: Container

    def api(self, method: str, path: str, body: object | None = None) -> httpx.Response:
        """Call the JSON API the way the page does (same origin, JSON)."""
        headers = {"Origin": self.url, "Content-Type": "application/json"}
        return httpx.request(method, self.url + path, json=body, headers=headers, timeout=10)


def open_section(page: Page, live: LiveApp, section: str) -> None:
    """Open the Auto Comments page on one section (its hash), once its status poll answered."""
    page.goto(f"{live.url}/auto-comments#{section}")
    page.locator(f"#section-{section}").wait_for(state="visible")


def go_to(page: Page, title: str) -> None:
    """Show a section by clicking its name in the bar, as the artist does."""
    name = dict((shown, hash_) for hash_, shown in SECTIONS)[title]
    page.locator(f'#section-links a[data-section="{name}"]').click()
    page.locator("main [data-section]:visible").wait_for(state="visible")


def ready_to_post(live: LiveApp, rows: int) -> list[str]:
    """A connected account, fast pacing, `rows` queued commentable watch-feed deviations (ids)."""
    container = live.container
    connect_sandbox_account(container)
    container.comment_settings.update_settings(
        min_interval_s=1,
        max_interval_s=1,
        max_per_hour=1000,
        max_per_day=1000,
        author_cooldown_days=0,
        max_per_author=None,
        review_sources=[],
    )
    ids = live.sandbox.deviation_ids(feed="watch", commentable=True, mature=False)[:rows]
    now = datetime.now(UTC)
    with container.uow_factory() as uow:
        for deviationid in ids:
            shown = live.sandbox.deviation(deviationid)
            uow.queue.add_deviation(
                NewQueueItem(
                    deviationid=deviationid,
                    source=Source.WATCH_FEED,
                    ts=now,
                    author=shown["author"]["username"],
                    title=shown["title"],
                ),
                now,
            )
        uow.commit()
    return ids
