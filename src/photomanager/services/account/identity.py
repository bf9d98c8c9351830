"""Who we are on DeviantArt: the connected account's id and name."""

from __future__ import annotations

from dataclasses import dataclass

from photomanager.domain.errors import DeviantArtError, NotConnected
from photomanager.services.ports import DeviantArtApi, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Me:
    """The connected account, to recognise our own deviations and comments."""

    userid: str | None
    username: str | None

    def is_author(self, userid: str | None, username: str | None) -> bool:
        """True when the given author is this account."""
        if self.userid and userid and self.userid.lower() == userid.lower():
            return True
        return bool(self.username and username and self.username.lower() == username.lower())


def lookup_me(uow_factory: UnitOfWorkFactory, api: DeviantArtApi, *, required: bool) -> Me:
    """The connected account, from the stored token or else `whoami`.

    With `required`, a missing account raises NotConnected; otherwise an unknown
    account is returned (a client-credentials collector can still run).
    """
    with uow_factory(read_only=True) as uow:
        token = uow.tokens.get()
    if token is not None and token.userid and token.username:
        return Me(userid=token.userid, username=token.username)
    try:
        user = api.whoami()
    except (DeviantArtError, NotConnected):
        if required:
            raise
        return Me(userid=None, username=None)
    return Me(userid=user.userid, username=user.username)
