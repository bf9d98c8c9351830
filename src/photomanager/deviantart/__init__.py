"""The DeviantArt adapter: the single HTTP requester, OAuth 2.1 + PKCE, typed endpoints.

Only this package (and the sandbox) speaks HTTP; every request goes through
`DeviantArtHttpClient`.
"""

from __future__ import annotations

from photomanager.deviantart.api import DeviantArtApiClient
from photomanager.deviantart.client import DEFAULT_BASE_URL, DeviantArtHttpClient, TokenProvider
from photomanager.deviantart.oauth import DeviantArtOAuth
from photomanager.deviantart.retry import RetryPolicy, Timeouts
from photomanager.deviantart.retry_after import parse_retry_after

__all__ = [
    "DEFAULT_BASE_URL",
    "DeviantArtApiClient",
    "DeviantArtHttpClient",
    "DeviantArtOAuth",
    "RetryPolicy",
    "Timeouts",
    "TokenProvider",
    "parse_retry_after",
]
