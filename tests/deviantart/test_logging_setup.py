"""`RedactingFilter` and `configure_logging`: secrets never reach a log line."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest

from photomanager.logging_setup import (
    REDACTED,
    RedactingFilter,
    configure_logging,
    redact,
    register_secret,
)


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, None)


class TestRedact:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Authorization: Bearer abc.DEF-123==", f"Authorization: Bearer {REDACTED}"),
            ("GET /x?access_token=abc&limit=5", f"GET /x?access_token={REDACTED}&limit=5"),
            (
                "refresh_token=r1 client_secret=s2",
                f"refresh_token={REDACTED} client_secret={REDACTED}",
            ),
            ("code=c0de&code_verifier=v3r", f"code={REDACTED}&code_verifier={REDACTED}"),
            (
                '{"access_token": "a1", "scope": "browse"}',
                f'{{"access_token": "{REDACTED}", "scope": "browse"}}',
            ),
            ("{'refresh_token': 'r1'}", f"{{'refresh_token': '{REDACTED}'}}"),
            ("error_code=42 code_challenge=abc", "error_code=42 code_challenge=abc"),
            ("status code: 500", "status code: 500"),
        ],
    )
    def test_credential_shapes_are_scrubbed(self, text: str, expected: str) -> None:
        """Credential-shaped values are replaced; look-alikes (error_code) are kept."""
        assert redact(text) == expected

    def test_registered_secret_is_scrubbed_anywhere(self) -> None:
        """A registered value is scrubbed wherever it appears, even in free text."""
        register_secret("s3cr3t-registered-value")
        assert redact("oops s3cr3t-registered-value leaked") == f"oops {REDACTED} leaked"

    def test_short_values_are_not_registered(self) -> None:
        """Tiny values are ignored so ordinary words survive."""
        register_secret("abc")
        assert redact("abc abcdef") == "abc abcdef"


class TestRedactingFilter:
    def test_scrubs_message_and_args(self) -> None:
        """The formatted message is scrubbed and the args dropped."""
        register_secret("token-in-args-0123456")
        record = _record("sent %s with %r", "Bearer xyz", {"t": "token-in-args-0123456"})
        assert RedactingFilter().filter(record) is True
        assert record.getMessage() == f"sent Bearer {REDACTED} with {{'t': '{REDACTED}'}}"
        assert not record.args

    def test_scrubs_exception_text(self) -> None:
        """A traceback quoting a secret is scrubbed too."""
        register_secret("token-in-traceback-987654")
        try:
            raise RuntimeError("failed with token-in-traceback-987654")
        except RuntimeError:
            record = logging.LogRecord(
                "t", logging.ERROR, __file__, 1, "boom", None, sys.exc_info()
            )
        RedactingFilter().filter(record)
        assert record.exc_text is not None
        assert "token-in-traceback-987654" not in record.exc_text
        assert "RuntimeError" in record.exc_text


@pytest.fixture
def isolated_root() -> Iterator[io.StringIO]:
    """Root and httpx loggers restored after the test; output captured in a stream."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    httpcore_level = logging.getLogger("httpcore").level
    stream = io.StringIO()
    root.handlers = [logging.StreamHandler(stream)]
    yield stream
    root.handlers, root.level = saved_handlers, saved_level
    logging.getLogger("httpcore").setLevel(httpcore_level)


class TestConfigureLogging:
    def test_root_handlers_scrub_httpx_records(self, isolated_root: io.StringIO) -> None:
        """After configure_logging, a record from httpx is scrubbed by the root handler."""
        configure_logging(logging.DEBUG)
        logging.getLogger("httpx").info("HTTP Request: GET /x?access_token=leak123")
        assert f"access_token={REDACTED}" in isolated_root.getvalue()
        assert "leak123" not in isolated_root.getvalue()

    def test_installing_twice_adds_one_filter(self, isolated_root: io.StringIO) -> None:
        """configure_logging is idempotent."""
        configure_logging()
        configure_logging()
        handlers = logging.getLogger().handlers  # ours plus pytest's capture handlers
        assert [sum(isinstance(f, RedactingFilter) for f in h.filters) for h in handlers] == [
            1
        ] * len(handlers)

    def test_httpcore_trace_is_kept_quiet(self, isolated_root: io.StringIO) -> None:
        """httpcore's DEBUG trace stays off even at DEBUG."""
        configure_logging(logging.DEBUG)
        assert logging.getLogger("httpcore").getEffectiveLevel() == logging.INFO
