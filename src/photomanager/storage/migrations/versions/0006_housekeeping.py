"""Housekeeping: settled queue rows found by when they settled, and the last pass recorded.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

- An index on `deviation_comment_queue (status, updated_at)`: housekeeping deletes
  `commented`, `failed` and `skipped` rows settled before a cutoff, a few hundred
  at a time, without scanning the queue (pending rows expire by `ts`, which the
  `(status, ts, deviationid)` index of 0001 already serves).
- `housekeeping`: one row, the last pass of any process (when, what it removed per
  status, how many log entries, whether it finished), so `status` in another
  process shows it and the worker runs at most one pass an hour.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

QUEUE = "deviation_comment_queue"
INDEX = f"ix_{QUEUE}_status_updated_at"
TABLE = "housekeeping"
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_index(INDEX, QUEUE, ["status", "updated_at"])
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ran_at", TIMESTAMP, nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("removed", sa.Text(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("logs_removed", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("complete", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint("id = 1", name=f"ck_{TABLE}_single_row"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
    )


def downgrade() -> None:
    op.drop_table(TABLE)
    op.drop_index(INDEX, table_name=QUEUE)
