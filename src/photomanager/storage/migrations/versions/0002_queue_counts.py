"""Per-status queue counts kept exact by triggers, so `GET /status` never counts the queue.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

SQLite gets row-level triggers; PostgreSQL gets statement-level triggers over
transition tables (row-level ones would rewrite one counter row per queued
row, which MVCC makes quadratic inside one transaction) and one advisory lock
per status-changing statement so writers never deadlock on the counters.
Written out rather than imported from `storage/queue_counts.py`, so this file
never changes when the app does; the storage tests check both give the same
counts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

QUEUE = "deviation_comment_queue"
COUNTS = "deviation_comment_queue_counts"
FUNCTION = "deviation_comment_queue_count"
LOCK_KEY = 7_301_500_417
STATUSES = ("pending", "sending", "unknown", "commented", "failed", "awaiting_review", "skipped")

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER {QUEUE}_count_insert AFTER INSERT ON {QUEUE}
BEGIN
    UPDATE {COUNTS} SET n = n + 1 WHERE status = NEW.status;
END""",  # noqa: S608 - constants only
    f"""CREATE TRIGGER {QUEUE}_count_delete AFTER DELETE ON {QUEUE}
BEGIN
    UPDATE {COUNTS} SET n = n - 1 WHERE status = OLD.status;
END""",  # noqa: S608 - constants only
    f"""CREATE TRIGGER {QUEUE}_count_update AFTER UPDATE OF status ON {QUEUE}
WHEN OLD.status IS NOT NEW.status
BEGIN
    UPDATE {COUNTS} SET n = n - 1 WHERE status = OLD.status;
    UPDATE {COUNTS} SET n = n + 1 WHERE status = NEW.status;
END""",  # noqa: S608 - constants only
)

PG_FUNCTION = f"""CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    statuses text[];
    deltas bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(status), array_agg(k) INTO statuses, deltas
        FROM (SELECT status, count(*) AS k FROM new_rows GROUP BY status) s;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(status), array_agg(-k) INTO statuses, deltas
        FROM (SELECT status, count(*) AS k FROM old_rows GROUP BY status) s;
    ELSE
        SELECT array_agg(status), array_agg(k) INTO statuses, deltas
        FROM (
            SELECT status, sum(k) AS k
            FROM (
                SELECT status, 1 AS k FROM new_rows
                UNION ALL
                SELECT status, -1 AS k FROM old_rows
            ) changes
            GROUP BY status
        ) s
        WHERE k <> 0;
    END IF;
    IF statuses IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    INSERT INTO {COUNTS} AS c (status, n)
    SELECT * FROM unnest(statuses, deltas)
    ON CONFLICT (status) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END
$$"""  # noqa: S608 - constants only

PG_TRIGGERS = (
    f"CREATE TRIGGER {QUEUE}_count_insert AFTER INSERT ON {QUEUE} "
    "REFERENCING NEW TABLE AS new_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
    f"CREATE TRIGGER {QUEUE}_count_delete AFTER DELETE ON {QUEUE} "
    "REFERENCING OLD TABLE AS old_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
    f"CREATE TRIGGER {QUEUE}_count_update AFTER UPDATE ON {QUEUE} "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
)


def upgrade() -> None:
    op.create_table(
        COUNTS,
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("n", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("status", name=f"pk_{COUNTS}"),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in (PG_FUNCTION, *PG_TRIGGERS) if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)
    # Seeded after the triggers exist, in the same transaction: exact from the start.
    rows = " UNION ALL ".join(f"SELECT '{s}' AS status" for s in STATUSES)
    op.execute(
        f"INSERT INTO {COUNTS} (status, n) "  # noqa: S608 - constants only
        f"SELECT s.status, (SELECT count(*) FROM {QUEUE} q WHERE q.status = s.status) "
        f"FROM ({rows}) s"
    )


def downgrade() -> None:
    for event in ("insert", "delete", "update"):
        op.execute(
            f"DROP TRIGGER IF EXISTS {QUEUE}_count_{event}"
            + (f" ON {QUEUE}" if op.get_bind().dialect.name == "postgresql" else "")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    op.drop_table(COUNTS)
