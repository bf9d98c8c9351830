"""uvicorn's own log lines pass through the redacting filter too."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from photomanager.api.server import AppServer
from photomanager.logging_setup import REDACTED, configure_logging, register_secret

SECRET = "uvicorn-leak-secret-5f2b9c1e"
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Root and uvicorn loggers restored afterwards; root output captured in a stream."""
    root = logging.getLogger()
    saved_root = root.handlers[:], root.level
    saved = {
        name: (logger.handlers[:], logger.propagate, logger.level)
        for name in UVICORN_LOGGERS
        for logger in [logging.getLogger(name)]
    }
    stream = io.StringIO()
    root.handlers = [logging.StreamHandler(stream)]
    yield stream
    root.handlers, root.level = saved_root
    for name, (handlers, propagate, level) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers, logger.propagate = handlers, propagate
        logger.setLevel(level)


def _failing_app() -> FastAPI:
    app = FastAPI()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError(f"failed while holding {SECRET}")

    return app


class TestUvicornLogging:
    def test_a_secret_in_an_asgi_traceback_is_redacted(self, log_output: io.StringIO) -> None:
        """uvicorn logs the app's unhandled error with its traceback: the secret is scrubbed."""
        register_secret(SECRET)
        configure_logging(logging.INFO)
        server = AppServer(_failing_app(), host="127.0.0.1", port=0)
        bound = server.start()
        try:
            response = httpx.get(f"{bound.url}/boom", timeout=10)
        finally:
            server.stop()

        assert response.status_code == 500
        output = log_output.getvalue()
        assert "Exception in ASGI application" in output  # uvicorn's own record reached us
        assert "RuntimeError" in output
        assert SECRET not in output
        assert REDACTED in output

    def test_handlers_uvicorn_was_given_redact_too(self, log_output: io.StringIO) -> None:
        """A handler on a non-propagating uvicorn logger (its default config) also redacts."""
        own = io.StringIO()
        access = logging.getLogger("uvicorn.access")
        access.handlers = [logging.StreamHandler(own)]
        access.propagate = False
        access.setLevel(logging.INFO)  # an earlier uvicorn in this process may have raised it
        register_secret(SECRET)

        configure_logging(logging.INFO)
        access.info('127.0.0.1 - "GET /x?token=%s HTTP/1.1" 200', SECRET)

        assert "GET /x" in own.getvalue()
        assert SECRET not in own.getvalue()
