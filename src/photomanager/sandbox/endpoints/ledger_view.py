"""The ledger over HTTP, for tests in another process: `GET /sandbox/ledger`.

A test that runs photomanager as a real process (`serve --sandbox`) cannot
read the sandbox object inside it; this route shows it what the fake site
did: every comment posted through the API (`deviationid`, `commentid`,
`parentid`, `body`, `posted_at`) and every reaction of the deviants (who did
what, which of our comments earned it, the message it made). It lives under
the sandbox's own `/sandbox/` prefix, next to its image host: DeviantArt has
no such path, the product's API never serves it, and it answers apart from
the API's faults (no token, no rate limit, not recorded as a request). It
holds no token: the ledger never stores one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from photomanager.sandbox.endpoints.responses import SandboxResponse, error_response, json_response
from photomanager.sandbox.world.ledger import Ledger

LEDGER_PATH = "/sandbox/ledger"


def is_ledger_path(path: str) -> bool:
    """Whether `path` is this route (with or without a trailing slash)."""
    return path.rstrip("/") == LEDGER_PATH


def answer(method: str, ledger: Ledger) -> SandboxResponse:
    """The comments posted and the reactions so far, oldest first."""
    if method.upper() not in ("GET", "HEAD"):
        return error_response(405, "invalid_request", "Method not allowed.")
    comments = [
        {
            "deviationid": c.deviationid,
            "commentid": c.commentid,
            "parentid": c.parentid,
            "body": c.body,
            "posted_at": _iso(c.posted_at),
        }
        for c in ledger.all_comments()
    ]
    reactions: list[dict[str, Any]] = [
        {
            "at": r.at.isoformat(),
            "type": r.type,
            "originator": r.originator,
            "originator_userid": r.originator_userid,
            "trigger_commentid": r.trigger_commentid,
            "messageid": r.messageid,
            "deviationid": r.deviationid,
            "commentid": r.commentid,
        }
        for r in ledger.reactions()
    ]
    return json_response({"comments": comments, "reactions": reactions})


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()
