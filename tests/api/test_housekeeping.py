"""Housekeeping through the API: prune now, the dry run, status, the CSV's range."""

from __future__ import annotations

from api.support import PREFIX, TestClient, post_one, snapshot
from photomanager.bootstrap import Container
from photomanager.sandbox import ManualClock

DAY_S = 86_400


class TestPrune:
    def test_a_dry_run_lists_rows_with_reasons_and_changes_nothing(
        self, client: TestClient, collected: Container, sandbox_clock: ManualClock
    ) -> None:
        """`dry_run: true` names expiring rows and why; nothing is removed or recorded."""
        sandbox_clock.advance(8 * DAY_S)
        before = snapshot(collected)

        answer = client.post(f"{PREFIX}/queue/prune", json={"dry_run": True})

        body = answer.json()
        assert answer.status_code == 200, answer.text
        assert body["dry_run"] is True
        assert body["removed"]["pending"] > 0
        assert body["examples"]
        assert all("more than 7 days ago" in e["reason"] for e in body["examples"])
        assert snapshot(collected) == before
        assert client.get(f"{PREFIX}/status").json()["housekeeping"] is None

    def test_a_prune_removes_and_status_says_so(
        self, client: TestClient, collected: Container, sandbox_clock: ManualClock
    ) -> None:
        """A prune removes expired rows; `/status` shows when, by whom and what."""
        sandbox_clock.advance(8 * DAY_S)

        answer = client.post(f"{PREFIX}/queue/prune", json={})
        status = client.get(f"{PREFIX}/status").json()

        removed = answer.json()["removed"]["pending"]
        assert answer.status_code == 200, answer.text
        assert removed > 0
        assert status["counts"]["pending"] == 0
        assert status["housekeeping"]["trigger"] == "api"
        assert status["housekeeping"]["removed"]["pending"] == removed

    def test_an_unknown_field_is_refused(self, client: TestClient, collected: Container) -> None:
        """Only `dry_run` is accepted, and strictly as a boolean."""
        answer = client.post(f"{PREFIX}/queue/prune", json={"dry_run": "yes"})

        assert answer.status_code == 422


class TestRetentionSettings:
    def test_the_new_settings_round_trip(self, client: TestClient, container: Container) -> None:
        """TTLs, the backlog bound and the log retention are read and saved like the others."""
        changes = {
            "pending_ttl_days": 3,
            "finished_ttl_days": 14,
            "max_pending": 800,
            "log_retention_days": 0,
        }

        saved = client.put(f"{PREFIX}/settings", json=changes)

        assert saved.status_code == 200, saved.text
        assert {k: saved.json()[k] for k in changes} == changes

    def test_a_short_log_retention_is_refused_under_its_field(
        self, client: TestClient, container: Container
    ) -> None:
        """A retention under the repeated-text guard's 30 days: 422 naming the field."""
        answer = client.put(f"{PREFIX}/settings", json={"log_retention_days": 10})

        assert answer.status_code == 422
        assert "log_retention_days" in answer.json()["details"]


class TestCsvRange:
    def test_the_export_says_which_range_it_covers(
        self, client: TestClient, posting: Container
    ) -> None:
        """Headers and file name give the first and last moment the CSV covers."""
        post_one(posting)

        export = client.get(f"{PREFIX}/logs.csv")

        assert export.status_code == 200
        assert export.headers["x-log-from"]
        assert export.headers["x-log-until"]
        assert "the log keeps 365 days" in export.headers["x-log-range"]
        assert 'filename="comment-log-' in export.headers["content-disposition"]
