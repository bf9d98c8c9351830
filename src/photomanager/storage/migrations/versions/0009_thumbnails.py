"""A thumbnail per queued deviation: `deviation_comment_queue.thumbnail_url`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

The review list shows each deviation's thumbnail, taken from the feed's `thumbs` or
`preview` when the row is queued. Only a URL on an allowed image host is kept (see
`domain/images.py`); rows queued before this revision have none, and the page shows an
empty frame for them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None

TABLE = "deviation_comment_queue"
COLUMN = "thumbnail_url"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column(COLUMN, sa.Text(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35): a batch copy would drop 0002's triggers.
    op.drop_column(TABLE, COLUMN)
