"""The `photomanager` command line: one module per command group (see `app.py`)."""

from __future__ import annotations

from photomanager.cli.app import app, main

__all__ = ["app", "main"]
