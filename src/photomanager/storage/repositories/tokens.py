"""The connected account's OAuth tokens (`oauth_tokens`, one row)."""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, delete, select, update
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
        values = _values(token)
        stmt = dialect_insert(self._conn, oauth_tokens).values(id=SINGLE_ROW_ID, **values)
        try:
            self._conn.execute(
                stmt.on_conflict_do_update(index_elements=[oauth_tokens.c.id], set_=values)
            )
        except DBAPIError as exc:
            raise _storage_error(exc) from None

    def save_rotated(self, token: OAuthToken, *, previous_refresh_token: str) -> bool:
        """Store a refreshed `token` only if the row still holds `previous_refresh_token`.

        The compare-and-set that lets a refresh run outside any transaction: a
        login or logout that happened meanwhile wins, and False says so.
        """
        stmt = (
            update(oauth_tokens)
            .where(
                oauth_tokens.c.id == SINGLE_ROW_ID,
                oauth_tokens.c.refresh_token == previous_refresh_token,
            )
            .values(**_values(token))
        )
        try:
            result = self._conn.execute(stmt)
        except DBAPIError as exc:
            raise _storage_error(exc) from None
        return result.rowcount == 1

    def delete(self) -> None:
        self._conn.execute(delete(oauth_tokens))


def _values(token: OAuthToken) -> dict[str, object]:
    return {
        "access_token": token.access_token,
        "refresh_token": token.refresh_token,
        "expires_at": token.expires_at,
        "scope": token.scope,
        "userid": token.userid,
        "username": token.username,
    }


def _storage_error(exc: DBAPIError) -> TokenStorageError:
    kind = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
    return TokenStorageError(f"could not save the OAuth token ({kind})")


def _to_token(row: RowMapping) -> OAuthToken:
    return OAuthToken(
        access_token=row["access_token"],
        refresh_token=row["refresh_token"],
        expires_at=row["expires_at"],
        scope=row["scope"],
        userid=row["userid"],
        username=row["username"],
    )
