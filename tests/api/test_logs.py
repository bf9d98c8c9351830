"""The comment log through the API: pages, CSV export, activity per hour."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from api.support import PREFIX, TestClient, post_one
from photomanager.bootstrap import Container
from photomanager.domain.models import LogEntry, LogStatus
from photomanager.services.reporting.log_export import CSV_COLUMNS, csv_chunks


class TestListLogs:
    def test_sent_entry_with_rendered_text(self, client: TestClient, posting: Container) -> None:
        """A posted comment appears in the log with its text and comment id."""
        result = post_one(posting)
        [entry] = client.get(f"{PREFIX}/logs").json()["items"]
        assert entry["status"] == "sent"
        assert entry["deviationid"] == result.deviationid
        assert entry["commentid"] == result.commentid
        assert entry["body"] == result.body

    def test_entry_names_its_deviation(self, client: TestClient, posting: Container) -> None:
        """While the queue keeps the row, a log entry carries its title, author and link."""
        result = post_one(posting)
        with posting.uow_factory(read_only=True) as uow:
            queued = uow.queue.get(result.deviationid)
        assert queued is not None
        [entry] = client.get(f"{PREFIX}/logs").json()["items"]
        assert (entry["title"], entry["author"], entry["url"]) == (
            queued.title,
            queued.author,
            queued.url,
        )
        assert entry["title"]

    def test_entry_without_queue_row_has_no_title(
        self, client: TestClient, posting: Container
    ) -> None:
        """Once the queue forgets the row, the entry is still listed, by id only."""
        result = post_one(posting)
        assert posting.queue.remove_selected(deviationids=[result.deviationid]) == 1
        [entry] = client.get(f"{PREFIX}/logs").json()["items"]
        assert entry["deviationid"] == result.deviationid
        assert entry["title"] is None

    def test_pages_and_filters(self, client: TestClient, posting: Container) -> None:
        """limit/cursor page through the log; status and since filter it."""
        first, second = post_one(posting), post_one(posting)
        page = client.get(f"{PREFIX}/logs", params={"limit": 1}).json()
        assert [e["deviationid"] for e in page["items"]] == [second.deviationid]
        rest = client.get(f"{PREFIX}/logs", params={"limit": 1, "cursor": page["next_cursor"]})
        assert [e["deviationid"] for e in rest.json()["items"]] == [first.deviationid]
        assert client.get(f"{PREFIX}/logs", params={"status": "failed"}).json()["items"] == []
        future = "2999-01-01T00:00:00Z"
        assert client.get(f"{PREFIX}/logs", params={"since": future}).json()["items"] == []

    @pytest.mark.parametrize(
        "params",
        [
            {"status": "maybe"},
            {"since": "yesterday"},
            {"since": "1700000000"},
            {"since": "0.2"},
            {"limit": 0},
            {"cursor": "zz"},
        ],
    )
    def test_bad_query_is_422(self, client: TestClient, params: dict[str, object]) -> None:
        """Bad filters are 422s with a message."""
        response = client.get(f"{PREFIX}/logs", params=params)
        assert response.status_code == 422
        assert response.json()["message"]


class TestTimesWithoutAZone:
    @pytest.mark.parametrize("since", ["2000-01-01", "2000-01-01T09:00:00", "2000-01-01T09:00"])
    def test_a_time_without_a_zone_is_utc(
        self, client: TestClient, posting: Container, since: str
    ) -> None:
        """`since` without a zone (a bare date too) filters as UTC: no 500, entries listed."""
        result = post_one(posting)
        page = client.get(f"{PREFIX}/logs", params={"since": since})
        assert page.status_code == 200, page.text
        assert [e["deviationid"] for e in page.json()["items"]] == [result.deviationid]
        export = client.get(f"{PREFIX}/logs.csv", params={"since": since})
        assert export.status_code == 200
        assert len(list(csv.reader(io.StringIO(export.text)))) == 2

    def test_a_naive_future_time_excludes_everything(
        self, client: TestClient, posting: Container
    ) -> None:
        """A later naive time filters everything out, like the same time with Z."""
        post_one(posting)
        page = client.get(f"{PREFIX}/logs", params={"since": "2999-01-01T00:00:00"})
        assert page.json()["items"] == []


class TestCsvExport:
    def test_csv_has_header_and_rows(self, client: TestClient, posting: Container) -> None:
        """logs.csv streams a header and one row per entry."""
        result = post_one(posting)
        response = client.get(f"{PREFIX}/logs.csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert tuple(rows[0]) == CSV_COLUMNS
        assert rows[1][3] == result.deviationid
        assert rows[1][6] == result.body
        assert rows[1][8] == "watch_feed"  # the source of the queue row, kept in the log

    def test_formula_cells_are_defused(self) -> None:
        """Third-party text starting like a spreadsheet formula is prefixed with a quote."""
        entry = LogEntry(
            log_id=1,
            deviationid="D1",
            status=LogStatus.FAILED,
            sent_at=datetime(2025, 1, 1, tzinfo=UTC),
            body='=HYPERLINK("http://evil")',
            error_message="@SUM(1)",
        )
        [_header, row] = list(csv.reader(io.StringIO("".join(csv_chunks([entry])))))
        assert row[6] == '\'=HYPERLINK("http://evil")'
        assert row[7] == "'@SUM(1)"

    def test_many_rows_stream_in_chunks(self) -> None:
        """Large exports come out in several chunks, every row once."""
        entries = [
            LogEntry(
                log_id=n,
                deviationid=f"D{n}",
                status=LogStatus.SENT,
                sent_at=datetime(2025, 1, 1, tzinfo=UTC),
            )
            for n in range(450)
        ]
        chunks = list(csv_chunks(entries))
        assert len(chunks) >= 3
        assert len(list(csv.reader(io.StringIO("".join(chunks))))) == 451


class TestActivity:
    def test_sent_per_hour(self, client: TestClient, posting: Container) -> None:
        """Activity counts sent comments in their hour."""
        post_one(posting)
        body = client.get(f"{PREFIX}/activity", params={"hours": 48}).json()
        assert body["hours"] == 48
        assert sum(b["sent"] for b in body["buckets"]) == 1

    def test_one_bucket_per_hour_without_gaps(self, client: TestClient, posting: Container) -> None:
        """The chart gets every hour of the window, oldest first, quiet hours as zeros."""
        post_one(posting)
        buckets = client.get(f"{PREFIX}/activity", params={"hours": 6}).json()["buckets"]
        assert len(buckets) == 6
        hours = [b["hour"] for b in buckets]
        assert hours == sorted(hours)
        assert buckets[-1]["sent"] == 1
        assert all(b["sent"] == 0 for b in buckets[:-1])

    @pytest.mark.parametrize("hours", ["0", "-5", "745", "two"])
    def test_bad_hours_is_422(self, client: TestClient, hours: str) -> None:
        """hours outside 1..744 is refused."""
        assert client.get(f"{PREFIX}/activity", params={"hours": hours}).status_code == 422
