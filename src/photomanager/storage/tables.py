"""The schema, as SQLAlchemy Core tables (see DESIGN.md, "Tables").

The Alembic migrations under `storage/migrations/versions/` are written by
hand to match this module; a test compares the two.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from photomanager.storage import queue_counts as counting
from photomanager.storage.types import UtcDateTime

# Explicit constraint names, so later migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ID = String(64)  # DeviantArt ids are UUID strings; a little slack costs nothing

messages = Table(
    "deviation_comment_messages",
    metadata,
    Column("message_id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("is_active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

queue = Table(
    "deviation_comment_queue",
    metadata,
    Column("deviationid", ID, primary_key=True),
    Column("source", String(64), nullable=False),
    Column("ts", UtcDateTime, nullable=False),
    Column("status", String(32), nullable=False, server_default=text("'pending'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("author", Text, nullable=True),
    Column("title", Text, nullable=True),
    Column("url", Text, nullable=True),
    Column("claimed_at", UtcDateTime, nullable=True),
    Column("claim_token", String(64), nullable=True),
    Column("commentid", ID, nullable=True),
    Column(
        "message_id",
        Integer,
        ForeignKey(messages.c.message_id, ondelete="SET NULL"),
        nullable=True,
    ),
    Column("body_hash", String(128), nullable=True),
    Column("body", Text, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    # Never twice (migration 0003): see `repositories/queue/`.
    Column("approved_at", UtcDateTime, nullable=True),
    Column("unknown_since", UtcDateTime, nullable=True),
    Column("reconcile_checked_at", UtcDateTime, nullable=True),
    # From `deviation/metadata` (0005): space-separated tags, detected language, when read.
    Column("tags", Text, nullable=True),
    Column("language", String(16), nullable=True),
    Column("enriched_at", UtcDateTime, nullable=True),
    # The claim (newest due pending first), status-filtered pages and the grouped count.
    Index(None, "status", "ts", "deviationid"),
    # Unfiltered keyset pages.
    Index(None, "ts", "deviationid"),
    # expire_claims.
    Index(None, "status", "claimed_at"),
    # Housekeeping: settled rows by when they settled (migration 0006).
    Index(None, "status", "updated_at"),
)

# Rows per status, kept exact by triggers (see `queue_counts.py`): `GET /status`
# reads a handful of rows instead of counting the whole queue.
queue_counts = Table(
    counting.COUNTS_TABLE,
    metadata,
    Column("status", String(32), primary_key=True),
    Column("n", BigInteger, nullable=False, server_default=text("0")),
)
counting.attach(metadata)

logs = Table(
    "deviation_comment_logs",
    metadata,
    Column("log_id", Integer, primary_key=True, autoincrement=True),
    Column("deviationid", ID, nullable=False),
    Column(
        "message_id",
        Integer,
        ForeignKey(messages.c.message_id, ondelete="SET NULL"),
        nullable=True,
    ),
    Column("commentid", ID, nullable=True),
    Column("status", String(16), nullable=False),
    Column("body", Text, nullable=True),
    Column("error_message", Text, nullable=True),
    Column("sent_at", UtcDateTime, nullable=False),
    Column("source", String(64), nullable=True),  # where the deviation was found (0005)
    Index(None, "sent_at", "log_id"),
    Index(None, "status", "sent_at", "log_id"),
    Index(None, "deviationid"),
)

feed_state = Table(
    "feed_state",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("path", Text, nullable=True),  # the endpoint the cursor belongs to (0005)
    Column("newest_deviationid", ID, nullable=True),
    Column("newest_ts", UtcDateTime, nullable=True),
    Column("backfill_offset", Integer, nullable=False, server_default=text("0")),
    Column("updated_at", UtcDateTime, nullable=True),
)

commented_deviations = Table(
    "commented_deviations",
    metadata,
    Column("deviationid", ID, primary_key=True),
    Column("commented_at", UtcDateTime, nullable=False),
    Column("author", Text, nullable=True),
    # Per-author cooldown and caps.
    Index(None, "author", "commented_at"),
)

oauth_tokens = Table(
    "oauth_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("access_token", Text, nullable=False),
    Column("refresh_token", Text, nullable=True),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("scope", Text, nullable=False, server_default=text("''")),
    Column("userid", ID, nullable=True),
    Column("username", Text, nullable=True),
    CheckConstraint("id = 1", name="single_row"),
)

comment_settings = Table(
    "comment_settings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    # One JSON document: new settings fields need no migration, unknown keys are ignored.
    Column("data", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

worker_control = Table(
    "worker_control",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("desired", String(16), nullable=False),
    Column("state", String(32), nullable=False),
    Column("reason", Text, nullable=True),
    Column("waiting_until", UtcDateTime, nullable=True),
    Column("consecutive_failures", Integer, nullable=False, server_default=text("0")),
    Column("heartbeat_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=True),
    Column("confirmed_unreviewed", Boolean, nullable=False, server_default=text("false")),
    CheckConstraint("id = 1", name="single_row"),
)

# Collect runs of every process (web server, CLI): progress written by the run's
# thread, read by status anywhere. At most one running run per source, across
# processes: the partial unique index refuses a second one.
COLLECT_RUNNING = "running"  # the collector's RUNNING state (services/collecting/collector.py)

collect_runs = Table(
    "collect_runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("pages_requested", Integer, nullable=False),
    Column("pages_done", Integer, nullable=False, server_default=text("0")),
    Column("found", Integer, nullable=False, server_default=text("0")),
    Column("new", Integer, nullable=False, server_default=text("0")),
    Column("filtered", Text, nullable=False, server_default=text("'{}'")),  # JSON object
    Column("stopped_because", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("heartbeat_at", UtcDateTime, nullable=False),
    Index(
        "uq_collect_runs_running_source",
        "source",
        unique=True,
        sqlite_where=text(f"state = '{COLLECT_RUNNING}'"),
        postgresql_where=text(f"state = '{COLLECT_RUNNING}'"),
    ),
    # Newest first (recent runs) and pruning per source.
    Index(None, "started_at", "run_id"),
    Index(None, "source", "started_at"),
)

# The last housekeeping pass of any process (migration 0006): `status` anywhere shows
# when it ran and what it removed; the worker runs it when the last one is an hour old.
housekeeping = Table(
    "housekeeping",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("ran_at", UtcDateTime, nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("removed", Text, nullable=False, server_default=text("'{}'")),  # JSON object
    Column("logs_removed", Integer, nullable=False, server_default=text("0")),
    Column("complete", Boolean, nullable=False, server_default=text("true")),
    CheckConstraint("id = 1", name="single_row"),
)

# Waits every process obeys (a Retry-After, the cool-off after a 429, the learned
# spacing, the CDN's block, an action throttle, a removed endpoint), one row per
# scope: read before each DeviantArt request by the primary key.
pacing_penalties = Table(
    "pacing_penalties",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("not_before", UtcDateTime, nullable=True),
    Column("reason", Text, nullable=False, server_default=text("''")),
    Column("spacing_s", Float, nullable=True),
    Column("streak", Integer, nullable=False, server_default=text("0")),
    Column("updated_at", UtcDateTime, nullable=True),
)

SINGLE_ROW_ID = 1
