"""The inbox and outcomes: DeviantArt's messages, credits, answers, the poll, daily figures.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

- `deviation_comment_logs.author`: the deviation's author, since a watch-back,
  fave-back or comment-back must come from the deviant we commented on.
  Backfilled from the queue row, else from the ledger (which keeps the author
  forever); indexed with `sent_at`, and `commentid` indexed for replies.
- `inbox_messages`: every message once (`messageid` unique), raw JSON kept.
- `outcome_credits`: one row per credited message (its key), naming the log row.
- `outcome_counts`: comments and outcomes per day, template and source, kept by
  the writes; backfilled here with the comments already sent.
- `inbox_answers`: the artist's answer to a reply, claimed before its POST.
- `inbox_poll`: the poll's resume point, lease and last result (one row).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

LOGS = "deviation_comment_logs"
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(LOGS, sa.Column("author", sa.Text(), nullable=True))
    op.create_index(f"ix_{LOGS}_commentid", LOGS, ["commentid"])
    op.create_index(f"ix_{LOGS}_author_sent_at", LOGS, ["author", "sent_at"])
    _create_inbox_messages()
    op.create_table(
        "outcome_credits",
        sa.Column("messageid", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("commentid", sa.String(64), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(64), nullable=True),
        sa.Column("comment_sent_at", TIMESTAMP, nullable=False),
        sa.Column("credited_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("messageid", name="pk_outcome_credits"),
    )
    op.create_index("ix_outcome_credits_log_id_kind", "outcome_credits", ["log_id", "kind"])
    op.create_table(
        "outcome_counts",
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("template_key", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        *(
            sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False)
            for name in ("comments", "replies", "watch_backs", "fave_backs", "comment_backs")
        ),
        sa.PrimaryKeyConstraint("day", "template_key", "source", name="pk_outcome_counts"),
    )
    op.create_table(
        "inbox_answers",
        sa.Column("inbox_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("commentid", sa.String(64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("claimed_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["inbox_id"],
            ["inbox_messages.inbox_id"],
            name="fk_inbox_answers_inbox_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inbox_id", name="pk_inbox_answers"),
    )
    op.create_table(
        "inbox_poll",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("newest_messageid", sa.String(64), nullable=True),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", TIMESTAMP, nullable=True),
        sa.Column("requested_at", TIMESTAMP, nullable=True),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        *(
            sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False)
            for name in ("found", "new", "credited", "empty_polls")
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("needs_scope", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_inbox_poll_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_inbox_poll"),
    )
    _backfill()


def _create_inbox_messages() -> None:
    table = "inbox_messages"
    op.create_table(
        table,
        sa.Column("inbox_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("messageid", sa.String(64), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("view", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), server_default=sa.text("'unread'"), nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("stackid", sa.String(64), nullable=True),
        sa.Column("originator_userid", sa.String(64), nullable=True),
        sa.Column("originator_username", sa.Text(), nullable=True),
        sa.Column("deviationid", sa.String(64), nullable=True),
        sa.Column("deviation_title", sa.Text(), nullable=True),
        sa.Column("deviation_url", sa.Text(), nullable=True),
        sa.Column("commentid", sa.String(64), nullable=True),
        sa.Column("parentid", sa.String(64), nullable=True),
        sa.Column("subject_commentid", sa.String(64), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("our_commentid", sa.String(64), nullable=True),
        sa.Column("stored_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("inbox_id", name=f"pk_{table}"),
        sa.UniqueConstraint("messageid", name=f"uq_{table}_messageid"),
    )
    op.create_index(
        f"ix_{table}_view_status_received_at_inbox_id",
        table,
        ["view", "status", "received_at", "inbox_id"],
    )
    op.create_index(
        f"ix_{table}_view_received_at_inbox_id", table, ["view", "received_at", "inbox_id"]
    )
    op.create_index(
        f"ix_{table}_status_received_at_inbox_id", table, ["status", "received_at", "inbox_id"]
    )
    op.create_index(f"ix_{table}_received_at_inbox_id", table, ["received_at", "inbox_id"])


BACKFILL_AUTHORS = """
UPDATE deviation_comment_logs SET author = COALESCE(
    (SELECT q.author FROM deviation_comment_queue q
     WHERE q.deviationid = deviation_comment_logs.deviationid),
    (SELECT c.author FROM commented_deviations c
     WHERE c.deviationid = deviation_comment_logs.deviationid))
WHERE author IS NULL
"""
# The UTC day of `sent_at`: SQLite keeps naive UTC text (storage/types.py).
DAY = {
    "postgresql": "to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    "sqlite": "substr(sent_at, 1, 10)",
}
BACKFILL_COUNTS = """
INSERT INTO outcome_counts (day, template_key, source, comments)
SELECT DAY, COALESCE(message_id, 0), COALESCE(source, ''), count(*)
FROM deviation_comment_logs WHERE status = 'sent'
GROUP BY DAY, COALESCE(message_id, 0), COALESCE(source, '')
"""


def _backfill() -> None:
    """Authors of the comments already sent, and the comments per day, template, source."""
    op.execute(BACKFILL_AUTHORS)
    op.execute(BACKFILL_COUNTS.replace("DAY", DAY[op.get_bind().dialect.name]))


def downgrade() -> None:
    for table in ("inbox_poll", "inbox_answers", "outcome_counts", "outcome_credits"):
        op.drop_table(table)
    op.drop_table("inbox_messages")
    op.drop_index(f"ix_{LOGS}_author_sent_at", table_name=LOGS)
    op.drop_index(f"ix_{LOGS}_commentid", table_name=LOGS)
    with op.batch_alter_table(LOGS) as batch:
        batch.drop_column("author")
