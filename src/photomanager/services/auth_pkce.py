"""PKCE (RFC 7636, S256 only) and the random values of the login flow."""

from __future__ import annotations

import base64
import hashlib
import secrets

# 64 random bytes -> 86 base64url characters: inside RFC 7636's 43..128 window.
_VERIFIER_BYTES = 64
_STATE_BYTES = 32


def new_code_verifier() -> str:
    """A fresh high-entropy code verifier (86 unreserved characters)."""
    return secrets.token_urlsafe(_VERIFIER_BYTES)


def code_challenge_s256(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding, as S256 requires."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_opaque_value() -> str:
    """A random, URL-safe value for `state` and the browser-binding nonce."""
    return secrets.token_urlsafe(_STATE_BYTES)
