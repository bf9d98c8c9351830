"""Initial schema: queue, templates, log, ledger, feed state, tokens, settings, worker.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# Written out rather than imported from the app, so this file never changes
# when the app's types do.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "deviation_comment_messages",
        sa.Column("message_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_deviation_comment_messages"),
    )

    op.create_table(
        "deviation_comment_queue",
        sa.Column("deviationid", ID, nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("ts", TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(32), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("claimed_at", TIMESTAMP, nullable=True),
        sa.Column("claim_token", sa.String(64), nullable=True),
        sa.Column("commentid", ID, nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("body_hash", sa.String(128), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["deviation_comment_messages.message_id"],
            name="fk_deviation_comment_queue_message_id",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("deviationid", name="pk_deviation_comment_queue"),
    )
    op.create_index(
        "ix_deviation_comment_queue_status_ts_deviationid",
        "deviation_comment_queue",
        ["status", "ts", "deviationid"],
    )
    op.create_index(
        "ix_deviation_comment_queue_ts_deviationid",
        "deviation_comment_queue",
        ["ts", "deviationid"],
    )
    op.create_index(
        "ix_deviation_comment_queue_status_claimed_at",
        "deviation_comment_queue",
        ["status", "claimed_at"],
    )

    op.create_table(
        "deviation_comment_logs",
        sa.Column("log_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deviationid", ID, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("commentid", ID, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("sent_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["deviation_comment_messages.message_id"],
            name="fk_deviation_comment_logs_message_id",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("log_id", name="pk_deviation_comment_logs"),
    )
    op.create_index(
        "ix_deviation_comment_logs_sent_at_log_id",
        "deviation_comment_logs",
        ["sent_at", "log_id"],
    )
    op.create_index(
        "ix_deviation_comment_logs_status_sent_at_log_id",
        "deviation_comment_logs",
        ["status", "sent_at", "log_id"],
    )
    op.create_index(
        "ix_deviation_comment_logs_deviationid",
        "deviation_comment_logs",
        ["deviationid"],
    )

    op.create_table(
        "feed_state",
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("newest_deviationid", ID, nullable=True),
        sa.Column("newest_ts", TIMESTAMP, nullable=True),
        sa.Column("backfill_offset", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("source", name="pk_feed_state"),
    )

    op.create_table(
        "commented_deviations",
        sa.Column("deviationid", ID, nullable=False),
        sa.Column("commented_at", TIMESTAMP, nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("deviationid", name="pk_commented_deviations"),
    )
    op.create_index(
        "ix_commented_deviations_author_commented_at",
        "commented_deviations",
        ["author", "commented_at"],
    )

    op.create_table(
        "oauth_tokens",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("scope", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("userid", ID, nullable=True),
        sa.Column("username", sa.Text(), nullable=True),
        sa.CheckConstraint("id = 1", name="ck_oauth_tokens_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_oauth_tokens"),
    )

    op.create_table(
        "comment_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_comment_settings_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_comment_settings"),
    )

    op.create_table(
        "worker_control",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("desired", sa.String(16), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("waiting_until", TIMESTAMP, nullable=True),
        sa.Column(
            "consecutive_failures", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("heartbeat_at", TIMESTAMP, nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=True),
        sa.Column(
            "confirmed_unreviewed", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.CheckConstraint("id = 1", name="ck_worker_control_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_worker_control"),
    )


def downgrade() -> None:
    for table in (
        "worker_control",
        "comment_settings",
        "oauth_tokens",
        "commented_deviations",
        "feed_state",
        "deviation_comment_logs",
        "deviation_comment_queue",
        "deviation_comment_messages",
    ):
        op.drop_table(table)
