"""Waits that outlive a process: `pacing_penalties`, one row per scope.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A worker SIGKILLed right after a 429 and restarted at once posted inside the
Retry-After its predecessor had been given. Every wait DeviantArt imposes or
we impose on ourselves (Retry-After, the cool-off after a 429 without one,
the learned spacing, the CDN's block, an action throttle, a removed
endpoint) is kept here, keyed by scope ("user", "client", "pace", "edge",
"post", "gone:<path>"), and obeyed by every process.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

TABLE = "pacing_penalties"
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("not_before", TIMESTAMP, nullable=True),
        sa.Column("reason", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("spacing_s", sa.Float(), nullable=True),
        sa.Column("streak", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("scope", name=f"pk_{TABLE}"),
    )


def downgrade() -> None:
    op.drop_table(TABLE)
