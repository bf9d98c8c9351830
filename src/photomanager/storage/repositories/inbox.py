"""The inbox (`inbox_messages`), its credits, the artist's answers and the poll's row."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, RowMapping, func, or_, select, tuple_, union_all, update

from photomanager.domain.inbox import (
    AnswerState,
    Credit,
    InboxAnswer,
    InboxItem,
    InboxMessage,
    InboxPollState,
    InboxStatus,
    InboxView,
    MessageKind,
    OutcomeKind,
    SentComment,
)
from photomanager.domain.models import LogStatus
from photomanager.storage.repositories.outcome_counts import bump_many
from photomanager.storage.sql_helpers import (
    IN_CHUNK,
    chunked,
    decode_cursor,
    dialect_insert,
    encode_cursor,
    is_postgresql,
    timestamp_processor,
)
from photomanager.storage.tables import (
    SINGLE_ROW_ID,
    inbox_answers,
    inbox_messages,
    inbox_poll,
    logs,
    outcome_credits,
)

_T = TypeVar("_T")

_COUNTER = {
    OutcomeKind.REPLY: "replies",
    OutcomeKind.WATCH_BACK: "watch_backs",
    OutcomeKind.FAVE_BACK: "fave_backs",
    OutcomeKind.COMMENT_BACK: "comment_backs",
}
_POLL_FIELDS = (
    "newest_messageid",
    "cursor",
    "requested_at",
    "started_at",
    "finished_at",
    "found",
    "new",
    "credited",
    "empty_polls",
    "error",
    "needs_scope",
)


_LOOKUPS_PER_QUERY = 4  # IN lists of IN_CHUNK: well under either database's parameter limit
_MESSAGE_COLUMNS = (
    "messageid",
    "type",
    "kind",
    "view",
    "received_at",
    "stackid",
    "originator_userid",
    "originator_username",
    "deviationid",
    "deviation_title",
    "deviation_url",
    "commentid",
    "parentid",
    "subject_commentid",
    "body",
    "raw",
    "our_commentid",
)
# PostgreSQL: a page's messages in one statement of fixed text (arrays unnested
# server-side), which the driver prepares once; a statement of N rows of VALUES would
# be a new text, parsed and planned, for every page length. Only constants are
# interpolated, never data.
_MESSAGE_ARRAYS = ", ".join(
    "%s::timestamptz[]" if name == "received_at" else "%s::text[]" for name in _MESSAGE_COLUMNS
)
_POSTGRESQL_ADD_MESSAGES = (
    f"INSERT INTO {inbox_messages.name} ({', '.join(_MESSAGE_COLUMNS)}, status, stored_at) "  # noqa: S608
    f"SELECT {', '.join(f'b.{name}' for name in _MESSAGE_COLUMNS)}, "
    f"'{InboxStatus.UNREAD.value}', %s "
    f"FROM unnest({_MESSAGE_ARRAYS}) "
    f"WITH ORDINALITY AS b({', '.join(_MESSAGE_COLUMNS)}, position) "
    "ORDER BY b.position "
    "ON CONFLICT (messageid) DO NOTHING"
)


class InboxRepository:
    """Messages once each by `messageid`; credits once each; answers claimed before a POST."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- ingest -------------------------------------------------------------------

    def add_messages(
        self,
        messages: Sequence[InboxMessage],
        now: datetime,
        *,
        our_commentids: Mapping[str, str] | None = None,
    ) -> int:
        """Store the messages not known yet, in one statement; how many were stored now.

        A messageid known already, or given twice, is stored once (the first given).
        `our_commentids` names our comment under a reply, by messageid.
        """
        ours = our_commentids or {}
        rows = [
            {
                "messageid": m.messageid,
                "type": m.type,
                "kind": m.kind.value,
                "view": m.view.value,
                "received_at": m.ts or now,
                "stackid": m.stackid,
                "originator_userid": m.originator_userid,
                "originator_username": m.originator_username,
                "deviationid": m.deviationid,
                "deviation_title": m.deviation_title,
                "deviation_url": m.deviation_url,
                "commentid": m.commentid,
                "parentid": m.parentid,
                "subject_commentid": m.subject_commentid,
                "body": m.body,
                "raw": m.raw,
                "our_commentid": ours.get(m.messageid),
            }
            for m in _first_each(messages, lambda m: m.messageid)
        ]
        if not rows:
            return 0
        if is_postgresql(self._conn):
            to_db = timestamp_processor(self._conn.dialect)
            columns = [
                [to_db(r[name]) if name == "received_at" else r[name] for r in rows]
                for name in _MESSAGE_COLUMNS
            ]
            return int(
                self._conn.exec_driver_sql(
                    _POSTGRESQL_ADD_MESSAGES, (to_db(now), *columns)
                ).rowcount
            )
        # SQLite: one prepared INSERT run per row by the driver (executemany), which sums
        # the rows really inserted.
        stmt = dialect_insert(self._conn, inbox_messages).on_conflict_do_nothing(
            index_elements=[inbox_messages.c.messageid]
        )
        unread = InboxStatus.UNREAD.value
        return int(
            self._conn.execute(
                stmt, [{**r, "status": unread, "stored_at": now} for r in rows]
            ).rowcount
        )

    def known_messageids(self, messageids: Collection[str]) -> set[str]:
        """Which of `messageids` are stored already."""
        known: set[str] = set()
        for chunk in chunked(list(messageids), IN_CHUNK):
            stmt = select(inbox_messages.c.messageid).where(inbox_messages.c.messageid.in_(chunk))
            known.update(self._conn.execute(stmt).scalars())
        return known

    def sent_comments(
        self,
        *,
        commentids: Collection[str],
        authors: Collection[str],
        since: datetime,
        until: datetime,
    ) -> list[SentComment]:
        """Our sent comments with one of `commentids`, or under the work of one of `authors`
        sent from `since` to `until`: the candidates of attribution."""
        found: dict[int, SentComment] = {}
        columns = (
            logs.c.log_id,
            logs.c.status,
            logs.c.commentid,
            logs.c.author,
            logs.c.sent_at,
            logs.c.message_id,
            logs.c.source,
        )
        # `sent` is checked here, not in SQL: SQLite (never ANALYZEd) would take the
        # (status, sent_at) index for it and read every sent comment for each page.
        lookups = [
            select(*columns).where(logs.c.commentid.in_(chunk))
            for chunk in chunked(sorted(commentids), IN_CHUNK)
        ]
        lookups.extend(
            select(*columns).where(
                logs.c.author.in_(chunk), logs.c.sent_at >= since, logs.c.sent_at <= until
            )
            for chunk in chunked(sorted(authors), IN_CHUNK)
        )
        # Both lookups in one round trip (a page has a few of each); each part keeps its index.
        for group in chunked(lookups, _LOOKUPS_PER_QUERY):
            stmt = group[0] if len(group) == 1 else union_all(*group)
            found.update(
                (row.log_id, _sent(row._mapping))
                for row in self._conn.execute(stmt)
                if row.status == LogStatus.SENT.value
            )
        return sorted(found.values(), key=lambda c: (c.sent_at, c.log_id))

    def credited_comments(self, log_ids: Collection[int], kind: OutcomeKind) -> set[int]:
        """Which of `log_ids` already earned an outcome of `kind`."""
        found: set[int] = set()
        for chunk in chunked(sorted(set(log_ids)), IN_CHUNK):
            stmt = select(outcome_credits.c.log_id).where(
                outcome_credits.c.log_id.in_(chunk), outcome_credits.c.kind == kind.value
            )
            found.update(self._conn.execute(stmt).scalars())
        return found

    def add_credits(self, credits: Sequence[Credit], now: datetime) -> list[Credit]:
        """Record the credits and count them (the counters summed per bucket); those recorded.

        A message credited already, or given twice, is credited and counted once.
        """
        unique = _first_each(credits, lambda c: c.messageid)
        if not unique:
            return []
        rows = [
            {
                "messageid": c.messageid,
                "kind": c.kind.value,
                "log_id": c.comment.log_id,
                "commentid": c.comment.commentid,
                "message_id": c.comment.message_id,
                "source": c.comment.source,
                "comment_sent_at": c.comment.sent_at,
                "credited_at": now,
            }
            for c in unique
        ]
        stmt = (
            dialect_insert(self._conn, outcome_credits)
            .on_conflict_do_nothing(index_elements=[outcome_credits.c.messageid])
            .returning(outcome_credits.c.messageid)
        )
        stored = set(self._conn.execute(stmt, rows).scalars())
        recorded = [c for c in unique if c.messageid in stored]
        bump_many(
            self._conn,
            (
                (c.comment.sent_at, c.comment.message_id, c.comment.source, _COUNTER[c.kind])
                for c in recorded
            ),
        )
        return recorded

    def count_credits(self) -> int:
        return int(
            self._conn.execute(select(func.count()).select_from(outcome_credits)).scalar_one()
        )

    def count_messages(self) -> int:
        return int(
            self._conn.execute(select(func.count()).select_from(inbox_messages)).scalar_one()
        )

    # -- the inbox ------------------------------------------------------------------

    def get_item(self, inbox_id: int) -> InboxItem | None:
        row = self._conn.execute(_item_query().where(inbox_messages.c.inbox_id == inbox_id))
        found = row.mappings().first()
        return _item(found) if found is not None else None

    def list_page(
        self,
        *,
        view: InboxView | None,
        status: InboxStatus | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[InboxItem], str | None]:
        """Newest first, keyset-paginated on (received_at, inbox_id)."""
        stmt = _item_query()
        if view is not None:
            stmt = stmt.where(inbox_messages.c.view == view.value)
        if status is not None:
            stmt = stmt.where(inbox_messages.c.status == status.value)
        if cursor is not None:
            at, inbox_id = decode_cursor(cursor, int)
            # A row value, not `a < x OR (a = x AND b < y)`: both databases use it as an
            # index bound, so a page deep down costs what the first one does.
            key = tuple_(inbox_messages.c.received_at, inbox_messages.c.inbox_id)
            stmt = stmt.where(key < (at, inbox_id))
        stmt = stmt.order_by(
            inbox_messages.c.received_at.desc(), inbox_messages.c.inbox_id.desc()
        ).limit(limit + 1)
        rows = self._conn.execute(stmt).mappings().all()
        items = [_item(row) for row in rows[:limit]]
        if len(rows) <= limit or not items:
            return items, None
        last = items[-1]
        return items, encode_cursor(last.received_at, last.id)

    def count_unread(self, view: InboxView, *, cap: int) -> int:
        """Unread items of `view`, counted up to `cap` (a badge says "999+", and the count
        stays as cheap at a million messages as at a thousand)."""
        unread = (
            select(inbox_messages.c.inbox_id)
            .where(
                inbox_messages.c.view == view.value,
                inbox_messages.c.status == InboxStatus.UNREAD.value,
            )
            .limit(cap)
            .subquery()
        )
        return int(self._conn.execute(select(func.count()).select_from(unread)).scalar_one())

    def set_status(
        self, inbox_id: int, status: InboxStatus, *, only_from: Sequence[InboxStatus] = ()
    ) -> bool:
        """Set the item's status (only from `only_from`, when given); False if nothing changed."""
        stmt = update(inbox_messages).where(inbox_messages.c.inbox_id == inbox_id)
        if only_from:
            stmt = stmt.where(inbox_messages.c.status.in_([s.value for s in only_from]))
        return bool(self._conn.execute(stmt.values(status=status.value)).rowcount)

    # -- answers --------------------------------------------------------------------

    def add_answer(self, inbox_id: int, body: str, now: datetime) -> bool:
        """Claim the item's one answer (`sending`); False when it has one already."""
        stmt = (
            dialect_insert(self._conn, inbox_answers)
            .values(
                inbox_id=inbox_id,
                state=AnswerState.SENDING.value,
                body=body,
                claimed_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=[inbox_answers.c.inbox_id])
            .returning(inbox_answers.c.inbox_id)
        )
        return self._conn.execute(stmt).scalar_one_or_none() is not None

    def lock_answer(self, inbox_id: int) -> InboxAnswer | None:
        """The answer, locked until the unit of work ends (PostgreSQL; SQLite locks on write)."""
        stmt = select(inbox_answers).where(inbox_answers.c.inbox_id == inbox_id)
        if self._conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = self._conn.execute(stmt).mappings().first()
        return _answer(row) if row is not None else None

    def update_answer(
        self,
        inbox_id: int,
        *,
        state: AnswerState,
        now: datetime,
        from_states: Sequence[AnswerState],
        commentid: str | None = None,
        error: str | None = None,
        body: str | None = None,
        reclaim: bool = False,
    ) -> bool:
        """Move the answer to `state` if it is in one of `from_states`."""
        values: dict[str, Any] = {
            "state": state.value,
            "updated_at": now,
            "commentid": commentid,
            "error": error,
        }
        if body is not None:
            values["body"] = body
        if reclaim:
            values["claimed_at"] = now
        stmt = (
            update(inbox_answers)
            .where(
                inbox_answers.c.inbox_id == inbox_id,
                inbox_answers.c.state.in_([s.value for s in from_states]),
            )
            .values(**values)
        )
        return bool(self._conn.execute(stmt).rowcount)

    # -- the poll -------------------------------------------------------------------

    def get_poll(self) -> InboxPollState:
        row = self._conn.execute(select(inbox_poll)).mappings().first()
        if row is None:
            return InboxPollState()
        return InboxPollState(
            newest_messageid=row["newest_messageid"],
            cursor=row["cursor"],
            lease_owner=row["lease_owner"],
            lease_until=row["lease_until"],
            requested_at=row["requested_at"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            found=row["found"],
            new=row["new"],
            credited=row["credited"],
            empty_polls=row["empty_polls"],
            error=row["error"],
            needs_scope=bool(row["needs_scope"]),
        )

    def take_lease(self, owner: str, until: datetime, now: datetime) -> bool:
        """Take the poll's lease unless another owner holds a live one."""
        stmt = (
            update(inbox_poll)
            .where(
                inbox_poll.c.id == SINGLE_ROW_ID,
                or_(
                    inbox_poll.c.lease_owner.is_(None),
                    inbox_poll.c.lease_owner == owner,
                    inbox_poll.c.lease_until.is_(None),
                    inbox_poll.c.lease_until <= now,
                ),
            )
            .values(lease_owner=owner, lease_until=until)
        )
        return bool(self._update_row(stmt))

    def release_lease(self, owner: str) -> None:
        stmt = (
            update(inbox_poll)
            .where(inbox_poll.c.id == SINGLE_ROW_ID, inbox_poll.c.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )
        self._conn.execute(stmt)

    def save_poll(self, state: InboxPollState) -> None:
        """Write every field but the lease."""
        values = {name: getattr(state, name) for name in _POLL_FIELDS}
        self._update_row(update(inbox_poll).where(inbox_poll.c.id == SINGLE_ROW_ID).values(values))

    def save_progress(self, cursor: str | None, *, newest_messageid: str | None = None) -> None:
        """Write where the poll resumes, and the newest message read when given."""
        values: dict[str, str | None] = {"cursor": cursor}
        if newest_messageid is not None:
            values["newest_messageid"] = newest_messageid
        self._update_row(update(inbox_poll).where(inbox_poll.c.id == SINGLE_ROW_ID).values(values))

    def _update_row(self, stmt: Any) -> int:
        """Run an UPDATE of the poll's row, creating the row first if it changed nothing
        (the row exists after the first poll: one statement a page, not two)."""
        changed = int(self._conn.execute(stmt).rowcount)
        if changed:
            return changed
        self._conn.execute(
            dialect_insert(self._conn, inbox_poll)
            .values(id=SINGLE_ROW_ID)
            .on_conflict_do_nothing(index_elements=[inbox_poll.c.id])
        )
        return int(self._conn.execute(stmt).rowcount)


def _first_each(items: Iterable[_T], key: Callable[[_T], str]) -> list[_T]:
    """The first of `items` for each key, in the order given."""
    first: dict[str, _T] = {}
    for item in items:
        first.setdefault(key(item), item)
    return list(first.values())


def _item_query() -> Any:
    # By commentid alone: the (commentid) index; a status filter would let SQLite pick the
    # (status, sent_at) index and scan every comment for every item.
    our_body = (
        select(logs.c.body)
        .where(logs.c.commentid == inbox_messages.c.our_commentid)
        .order_by(logs.c.log_id)
        .limit(1)
        .scalar_subquery()
        .label("our_comment_body")
    )
    return select(
        inbox_messages,
        our_body,
        inbox_answers.c.state.label("answer_state"),
        inbox_answers.c.body.label("answer_body"),
        inbox_answers.c.commentid.label("answer_commentid"),
        inbox_answers.c.error.label("answer_error"),
        inbox_answers.c.claimed_at.label("answer_claimed_at"),
        inbox_answers.c.updated_at.label("answer_updated_at"),
    ).select_from(
        inbox_messages.outerjoin(
            inbox_answers, inbox_answers.c.inbox_id == inbox_messages.c.inbox_id
        )
    )


def _item(row: RowMapping) -> InboxItem:
    message = InboxMessage(
        messageid=row["messageid"],
        type=row["type"],
        kind=_kind(row["kind"]),
        ts=row["received_at"],
        stackid=row["stackid"],
        originator_userid=row["originator_userid"],
        originator_username=row["originator_username"],
        deviationid=row["deviationid"],
        deviation_title=row["deviation_title"],
        deviation_url=row["deviation_url"],
        commentid=row["commentid"],
        parentid=row["parentid"],
        subject_commentid=row["subject_commentid"],
        body=row["body"],
        raw=row["raw"],
    )
    answer = None
    if row["answer_state"] is not None:
        answer = InboxAnswer(
            inbox_id=row["inbox_id"],
            state=AnswerState(row["answer_state"]),
            body=row["answer_body"],
            commentid=row["answer_commentid"],
            error=row["answer_error"],
            claimed_at=row["answer_claimed_at"],
            updated_at=row["answer_updated_at"],
        )
    return InboxItem(
        id=row["inbox_id"],
        message=message,
        status=InboxStatus(row["status"]),
        received_at=row["received_at"],
        our_commentid=row["our_commentid"],
        our_comment_body=row["our_comment_body"],
        answer=answer,
    )


def _answer(row: RowMapping) -> InboxAnswer:
    return InboxAnswer(
        inbox_id=row["inbox_id"],
        state=AnswerState(row["state"]),
        body=row["body"],
        commentid=row["commentid"],
        error=row["error"],
        claimed_at=row["claimed_at"],
        updated_at=row["updated_at"],
    )


def _kind(stored: str) -> MessageKind:
    try:
        return MessageKind(stored)
    except ValueError:
        return MessageKind.OTHER


def _sent(row: Any) -> SentComment:
    return SentComment(
        log_id=row["log_id"],
        commentid=row["commentid"],
        author=row["author"],
        sent_at=row["sent_at"],
        message_id=row["message_id"],
        source=row["source"],
    )
