"""A year of comments and of DeviantArt's messages, shaped like real data, written fast.

`generate(comments, messages)` draws (from a fixed seed) `comments` sent log
rows spread evenly over a year, and `messages` inbox messages:

 share  what                                                         credited
 15 %   replies under one of our comments (a few minutes to 3 days)  reply
  4 %   watches from a deviant we commented on (within 5 days)       watch-back
  6 %   faves (a quarter of them collects) from such a deviant       fave-back
  3 %   comments on the artist's work from such a deviant            comment-back
 67 %   strangers' watches, faves, collects and comments             nothing
  5 %   types we do not read (badges, stickers), raw JSON kept       nothing

Six templates (one used most), four sources (watch feed, global feed, two
tags), authors drawn from a pool of one per eight comments. Replies of the last
14 days are unread, older ones mostly read (5 % unread, 20 % answered, with
their answer); the other messages of the last 14 days are unread, older ones
half read. `fill()` writes them with executemany in big batches, with the
daily outcome counts the writes keep (`outcome_counts`) summed in Python;
`feed_pages()` renders the messages as DeviantArt's `messages/feed` pages.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, text

from photomanager.storage.engine import create_engine_for
from photomanager.storage.tables import (
    inbox_answers,
    inbox_messages,
    logs,
    messages,
    outcome_counts,
    outcome_credits,
)

END = datetime(2026, 12, 1, tzinfo=UTC)
YEAR = timedelta(days=365)
FRESH = timedelta(days=14)  # messages this recent are unread
TEMPLATES = (
    ("Warm and long", 40),
    ("Asks a question", 20),
    ("Names the title", 15),
    ("Short praise", 10),
    ("Colours", 10),
    ("Old favourite", 5),
)
SOURCES = (("watch_feed", 50), ("global_feed", 30), ("tag:landscape", 12), ("tag:portrait", 8))
# (message type, outcome credited or None for a stranger's, share)
MIX = (
    ("feedback.reply", "reply", 15),
    ("feedback.watch", "watch_back", 4),
    ("feedback.favourite", "fave_back", 4.5),
    ("feedback.collect", "fave_back", 1.5),
    ("feedback.comment", "comment_back", 3),
    ("feedback.watch", None, 15),
    ("feedback.favourite", None, 40),
    ("feedback.collect", None, 5),
    ("feedback.comment", None, 7),
    ("feedback.badge_given", None, 3),
    ("feedback.sticker", None, 2),
)
COUNTER = {
    "reply": "replies",
    "watch_back": "watch_backs",
    "fave_back": "fave_backs",
    "comment_back": "comment_backs",
}
KIND = {
    "feedback.reply": "reply",
    "feedback.watch": "watch",
    "feedback.favourite": "favourite",
    "feedback.collect": "collect",
    "feedback.comment": "comment",
}
BATCH = 20_000


@dataclass(frozen=True, slots=True)
class Comment:
    log_id: int
    deviationid: str
    commentid: str
    author: str
    template: int
    source: str
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class Message:
    inbox_id: int
    messageid: str
    type: str
    ts: datetime
    originator: str
    credit: str | None  # the outcome, when credited
    comment: Comment | None  # ours it answers or follows
    own_commentid: str | None  # the reply's or the comment back's own id
    deviationid: str | None
    status: str


@dataclass(frozen=True, slots=True)
class Dataset:
    comments: list[Comment]
    messages: list[Message]


def _id(rng: random.Random) -> str:
    """A random id in DeviantArt's UUID form (uppercase hex)."""
    h = f"{rng.getrandbits(128):032X}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}"


