"""The comment log as CSV (used by `GET .../logs.csv` and `photomanager logs export`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from photomanager.domain.models import LogEntry

CSV_COLUMNS = (
    "log_id",
    "sent_at",
    "status",
    "deviationid",
    "message_id",
    "commentid",
    "body",
    "error_message",
    "source",  # after the first columns, so those of earlier exports keep their places
    # What each comment earned (issue 20), credited at ingest.
    "replies",
    "watch_backs",
    "fave_backs",
    "comment_backs",
)
CSV_CHUNK_ROWS = 200
# A cell starting with one of these is a formula to a spreadsheet; the log holds
# third-party text, so such cells are prefixed with a quote (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_chunks(entries: Iterable[LogEntry]) -> Iterator[str]:
    """The log as CSV text, a few hundred rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for rows, entry in enumerate(entries, start=1):
        writer.writerow(
            [
                entry.log_id,
                entry.sent_at.isoformat(),
                entry.status.value,
                _cell(entry.deviationid),
                entry.message_id,
                _cell(entry.commentid),
                _cell(entry.body),
                _cell(entry.error_message),
                entry.source or "",
                entry.replies,
                entry.watch_backs,
                entry.fave_backs,
                entry.comment_backs,
            ]
        )
        if rows % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
