"""The comment log: append, filtered keyset pages, streaming, counts, activity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import new_items
from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import HourlyActivity, LogStatus
from photomanager.storage.unit_of_work import SqlUnitOfWork

HOUR = NOW.replace(minute=0, second=0, microsecond=0)


def _append(uow: SqlUnitOfWork, status: LogStatus, at_minutes: float, dev: str = "d") -> int:
    entry = uow.logs.append(
        deviationid=dev, status=status, now=NOW + timedelta(minutes=at_minutes), body="b"
    )
    return entry.log_id


class TestAppend:
    def test_append_returns_the_stored_entry(self, uow: SqlUnitOfWork) -> None:
        """append gives back the entry with its id, as list_page reads it."""
        template = uow.messages.add("t", "Hi {name}", True, NOW)

        entry = uow.logs.append(
            deviationid="D1",
            status=LogStatus.SENT,
            now=NOW,
            message_id=template.message_id,
            commentid="C1",
            body="Hi Ann",
        )

        [stored], _ = uow.logs.list_page(status=None, since=None, limit=10, cursor=None)
        assert stored == entry
        assert (entry.sent_at, entry.message_id, entry.commentid) == (
            NOW,
            template.message_id,
            "C1",
        )

    def test_deleting_the_template_keeps_the_entry(self, uow: SqlUnitOfWork) -> None:
        """The log keeps its text when its template is deleted; the link becomes null."""
        template = uow.messages.add("t", "Hi", True, NOW)
        uow.logs.append(
            deviationid="D1", status=LogStatus.SENT, now=NOW, message_id=template.message_id
        )

        uow.messages.delete(template.message_id)

        [entry], _ = uow.logs.list_page(status=None, since=None, limit=10, cursor=None)
        assert entry.message_id is None


class TestListPage:
    def test_pages_newest_first_without_dupes(self, uow: SqlUnitOfWork) -> None:
        """Pages walk (sent_at, log_id) descending; equal times are broken by id."""
        ids = [_append(uow, LogStatus.SENT, minute // 2) for minute in range(11)]
        seen: list[int] = []
        added_meanwhile: list[int] = []
        cursor: str | None = None
        while True:
            page, cursor = uow.logs.list_page(status=None, since=None, limit=3, cursor=cursor)
            seen.extend(e.log_id for e in page)
            added_meanwhile.append(_append(uow, LogStatus.SENT, 60))
            if cursor is None:
                break

        assert seen == list(reversed(ids))
        assert not set(added_meanwhile) & set(seen)

    def test_filters_by_status_and_since(self, uow: SqlUnitOfWork) -> None:
        """status and since narrow the list."""
        _append(uow, LogStatus.SENT, -120)
        recent_sent = _append(uow, LogStatus.SENT, -5)
        _append(uow, LogStatus.FAILED, -5)

        page, cursor = uow.logs.list_page(
            status=LogStatus.SENT, since=NOW - timedelta(hours=1), limit=10, cursor=None
        )

        assert [e.log_id for e in page] == [recent_sent]
        assert cursor is None


class TestIterAll:
    def test_streams_every_matching_entry(self, uow: SqlUnitOfWork) -> None:
        """iter_all yields every match, more than one stream batch, newest first."""
        for i in range(1_050):
            _append(uow, LogStatus.FAILED if i % 3 == 0 else LogStatus.SENT, i / 100)

        entries = list(uow.logs.iter_all(status=LogStatus.SENT, since=None))

        assert len(entries) == 700
        assert all(e.status is LogStatus.SENT for e in entries)
        assert [e.sent_at for e in entries] == sorted((e.sent_at for e in entries), reverse=True)


class TestCounts:
    def test_count_since(self, uow: SqlUnitOfWork) -> None:
        """count_since counts one status from a moment on (inclusive)."""
        _append(uow, LogStatus.SENT, -61)
        _append(uow, LogStatus.SENT, -60)
        _append(uow, LogStatus.SENT, -1)
        _append(uow, LogStatus.FAILED, -1)

        assert uow.logs.count_since(LogStatus.SENT, NOW - timedelta(minutes=60)) == 2

    def test_sent_times_since(self, uow: SqlUnitOfWork) -> None:
        """sent_times_since lists when each comment was sent, oldest first."""
        _append(uow, LogStatus.SENT, -2)
        _append(uow, LogStatus.FAILED, -3)
        _append(uow, LogStatus.SENT, -10)
        _append(uow, LogStatus.SENT, -100)

        times = uow.logs.sent_times_since(NOW - timedelta(minutes=30))

        assert times == [NOW - timedelta(minutes=10), NOW - timedelta(minutes=2)]

    def test_activity_per_hour(self, uow: SqlUnitOfWork) -> None:
        """Sent and failed are counted per UTC hour; other statuses are ignored."""
        _append(uow, LogStatus.SENT, -1)  # 11:59
        _append(uow, LogStatus.SENT, 0)  # 12:00
        _append(uow, LogStatus.FAILED, 30)  # 12:30
        _append(uow, LogStatus.SENT, 59)  # 12:59
        _append(uow, LogStatus.UNKNOWN, 10)
        _append(uow, LogStatus.SENT, -300)  # before `since`

        activity = uow.logs.activity_per_hour(HOUR - timedelta(hours=2))

        assert activity == [
            HourlyActivity(hour=HOUR - timedelta(hours=1), sent=1, failed=0),
            HourlyActivity(hour=HOUR, sent=2, failed=1),
        ]

    def test_recent_body_hashes(self, uow: SqlUnitOfWork) -> None:
        """Hashes of bodies posted since a moment come from the commented queue rows."""
        uow.queue.add_many(new_items(2, NOW), NOW)
        for n in range(2):
            claim = uow.queue.claim_one_pending(NOW)
            assert claim is not None
            uow.queue.mark_commented(
                claim, commentid="c", message_id=None, body_hash=f"h{n}", body="b", now=NOW
            )
            at = NOW - timedelta(days=2) if n == 0 else NOW
            uow.logs.append(deviationid=claim.deviationid, status=LogStatus.SENT, now=at)

        assert uow.logs.recent_body_hashes(NOW - timedelta(days=1)) == {"h1"}


@pytest.mark.parametrize("cursor", ["x", "WyIyMDI1LTAzLTAxVDEyOjAwOjAwKzAwOjAwIiwiYSJd"])
def test_bad_log_cursor_is_invalid_input(uow: SqlUnitOfWork, cursor: str) -> None:
    """A malformed cursor, or a queue cursor, is refused."""
    with pytest.raises(InvalidInput):
        uow.logs.list_page(status=None, since=None, limit=5, cursor=cursor)
