"""Alembic migrations, run through `photomanager.storage.migrate`."""

from __future__ import annotations
