"""PKCE (RFC 7636, S256 only) and the random values of the OAuth login flow.

Pure and stdlib-only, so both the auth service and the DeviantArt client use it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

# RFC 7636 section 4.1: 43 to 128 characters of ALPHA / DIGIT / "-" / "." / "_" / "~".
VERIFIER_MIN_LENGTH = 43
VERIFIER_MAX_LENGTH = 128
_UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]+")
_UNRESERVED_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
_STATE_BYTES = 32


def make_code_verifier(length: int = 86) -> str:
    """A fresh PKCE code verifier: `length` unreserved characters from `secrets`."""
    if not VERIFIER_MIN_LENGTH <= length <= VERIFIER_MAX_LENGTH:
        raise ValueError("a PKCE verifier has 43 to 128 characters")
    return "".join(secrets.choice(_UNRESERVED_ALPHABET) for _ in range(length))


def code_challenge_s256(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636 section 4.2)."""
    if not _UNRESERVED.fullmatch(verifier) or not (
        VERIFIER_MIN_LENGTH <= len(verifier) <= VERIFIER_MAX_LENGTH
    ):
        raise ValueError("not a valid PKCE code verifier")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_opaque_value() -> str:
    """A random, URL-safe value for `state` and the browser-binding nonce."""
    return secrets.token_urlsafe(_STATE_BYTES)
