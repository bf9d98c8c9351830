"""The thin services the API and CLI call: templates, queue, logs, settings, status, control."""

from __future__ import annotations

from typing import Any

import pytest

from photomanager.domain.errors import Conflict, InvalidInput, NotFound
from photomanager.domain.models import LogStatus, QueueStatus, Source, WorkerDesired
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.posting.outcomes import StepOutcome
from services.service_harness import TEMPLATE, Harness


@pytest.fixture
def uow_factory(sqlite_uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """SQLite only: the thin services hold no backend-specific SQL (worker tests cover both)."""
    return sqlite_uow_factory


class TestTemplates:
    def test_a_valid_template_is_stored_and_listed(self, harness: Harness) -> None:
        """create_template stores title, body and flag; list_templates returns it."""
        created = harness.templates.create_template(title=" Hello ", body=TEMPLATE)
        assert harness.templates.list_templates() == [created]
        assert (created.title, created.is_active) == ("Hello", True)

    def test_an_invalid_template_is_refused_with_positions(self, harness: Harness) -> None:
        """Unbalanced braces: InvalidInput whose details list each issue with line and column."""
        with pytest.raises(InvalidInput) as caught:
            harness.templates.create_template(title="x", body="{Great|Nice work")
        details = caught.value.details
        assert isinstance(details, list)
        assert details
        assert {"line", "column", "message"} <= set(details[0])
        assert harness.templates.list_templates() == []

    def test_an_empty_title_is_refused(self, harness: Harness) -> None:
        """A blank title is InvalidInput naming the field."""
        with pytest.raises(InvalidInput) as caught:
            harness.templates.create_template(title="  ", body=TEMPLATE)
        assert caught.value.details == {"title": "must not be empty"}

    def test_update_changes_only_what_is_given_and_revalidates(self, harness: Harness) -> None:
        """Deactivating keeps the text; an invalid new body is refused and nothing changes."""
        created = harness.add_template()
        updated = harness.templates.update_template(created.message_id, is_active=False)
        assert (updated.body, updated.is_active) == (TEMPLATE, False)
        with pytest.raises(InvalidInput):
            harness.templates.update_template(created.message_id, body="{{nope}")
        assert harness.templates.get_template(created.message_id).body == TEMPLATE

    def test_unknown_templates_are_not_found(self, harness: Harness) -> None:
        """get, update and delete of a missing id raise NotFound."""
        with pytest.raises(NotFound):
            harness.templates.get_template(999)
        with pytest.raises(NotFound):
            harness.templates.update_template(999, title="x")
        with pytest.raises(NotFound):
            harness.templates.delete_template(999)

    def test_delete_removes_the_template(self, harness: Harness) -> None:
        """A deleted template is gone from the list."""
        created = harness.add_template()
        harness.templates.delete_template(created.message_id)
        assert harness.templates.list_templates() == []

    def test_preview_renders_samples_and_counts_variants(self, harness: Harness) -> None:
        """preview gives n renderings and the number of variants."""
        preview = harness.templates.preview("{a|b} {c|d|e}", n=4, seed=1)
        assert len(preview.samples) == 4
        assert set(preview.samples) <= {f"{x} {y}" for x in "ab" for y in "cde"}
        assert preview.variant_count == 6

    def test_preview_of_a_broken_template_is_refused(self, harness: Harness) -> None:
        """A template with errors cannot be previewed."""
        with pytest.raises(InvalidInput):
            harness.templates.preview("{a|b", n=2)


class TestQueue:
    def test_remove_selected_deletes_the_rows(self, harness: Harness) -> None:
        """Selected rows are deleted, the others stay."""
        harness.collect(Source.WATCH_FEED, pages=1)
        items, _ = harness.queue.list_queue(limit=3)
        removed = harness.queue.remove_selected(deviationids=[i.deviationid for i in items[:2]])
        left = {i.deviationid for i in harness.queue.list_queue(limit=500)[0]}
        assert removed == 2
        assert items[2].deviationid in left
        assert items[0].deviationid not in left

    def test_remove_selected_refuses_a_row_being_sent(self, harness: Harness) -> None:
        """A row in `sending` makes remove-selected a Conflict; nothing is deleted."""
        harness.collect(Source.WATCH_FEED, pages=1)
        with harness.uow_factory() as uow:
            claim = uow.queue.claim_one_pending(harness.clock.now())
            uow.commit()
        assert claim is not None
        other = harness.queue.list_queue(status=QueueStatus.PENDING, limit=1)[0][0]
        with pytest.raises(Conflict):
            harness.queue.remove_selected(deviationids=[claim.deviationid, other.deviationid])
        assert harness.queue.stats()[QueueStatus.PENDING] > 0
        with harness.uow_factory() as uow:
            assert uow.queue.get(other.deviationid) is not None

    def test_clear_by_status(self, harness: Harness) -> None:
        """clear(status=failed) removes only failed rows."""
        harness.add_template()
        harness.collect(Source.WATCH_FEED, pages=1)
        first = harness.queue.list_queue(limit=1)[0][0]
        harness.sandbox.delete_deviation(first.deviationid)
        assert harness.worker.run_once().outcome is StepOutcome.FAILED
        pending = harness.queue.stats()[QueueStatus.PENDING]
        assert harness.queue.clear(status=QueueStatus.FAILED) == 1
        assert harness.queue.stats()[QueueStatus.PENDING] == pending

    def test_reset_failed_puts_rows_back_to_pending(self, harness: Harness) -> None:
        """reset_failed turns failed rows into pending with attempts 0."""
        harness.add_template()
        harness.collect(Source.WATCH_FEED, pages=1)
        first = harness.queue.list_queue(limit=1)[0][0]
        harness.sandbox.delete_deviation(first.deviationid)
        harness.worker.run_once()
        assert harness.queue.reset_failed() == 1
        with harness.uow_factory() as uow:
            item = uow.queue.get(first.deviationid)
        assert item is not None
        assert (item.status, item.attempts) == (QueueStatus.PENDING, 0)

    @pytest.mark.parametrize("limit", [0, 501])
    def test_page_sizes_are_bounded(self, harness: Harness, limit: int) -> None:
        """list_queue refuses silly page sizes."""
        with pytest.raises(InvalidInput):
            harness.queue.list_queue(limit=limit)


class TestLogs:
    def test_every_outcome_is_in_the_log_and_the_export(self, harness: Harness) -> None:
        """A sent and a failed attempt are both listed and exported."""
        harness.add_template()
        a, b = harness.sandbox.publish(2, watched=True)
        harness.collect(Source.WATCH_FEED, pages=1)
        harness.sandbox.delete_deviation(b)
        while harness.worker.run_once().outcome is not StepOutcome.IDLE:
            pass
        exported = {(e.deviationid, e.status) for e in harness.logs.export()}
        assert (a, LogStatus.SENT) in exported
        assert (b, LogStatus.FAILED) in exported
        failed, _ = harness.logs.list_logs(status=LogStatus.FAILED)
        assert [e.deviationid for e in failed] == [b]


class TestSettings:
    def test_defaults_until_saved(self, harness: Harness) -> None:
        """Nothing saved: the conservative defaults."""
        assert harness.settings.get_settings().skip_mature is True

    def test_a_valid_update_is_saved(self, harness: Harness) -> None:
        """Valid fields are normalised and stored."""
        harness.settings.update_settings(
            active_hours="9:00-23:30",
            timezone="Europe/Berlin",
            exclude_authors=[" Bob ", "bob", "Eve"],
        )
        saved = harness.settings.get_settings()
        assert saved.active_hours == "09:00-23:30"
        assert saved.timezone == "Europe/Berlin"
        assert saved.exclude_authors == ("Bob", "Eve")

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"min_interval_s": 0}, "min_interval_s"),
            ({"min_interval_s": 300, "max_interval_s": 100}, "min_interval_s"),
            ({"max_per_hour": "ten"}, "max_per_hour"),
            ({"active_hours": "9-5"}, "active_hours"),
            ({"timezone": "Mars/Base"}, "timezone"),
            ({"skip_mature": "yes"}, "skip_mature"),
            ({"review_sources": ["tumblr"]}, "review_sources"),
            ({"colour": "red"}, "colour"),
        ],
    )
    def test_invalid_fields_are_refused_with_a_message_each(
        self, harness: Harness, changes: dict[str, Any], field: str
    ) -> None:
        """InvalidInput details name the bad field; nothing is saved."""
        before = harness.settings.get_settings()
        with pytest.raises(InvalidInput) as caught:
            harness.settings.update_settings(**changes)
        assert field in caught.value.details
        assert harness.settings.get_settings() == before


