"""Storage: SQLAlchemy Core tables, engine setup, migrations, repositories.

Never touches the network; implements the ports of `photomanager.services.ports`
structurally (without importing them).
"""

from __future__ import annotations

from photomanager.storage.engine import create_engine_for, default_database_url
from photomanager.storage.migrate import current_revision, head_revision, upgrade_database
from photomanager.storage.tables import metadata
from photomanager.storage.unit_of_work import SqlUnitOfWork, sql_unit_of_work_factory

__all__ = [
    "SqlUnitOfWork",
    "create_engine_for",
    "current_revision",
    "default_database_url",
    "head_revision",
    "metadata",
    "sql_unit_of_work_factory",
    "upgrade_database",
]
