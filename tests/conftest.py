"""Shared fixtures: the databases (SQLite and a real PostgreSQL) and the sandbox DeviantArt."""

from __future__ import annotations

pytest_plugins = ["fixtures.database", "fixtures.sandbox"]