class TestWorkerControlAndStatus:
    def test_start_and_stop_write_the_desired_state(self, harness: Harness) -> None:
        """start() -> desired running; stop() -> desired stopped with a reason."""
        assert harness.control.start().desired is WorkerDesired.RUNNING
        stopped = harness.control.stop()
        assert (stopped.desired, stopped.state, stopped.reason) == (
            WorkerDesired.STOPPED,
            "stopped",
            "stopped by request",
        )

    def test_status_assembles_counts_activity_and_caps(self, harness: Harness) -> None:
        """Status counts rows per status, sent/failed in the last hour and day, room left."""
        harness.add_template()
        harness.settings.update_settings(max_per_hour=5)
        harness.collect(Source.WATCH_FEED, pages=1)
        harness.worker.run_once()
        report = harness.status.status()
        assert report.counts[QueueStatus.COMMENTED] == 1
        assert report.counts[QueueStatus.PENDING] > 0
        assert (report.sent_this_hour, report.sent_today, report.failed_today) == (1, 1, 0)
        assert report.caps.remaining_this_hour == 4
        assert report.worker.desired is WorkerDesired.STOPPED
        assert report.collect_runs == []

    def test_status_lists_a_finished_collect_with_its_result(self, harness: Harness) -> None:
        """A run that just finished stays listed, no longer running, with its counts."""
        run = harness.runs.start(Source.WATCH_FEED, pages=1)
        harness.runs.wait(run.run_id, timeout=30)
        [listed] = harness.status.status().collect_runs
        assert listed.run_id == run.run_id
        assert listed.state != "running"
        assert listed.pages_done == 1
