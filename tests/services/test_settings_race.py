"""Two saves of the settings at once (the page and the CLI) both take effect."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from photomanager.domain.clock import SystemClock
from photomanager.services.settings import SettingsService
from photomanager.storage.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
UowFactory = Callable[[], SqlUnitOfWork]


class TestConcurrentSaves:
    def test_a_save_arriving_mid_save_is_not_lost(self, uow_factory: UowFactory) -> None:
        """While one save holds the settings, another waits and then applies on top of it."""
        service = SettingsService(uow_factory=uow_factory, clock=SystemClock())
        service.update_settings(max_per_hour=20)  # the row exists, as after any first save
        with uow_factory() as first:
            seen = first.settings.get_for_update(NOW)
            other = threading.Thread(
                target=lambda: service.update_settings(max_per_hour=7), daemon=True
            )
            other.start()
            other.join(0.5)  # without the lock it would save now, and be overwritten below
            first.settings.save(replace(seen, min_interval_s=300, max_interval_s=600), NOW)
            first.commit()
        other.join(10)

        assert not other.is_alive()
        stored = service.get_settings()
        assert (stored.max_per_hour, stored.min_interval_s) == (7, 300)
