"""Exact per-status row counts of the queue, kept by database triggers.

`GET /status` reads `deviation_comment_queue_counts` (one row per status)
instead of counting a million queue rows. Triggers keep it exact on every
insert, delete and status change, whoever writes: the repositories, a
migration, or hand-written SQL.

- SQLite: row-level triggers (SQLite has no other kind). Every queued row
  costs one extra in-place UPDATE of a tiny table.
- PostgreSQL: statement-level triggers over transition tables, one counter
  upsert per status a statement changed. Row-level triggers would rewrite the
  same counter row once per queued row: under MVCC every rewrite inside one
  transaction leaves a version that later lookups must step over, so a
  100,000-row bulk insert went from 1.4 s to 80 s. A statement that changes
  statuses takes one transaction-scoped advisory lock before touching the
  counters, so writers that change several counters can never deadlock on
  them; every status change already updated the shared `pending`/`sending`
  counters, so this serialises nothing that was parallel before.

The same DDL is written out in migration 0002 (migrations never import the
app); `tables.py` attaches this module's copy to `metadata.create_all`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, MetaData, event

from photomanager.domain.models import QueueStatus

QUEUE_TABLE = "deviation_comment_queue"
COUNTS_TABLE = "deviation_comment_queue_counts"
PG_FUNCTION = "deviation_comment_queue_count"
# Any constant works: it only has to differ from other advisory locks in the database.
PG_LOCK_KEY = 7_301_500_417

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER {QUEUE_TABLE}_count_insert AFTER INSERT ON {QUEUE_TABLE}
BEGIN
    UPDATE {COUNTS_TABLE} SET n = n + 1 WHERE status = NEW.status;
END""",  # noqa: S608 - constants only
    f"""CREATE TRIGGER {QUEUE_TABLE}_count_delete AFTER DELETE ON {QUEUE_TABLE}
BEGIN
    UPDATE {COUNTS_TABLE} SET n = n - 1 WHERE status = OLD.status;
END""",  # noqa: S608 - constants only
    f"""CREATE TRIGGER {QUEUE_TABLE}_count_update AFTER UPDATE OF status ON {QUEUE_TABLE}
WHEN OLD.status IS NOT NEW.status
BEGIN
    UPDATE {COUNTS_TABLE} SET n = n - 1 WHERE status = OLD.status;
    UPDATE {COUNTS_TABLE} SET n = n + 1 WHERE status = NEW.status;
END""",  # noqa: S608 - constants only
)

PG_FUNCTION_DDL = f"""CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
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
    PERFORM pg_advisory_xact_lock({PG_LOCK_KEY});
    INSERT INTO {COUNTS_TABLE} AS c (status, n)
    SELECT * FROM unnest(statuses, deltas)
    ON CONFLICT (status) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END
$$"""  # noqa: S608 - constants only

PG_TRIGGERS = (
    f"CREATE TRIGGER {QUEUE_TABLE}_count_insert AFTER INSERT ON {QUEUE_TABLE} "
    f"REFERENCING NEW TABLE AS new_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
    f"CREATE TRIGGER {QUEUE_TABLE}_count_delete AFTER DELETE ON {QUEUE_TABLE} "
    f"REFERENCING OLD TABLE AS old_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
    f"CREATE TRIGGER {QUEUE_TABLE}_count_update AFTER UPDATE ON {QUEUE_TABLE} "
    f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
)

# Every status gets a row (the SQLite triggers only update existing rows),
# seeded from whatever the queue already holds.
SEED = (
    f"INSERT INTO {COUNTS_TABLE} (status, n) "  # noqa: S608 - constants only
    f"SELECT s.status, (SELECT count(*) FROM {QUEUE_TABLE} q WHERE q.status = s.status) "
    "FROM ({statuses}) s"
)


def seed_sql(statuses: tuple[str, ...]) -> str:
    """The INSERT that gives each of `statuses` its counter row, counted from the queue."""
    rows = " UNION ALL ".join(f"SELECT '{s}' AS status" for s in statuses)
    return SEED.format(statuses=rows)


def trigger_ddl(dialect_name: str) -> tuple[str, ...]:
    """The statements that create the counting triggers on this backend."""
    if dialect_name == "postgresql":
        return (PG_FUNCTION_DDL, *PG_TRIGGERS)
    return SQLITE_TRIGGERS


def install(conn: Connection) -> None:
    """Create the triggers and seed every status's counter on `conn`."""
    for statement in trigger_ddl(conn.dialect.name):
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql(seed_sql(tuple(s.value for s in QueueStatus)))


def _after_create(_metadata: MetaData, connection: Connection, **_kw: Any) -> None:
    install(connection)


def _after_drop(_metadata: MetaData, connection: Connection, **_kw: Any) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")


def attach(metadata: MetaData) -> None:
    """Make `metadata.create_all` / `drop_all` create and drop the triggers too."""
    event.listen(metadata, "after_create", _after_create)
    event.listen(metadata, "after_drop", _after_drop)
