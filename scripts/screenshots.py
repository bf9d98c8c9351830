"""Regenerate the README's screenshots of Overview and Review, in sandbox mode.

    .venv/bin/python scripts/screenshots.py [--out docs]

Runs the real app in this process against the built-in fake DeviantArt (as `serve --sandbox`
does), fills it the way an artist would (starter templates, a collect from both feeds, the
worker posting the Watch Feed and holding the Global Feed for review), then shoots the two
sections with Playwright in Debian's Chromium (/usr/bin/chromium, `scripts/install-browser.sh`).
Nothing leaves this machine; the pictures are the same from run to run but for the clock.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import ViewportSize, sync_playwright

from photomanager.api.app import create_app
from photomanager.api.server import AppServer
from photomanager.bootstrap import (
    Container,
    bootstrap,
    connect_sandbox_account,
    seed_starter_templates,
)
from photomanager.config import load_settings
from photomanager.domain.models import QueueStatus, Source
from photomanager.sandbox import Sandbox
from photomanager.sandbox.adapters import SandboxServer
from photomanager.services.account.session import loopback_redirect_uri

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
SEED = 20240501
SHOTS = {"overview": "screenshot-overview.png", "review": "screenshot-review.png"}
POSTED = 6  # comments posted before the pictures (the activity chart shows them)
HELD = 5  # comments held for review


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = 90.0) -> None:
    """Poll `check()` until it is true; exit with `what` when it never is."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    sys.exit(f"screenshots: gave up waiting for {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the PNGs go")
    out = parser.parse_args().out
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: run scripts/install-browser.sh")
    out.mkdir(parents=True, exist_ok=True)
    sandbox = Sandbox.seeded(seed=SEED, deviations=400)
    with tempfile.TemporaryDirectory() as data, SandboxServer(sandbox) as sandbox_url:
        settings = load_settings(
            _env_file=None,
            data_dir=Path(data),
            da_base_url=sandbox_url,
            da_client_id=None,
            database_url=f"sqlite:///{Path(data) / 'demo.sqlite3'}",
        )
        container = bootstrap(settings, sandbox=sandbox)
        server = AppServer(create_app(container, run_worker=True), port=0, log_level="warning")
        bound = server.start()
        try:
            sandbox.register_redirect_uri(loopback_redirect_uri(bound.port))
            connect_sandbox_account(container)
            seed_starter_templates(container)
            fill(container)
            shoot(bound.url, out)
        finally:
            server.stop()
            container.close()


def fill(container: Container) -> None:
    """Collect both feeds, post a few Watch Feed comments, hold a few Global Feed ones."""
    container.comment_settings.update_settings(
        min_interval_s=1, max_interval_s=1, max_per_hour=1000, max_per_day=1000
    )
    for source in (Source.WATCH_FEED, Source.GLOBAL_FEED):
        run = container.collect_runs.start(source, pages=1)
        container.collect_runs.wait(run.run_id, timeout=60)

    def counts() -> dict[QueueStatus, int]:
        return container.queue.stats()

    container.worker_control.start()  # the artist's yes to unreviewed Watch Feed comments
    wait_for(
        lambda: (
            counts().get(QueueStatus.COMMENTED, 0) >= POSTED
            and counts().get(QueueStatus.AWAITING_REVIEW, 0) >= HELD
        ),
        "the worker to post and hold comments",
    )
    container.worker_control.stop()


THUMBNAILS_SHOWN = """() => Array.from(document.querySelectorAll("#review-list img"))
  .filter((image) => image.getBoundingClientRect().top < window.innerHeight)
  .every((image) => image.complete && image.naturalWidth > 0)"""


def shoot(url: str, out: Path) -> None:
    """One PNG per section, the viewport only (what the artist sees first)."""
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport=VIEWPORT, color_scheme="light")
        for section, name in SHOTS.items():
            page.goto(f"{url}/auto-comments#{section}")
            if section == "review":
                page.locator("#review-list .review-item").first.wait_for()
                # The thumbnails in view (lazy ones further down load when scrolled to).
                page.wait_for_function(THUMBNAILS_SHOWN)
                page.keyboard.press("j")  # the current item, as the keys show it
            else:
                page.locator("#worker-state").filter(has_not_text="loading").wait_for()
                page.locator("#activity-chart svg").wait_for()
            page.wait_for_timeout(500)
            page.screenshot(path=out / name)
            print(f"wrote {out / name}")
        browser.close()


if __name__ == "__main__":
    main()
