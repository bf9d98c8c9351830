"""The fake site's knobs.

Apart from `core.py` so the request pipeline can read them without importing
the `Sandbox` facade that owns it; `core` re-exports `SandboxConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Knobs of the fake site. Defaults follow docs/deviantart.md."""

    client_id: str = "sandbox-client"
    # A well-known demo secret: the fake site guards nothing real.
    client_secret: str | None = field(default="sandbox-secret", repr=False)
    redirect_uris: tuple[str, ...] = ("http://127.0.0.1:8000/auth/callback",)
    access_token_ttl_s: int = 3600
    refresh_token_ttl_s: int = 90 * 86_400
    watch_limit_cap: int = 50
    home_limit_cap: int = 50
    tags_limit_cap: int = 50
    metadata_ids_cap: int = 50
    comments_limit_cap: int = 50
    default_limit: int = 10
    max_comment_length: int = 5000
    # New deviations per hour of sandbox-clock time (0: only `publish()` adds).
    arrivals_per_hour: float = 0.0
    post_status: int = 200
    comments_newest_first: bool = True
    # `messages/feed` takes no limit: its page size is DeviantArt's (unpublished) choice.
    messages_page_size: int = 10
    # `messages/feedback` limits: unconfirmed (clients cap at 5 or 50).
    feedback_limit_cap: int = 50
