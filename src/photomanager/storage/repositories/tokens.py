"""The connected account's OAuth tokens (`oauth_tokens`, one row)."""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, delete, select
from sqlalchemy.exc import DBAPIError

from photomanager.domain.models import OAuthToken
from photomanager.storage.sql_helpers import dialect_insert
from photomanager.storage.tables import SINGLE_ROW_ID, oauth_tokens


class TokenStorageError(RuntimeError):
    """The token row could not be written. Says nothing about the token itself."""


_ROW = select(oauth_tokens).where(oauth_tokens.c.id == SINGLE_ROW_ID)


class TokenRepository:
    """Tokens of the one connected account. Values never reach logs or errors."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self) -> OAuthToken | None:
        row = self._conn.execute(_ROW).mappings().one_or_none()
        return None if row is None else _to_token(row)

    def lock_for_refresh(self) -> OAuthToken | None:
        """Read the token row under a lock held until the unit of work ends.

        PostgreSQL: `SELECT ... FOR UPDATE`. SQLite: the transaction already
        began with `BEGIN IMMEDIATE`, which holds the database's write lock.
        """
        row = self._conn.execute(_ROW.with_for_update()).mappings().one_or_none()
        return None if row is None else _to_token(row)

    def save(self, token: OAuthToken) -> None:
        """Store the account's tokens, replacing any previous ones.

        A database error is re-raised without its cause: PostgreSQL quotes the
        failing row (with the tokens) in its message.
        """
        values = {
            "access_token": token.access_token,
            "refresh_token": token.refresh_token,
            "expires_at": token.expires_at,
            "scope": token.scope,
            "userid": token.userid,
            "username": token.username,
        }
        stmt = dialect_insert(self._conn, oauth_tokens).values(id=SINGLE_ROW_ID, **values)
        try:
            self._conn.execute(
                stmt.on_conflict_do_update(index_elements=[oauth_tokens.c.id], set_=values)
            )
        except DBAPIError as exc:
            kind = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
            raise TokenStorageError(f"could not save the OAuth token ({kind})") from None

    def delete(self) -> None:
        self._conn.execute(delete(oauth_tokens))


def _to_token(row: RowMapping) -> OAuthToken:
    return OAuthToken(
        access_token=row["access_token"],
        refresh_token=row["refresh_token"],
        expires_at=row["expires_at"],
        scope=row["scope"],
        userid=row["userid"],
        username=row["username"],
    )
