"""Who we are on DeviantArt: the connected account's id and name."""

from __future__ import annotations

from photomanager.domain.errors import DeviantArtError, NotConnected
from photomanager.services.filters import Me
from photomanager.services.ports import DeviantArtApi, UnitOfWorkFactory


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
