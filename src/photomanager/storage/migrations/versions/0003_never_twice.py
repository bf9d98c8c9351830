"""Queue columns that keep a comment from being posted twice, and review honest.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

- `approved_at`: set only when the artist approves a row in review; a reviewed
  source's row is posted only with it.
- `unknown_since`: when the row became `unknown` (the end of the uncertain
  attempt, or the lease expiry): reconciliation's grace period starts there.
- `reconcile_checked_at`: the first read-back after the grace that did not
  find our comment; a second one at least a minute later is needed before
  the row may be posted again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

QUEUE = "deviation_comment_queue"
TIMESTAMP = sa.DateTime(timezone=True)
COLUMNS = ("approved_at", "unknown_since", "reconcile_checked_at")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column(QUEUE, sa.Column(name, TIMESTAMP, nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35): a batch copy would drop
    # the counting triggers of 0002 along with the old table.
    for name in reversed(COLUMNS):
        op.drop_column(QUEUE, name)
