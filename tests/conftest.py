"""Shared fixtures: the databases (SQLite and PostgreSQL), the sandbox, the app, the services."""

from __future__ import annotations

pytest_plugins = [
    "fixtures.database",
    "fixtures.sandbox",
    "fixtures.app",
    "fixtures.services",
]
