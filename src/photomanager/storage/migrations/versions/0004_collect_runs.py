"""Collect runs in the database, so every process sees them and one source runs once.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

- `collect_runs`: one row per run, progress written by the run's thread after
  each page, a heartbeat refreshed while it runs (a row whose heartbeat went
  stale belongs to a process that stopped: the next start marks it
  `interrupted`).
- A partial unique index on `source` among the `running` rows: two processes
  (the web server and `photomanager collect`) cannot collect one feed at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

TABLE = "collect_runs"
TIMESTAMP = sa.DateTime(timezone=True)
RUNNING_ONLY = sa.text("state = 'running'")


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("pages_requested", sa.Integer(), nullable=False),
        sa.Column("pages_done", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("found", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("new", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("filtered", sa.Text(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("stopped_because", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("heartbeat_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=f"pk_{TABLE}"),
    )
    op.create_index(
        f"uq_{TABLE}_running_source",
        TABLE,
        ["source"],
        unique=True,
        sqlite_where=RUNNING_ONLY,
        postgresql_where=RUNNING_ONLY,
    )
    op.create_index(f"ix_{TABLE}_started_at_run_id", TABLE, ["started_at", "run_id"])
    op.create_index(f"ix_{TABLE}_source_started_at", TABLE, ["source", "started_at"])


def downgrade() -> None:
    op.drop_table(TABLE)  # its indexes go with it
