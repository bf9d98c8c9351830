"""The feeds DeviantArt serves today: home feed, tag feeds, deviation metadata.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

- `source` columns widen to 64 characters: a tag feed is a source of its own
  (`tag:NAME`, a tag of at most 50 characters).
- Queue rows carry what `deviation/metadata` said: `tags` (space-separated),
  the detected `language`, and `enriched_at` (None: the worker reads the
  metadata before rendering, so no row is commented on unread).
- Log rows carry their `source` (back-filled from the queue where the row is
  still there), for the page and the CSV export.
- `feed_state.path`: the endpoint a cursor belongs to. The global feed moved
  from `browse/newest` (removed by DeviantArt on 1 July 2024) to `browse/home`,
  so its old cursor is dropped: the first run starts at the top of the new feed.
- Settings: an artist who reviews the global feed reviews the tag feeds too
  (review mode is on by default for both).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

QUEUE = "deviation_comment_queue"
LOGS = "deviation_comment_logs"
FEED_STATE = "feed_state"
COLLECT_RUNS = "collect_runs"
SETTINGS = "comment_settings"
TIMESTAMP = sa.DateTime(timezone=True)
WIDENED = (QUEUE, FEED_STATE, COLLECT_RUNS)
QUEUE_COLUMNS = (
    sa.Column("tags", sa.Text(), nullable=True),
    sa.Column("language", sa.String(16), nullable=True),
    sa.Column("enriched_at", TIMESTAMP, nullable=True),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # SQLite does not enforce VARCHAR lengths (and a batch copy would drop 0002's triggers).
        for table in WIDENED:
            op.alter_column(table, "source", type_=sa.String(64), existing_nullable=False)
    for column in QUEUE_COLUMNS:
        op.add_column(QUEUE, column)
    op.add_column(LOGS, sa.Column("source", sa.String(64), nullable=True))
    op.execute(
        f"UPDATE {LOGS} SET source = (SELECT q.source FROM {QUEUE} q "  # noqa: S608
        f"WHERE q.deviationid = {LOGS}.deviationid)"
    )
    op.add_column(FEED_STATE, sa.Column("path", sa.Text(), nullable=True))
    op.execute(f"DELETE FROM {FEED_STATE} WHERE source = 'global_feed'")  # noqa: S608
    op.execute(
        f"UPDATE {FEED_STATE} SET path = 'browse/deviantsyouwatch' "  # noqa: S608
        "WHERE source = 'watch_feed'"
    )
    _review_tags_with_global_feed()


def _review_tags_with_global_feed() -> None:
    bind = op.get_bind()
    for row_id, data in bind.execute(sa.text(f"SELECT id, data FROM {SETTINGS}")).all():  # noqa: S608
        settings = json.loads(data)
        reviewed = settings.get("review_sources")
        if isinstance(reviewed, list) and "global_feed" in reviewed and "tags" not in reviewed:
            settings["review_sources"] = [*reviewed, "tags"]
            bind.execute(
                sa.text(f"UPDATE {SETTINGS} SET data = :data WHERE id = :id"),  # noqa: S608
                {"data": json.dumps(settings, sort_keys=True), "id": row_id},
            )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35): a batch copy would drop 0002's triggers.
    op.drop_column(FEED_STATE, "path")
    op.drop_column(LOGS, "source")
    for column in reversed(QUEUE_COLUMNS):
        op.drop_column(QUEUE, column.name)
    op.execute(f"DELETE FROM {QUEUE} WHERE source LIKE 'tag:%'")  # noqa: S608
    op.execute(f"DELETE FROM {FEED_STATE} WHERE source LIKE 'tag:%'")  # noqa: S608
    op.execute(f"DELETE FROM {COLLECT_RUNS} WHERE source LIKE 'tag:%'")  # noqa: S608
    if op.get_bind().dialect.name == "postgresql":
        for table in WIDENED:
            op.alter_column(table, "source", type_=sa.String(32), existing_nullable=False)