def generate(n_comments: int, n_messages: int, *, seed: int = 20) -> Dataset:
    """`n_comments` sent comments and `n_messages` messages over the year before END."""
    rng = random.Random(seed)
    authors = max(50, n_comments // 8)
    step = YEAR / max(1, n_comments)
    start = END - YEAR
    weights = [w for _, w in TEMPLATES]
    source_weights = [w for _, w in SOURCES]
    templates = rng.choices(range(1, len(TEMPLATES) + 1), weights, k=n_comments)
    sources = rng.choices([s for s, _ in SOURCES], source_weights, k=n_comments)
    comments = [
        Comment(
            log_id=i + 1,
            deviationid=_id(rng),
            commentid=_id(rng),
            author=f"deviant{rng.randrange(authors)}",
            template=templates[i],
            source=sources[i],
            sent_at=start + step * i + timedelta(microseconds=rng.randrange(1_000_000)),
        )
        for i in range(n_comments)
    ]
    kinds = rng.choices(MIX, [share for _, _, share in MIX], k=n_messages)
    drafts = []
    for message_type, credit, _ in kinds:
        comment = None
        if credit is not None and comments:
            comment = comments[rng.randrange(len(comments))]
            delay = timedelta(seconds=rng.uniform(120, 3 * 86_400))
            ts = comment.sent_at + delay
            originator = comment.author
        else:
            credit = None
            ts = start + timedelta(seconds=rng.uniform(0, YEAR.total_seconds()))
            originator = f"stranger{rng.randrange(max(100, n_messages // 4))}"
        own = _id(rng) if message_type in ("feedback.reply", "feedback.comment") else None
        deviationid = comment.deviationid if credit == "reply" and comment else None
        if message_type in ("feedback.favourite", "feedback.collect", "feedback.comment"):
            art = rng.randrange(40)
            deviationid = f"{art:08X}-0000-4000-8000-{art:012X}"
        # DeviantArt's `ts` has whole seconds.
        drafts.append((ts.replace(microsecond=0), message_type, credit, comment, originator, own,
                       deviationid))  # fmt: skip
    drafts.sort(key=lambda d: d[0])
    out = []
    for n, (ts, message_type, credit, comment, originator, own, deviationid) in enumerate(drafts):
        out.append(
            Message(
                inbox_id=n + 1,
                messageid=_id(rng),
                type=message_type,
                ts=ts,
                originator=originator,
                credit=credit,
                comment=comment,
                own_commentid=own,
                deviationid=deviationid,
                status=_status(rng, ts, message_type == "feedback.reply"),
            )
        )
    return Dataset(comments, out)


def _status(rng: random.Random, ts: datetime, reply: bool) -> str:
    if ts >= END - FRESH:
        return "unread"
    roll = rng.random()
    if reply:
        return "unread" if roll < 0.05 else "answered" if roll < 0.25 else "read"
    return "unread" if roll < 0.5 else "read"


# -- writing ---------------------------------------------------------------------------


def fill(url: str, data: Dataset, *, with_messages: bool = True) -> None:
    """Write the templates, the comments and (unless told not to) the messages with their
    credits, answers and daily counts, as the product's writes would have left them."""
    engine = create_engine_for(url)
    try:
        _hold_autovacuum(engine)
        with engine.begin() as conn:
            conn.execute(messages.insert(), _templates())
        _insert(engine, logs, (_log_row(c) for c in data.comments))
        counts: dict[tuple[str, int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for c in data.comments:
            counts[(c.sent_at.date().isoformat(), c.template, c.source)]["comments"] += 1
        if with_messages:
            _insert(engine, inbox_messages, (_message_row(m) for m in data.messages))
            credited = [m for m in data.messages if m.credit is not None and m.comment]
            _insert(engine, outcome_credits, (_credit_row(m) for m in credited))
            for m in credited:
                assert m.comment is not None
                assert m.credit is not None
                key = (m.comment.sent_at.date().isoformat(), m.comment.template, m.comment.source)
                counts[key][COUNTER[m.credit]] += 1
            answered = (m for m in data.messages if m.status == "answered")
            _insert(engine, inbox_answers, (_answer_row(m) for m in answered))
        _insert(
            engine,
            outcome_counts,
            ({"day": day, "template_key": template, "source": source,
              **{name: values.get(name, 0) for name in ("comments", *COUNTER.values())}}
             for (day, template, source), values in counts.items()),
        )  # fmt: skip
        _after_fill(engine)
    finally:
        engine.dispose()


def _insert(engine: Engine, table: Table, rows: Iterator[dict[str, Any]]) -> None:
    """Plain INSERTs through the driver's executemany, in big batches, one transaction.

    Below SQLAlchemy (whose per-value processing would triple the time of a million
    rows): SQLite gets times as the naive UTC text the product's column type writes.
    """
    sqlite = engine.dialect.name == "sqlite"
    columns = [c.name for c in table.columns]
    marks = ", ".join(["?" if sqlite else "%s"] * len(columns))
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")  # the engine turns pysqlite's own BEGIN off
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            values = tuple(row.get(c) for c in columns)
            if sqlite:
                values = tuple(_sqlite_time(v) for v in values)
            batch.append(values)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
        raw.commit()
    finally:
        raw.close()


def _sqlite_time(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


SETTLE_TRIES = 100  # a tenth of a second apart
FILLED_TABLES = (messages, logs, inbox_messages, outcome_credits, inbox_answers, outcome_counts)


def _hold_autovacuum(engine: Engine) -> None:
    """No autovacuum on these PostgreSQL tables: `_after_fill` vacuums once, when all is written.

    An autovacuum that runs during the VACUUM after a fill - of this database, started
    mid-fill, or of the one filled before - holds a snapshot, and the VACUUM cannot mark
    the pages written since all-visible: in one of two fills of a million it left 17,102
    of 34,985 inbox pages so, and every read of the newest rows (the inbox's first page,
    the unread count) went to the heap: 2-3.8x slower than at 10,000, one run out of
    two. A user's database is vacuumed as it grows (the inbox every 1,000 messages,
    migration 0010); these are throwaway copies of one moment (every database a
    benchmark fills is filled this way, and dropped after it).
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in FILLED_TABLES:
            conn.exec_driver_sql(f"ALTER TABLE {table.name} SET (autovacuum_enabled = false)")


def _after_fill(engine: Engine) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; then a VACUUM ANALYZE, as
    autovacuum would leave the tables. SQLite gets no ANALYZE: the product never runs one."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table, column in (
            ("deviation_comment_logs", "log_id"),
            ("inbox_messages", "inbox_id"),
            ("deviation_comment_messages", "message_id"),
        ):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "  # noqa: S608
                    f"COALESCE((SELECT max({column}) FROM {table}), 0) + 1, false)"
                )
            )
        conn.exec_driver_sql("VACUUM ANALYZE")
        # Right after a fill of a million, another transaction on the server (not ours; the
        # next VACUUM, seconds later, marks every page) can still hold the horizon back:
        # vacuum again until the filled tables are all-visible, for a while.
        for _ in range(SETTLE_TRIES):
            behind = conn.execute(
                text(
                    "SELECT count(*) FROM pg_class WHERE relname = ANY(:names) "
                    "AND relallvisible < relpages"
                ),
                {"names": [t.name for t in FILLED_TABLES]},
            ).scalar_one()
            if not behind:
                break
            time.sleep(0.1)
            conn.exec_driver_sql("VACUUM")


def all_visible(url: str) -> str:
    """PostgreSQL: how many of the inbox's pages VACUUM marked all-visible ("" elsewhere)."""
    engine = create_engine_for(url)
    try:
        if engine.dialect.name != "postgresql":
            return ""
        with engine.connect() as conn:
            pages, visible = conn.execute(
                text("SELECT relpages, relallvisible FROM pg_class WHERE relname = :t"),
                {"t": inbox_messages.name},
            ).one()
        return f"; {visible:,} of {pages:,} inbox pages all-visible"
    finally:
        engine.dispose()


def _templates() -> list[dict[str, Any]]:
    return [
        {
            "message_id": n,
            "title": title,
            "body": f"{title}: {{Lovely|Beautiful}} work!",
            "is_active": True,
            "created_at": END - YEAR,
            "updated_at": END - YEAR,
        }
        for n, (title, _) in enumerate(TEMPLATES, start=1)
    ]


def _log_row(c: Comment) -> dict[str, Any]:
    return {
        "log_id": c.log_id,
        "deviationid": c.deviationid,
        "message_id": c.template,
        "commentid": c.commentid,
        "status": "sent",
        "body": f"Lovely colours and light in this piece, {c.author}! How long did it take?",
        "error_message": None,
        "sent_at": c.sent_at,
        "source": c.source,
        "author": c.author,
    }


def _message_row(m: Message) -> dict[str, Any]:
    kind = KIND.get(m.type, "other")
    reply = m.type == "feedback.reply"
    ours = m.comment.commentid if reply and m.comment else None
    return {
        "inbox_id": m.inbox_id,
        "messageid": m.messageid,
        "type": m.type,
        "kind": kind,
        "view": "replies" if reply else "other",
        "status": m.status,
        "received_at": m.ts,
        "stackid": None,
        "originator_userid": f"U-{m.originator.upper()}",
        "originator_username": m.originator,
        "deviationid": m.deviationid,
        "deviation_title": "Evening over the lake" if m.deviationid else None,
        "deviation_url": f"https://www.deviantart.com/x/art/{m.inbox_id}"
        if m.deviationid
        else None,
        "commentid": m.own_commentid,
        "parentid": ours,
        "subject_commentid": ours,
        "body": "Thank you so much! It took me two weeks." if m.own_commentid else None,
        "raw": '{"type": "' + m.type + '"}' if kind == "other" else None,
        "our_commentid": ours,
        "stored_at": m.ts + timedelta(minutes=7),
    }


def _credit_row(m: Message) -> dict[str, Any]:
    c = m.comment
    assert c is not None
    return {
        "messageid": m.messageid,
        "kind": m.credit,
        "log_id": c.log_id,
        "commentid": c.commentid,
        "message_id": c.template,
        "source": c.source,
        "comment_sent_at": c.sent_at,
        "credited_at": m.ts + timedelta(minutes=7),
    }


def _answer_row(m: Message) -> dict[str, Any]:
    return {
        "inbox_id": m.inbox_id,
        "state": "sent",
        "body": "Thank you for the kind words!",
        "commentid": _id(random.Random(m.inbox_id)),
        "error": None,
        "claimed_at": m.ts + timedelta(hours=2),
        "updated_at": m.ts + timedelta(hours=2),
    }


# -- DeviantArt's JSON -------------------------------------------------------------------


def feed_pages(data: Dataset, page_size: int) -> list[dict[str, Any]]:
    """The messages as `messages/feed?stack=false` pages, newest first (cursor = page no.)."""
    newest_first = list(reversed(data.messages))
    pages: list[dict[str, Any]] = []
    for start in range(0, len(newest_first), page_size):
        chunk = newest_first[start : start + page_size]
        more = start + page_size < len(newest_first)
        pages.append(
            {
                "cursor": str(len(pages) + 1) if more else None,
                "has_more": more,
                "results": [message_json(m) for m in chunk],
            }
        )
    return pages


def _user(name: str) -> dict[str, Any]:
    return {
        "userid": f"U-{name.upper()}",
        "username": name,
        "usericon": "https://a.deviantart.net/avatars/default.gif",
        "type": "regular",
    }


def message_json(m: Message) -> dict[str, Any]:
    """One message as DeviantArt's message center writes it."""
    body: dict[str, Any] = {
        "messageid": m.messageid,
        "type": m.type,
        "orphaned": False,
        "ts": m.ts.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "stackid": None,
        "stack_count": None,
        "is_new": True,
        "originator": _user(m.originator),
    }
    deviation = None
    if m.deviationid:
        deviation = {
            "deviationid": m.deviationid,
            "title": "Evening over the lake",
            "url": "https://www.deviantart.com/someone/art/evening-over-the-lake-1",
            "author": _user("theartist"),
        }
    if m.type == "feedback.reply" and m.comment is not None:
        ours = {"commentid": m.comment.commentid, "parentid": None, "body": "Lovely colours!"}
        body["subject"] = {"deviation": deviation, "comment": ours}
        body["comment"] = {
            "commentid": m.own_commentid,
            "parentid": m.comment.commentid,
            "posted": body["ts"],
            "body": "Thank you so much! It took me two weeks.",
            "user": _user(m.originator),
        }
    elif m.type in ("feedback.favourite", "feedback.collect", "feedback.comment"):
        body["subject"] = {"deviation": deviation}
        if m.type == "feedback.comment":
            body["comment"] = {
                "commentid": m.own_commentid,
                "parentid": None,
                "posted": body["ts"],
                "body": "Wonderful gallery!",
                "user": _user(m.originator),
            }
    elif m.type == "feedback.watch":
        body["subject"] = {"profile": _user("theartist")}
    else:
        body["subject"] = []
        body["sticker"] = {"name": "sparkle", "count": 1}
    return body
