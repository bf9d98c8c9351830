"""Logging that cannot leak secrets.

Two layers of defence: code never logs tokens on purpose, and every record
still passes through `RedactingFilter`, which scrubs

- every value registered with `register_secret()` (the DeviantArt client
  registers each token, client secret, code and verifier it handles), and
- anything shaped like a credential: `Bearer <x>`, `access_token=<x>`,
  `"refresh_token": "<x>"`, `client_secret`, `code`, `code_verifier`.

`configure_logging()` installs the filter on the root handler(s) and on the
handlers of httpx/httpcore and uvicorn, whose records then reach the root
handlers scrubbed as well (a handler filter sees propagated records; a logger
filter would not). `AppServer` runs uvicorn with `log_config=None`, so its
loggers have no handlers and propagate to the root; should anything give them
handlers of their own (uvicorn's default config does, with propagation off),
those handlers are made redacting too.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict

REDACTED = "[REDACTED]"

# Short values would scrub ordinary words; real tokens are far longer.
_MIN_SECRET_LENGTH = 8
# Tokens rotate hourly; keep the newest few thousand, forget the oldest.
_MAX_SECRETS = 4096

_SECRET_KEYS = r"access_token|refresh_token|client_secret|code_verifier|code|token"  # noqa: S105
_KEY_VALUE = re.compile(
    # `key=value` (query strings, forms) or `"key": "value"` (JSON, dict reprs).
    # The lookbehind keeps `error_code=` and `claim_token=` untouched, and a bare
    # `code: 500` (no quotes) is left alone: it is how people write status codes.
    rf"(?<![A-Za-z0-9_])(?P<key>(?:(?:{_SECRET_KEYS})\s*=|([\"'])(?:{_SECRET_KEYS})\2\s*[=:])"
    r"\s*[\"']?)(?P<value>[^\s\"'&,;}\]]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*")

_lock = threading.Lock()
_secrets: OrderedDict[str, None] = OrderedDict()
# A compiled alternation of every registered secret, rebuilt on registration.
_secrets_pattern: re.Pattern[str] | None = None


def register_secret(value: str | None) -> None:
    """Remember `value` so that it is scrubbed from every log record from now on."""
    global _secrets_pattern
    if not value or len(value) < _MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _secrets:
            _secrets.move_to_end(value)
            return
        _secrets[value] = None
        while len(_secrets) > _MAX_SECRETS:
            _secrets.popitem(last=False)
        # Longest first, so a secret containing another is scrubbed whole.
        ordered = sorted(_secrets, key=len, reverse=True)
        _secrets_pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    """`text` with registered secrets and credential-shaped values replaced."""
    pattern = _secrets_pattern
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _KEY_VALUE.sub(lambda m: f"{m.group('key')}{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """Scrubs secrets from a record's message, arguments and traceback text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: still scrub what we have
            message = f"{record.msg} {record.args}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatter.format() reuses exc_text, so the scrubbed text is what is printed.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_NOISY_LOGGERS = ("httpx", "httpcore")
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


def install_filter(handler: logging.Handler) -> None:
    """Add the redacting filter to `handler` once."""
    if not any(isinstance(f, RedactingFilter) for f in handler.filters):
        handler.addFilter(RedactingFilter())


def configure_logging(level: int | str = logging.INFO) -> None:
    """Set up root logging with every handler (ours, httpx's, httpcore's) redacting."""
    root = logging.getLogger()
    if not root.handlers:
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    root.setLevel(level)
    for handler in root.handlers:
        install_filter(handler)
    numeric = logging.getLevelName(level) if isinstance(level, str) else level
    for name in _UVICORN_LOGGERS:
        for own in logging.getLogger(name).handlers:
            install_filter(own)
    for name in _NOISY_LOGGERS:
        logger = logging.getLogger(name)
        for own in logger.handlers:
            install_filter(own)
        # httpcore's DEBUG trace is noise even when we debug our own code.
        if name == "httpcore" and isinstance(numeric, int):
            logger.setLevel(max(numeric, logging.INFO))
