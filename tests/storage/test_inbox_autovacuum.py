"""PostgreSQL vacuums the inbox's messages often enough for its reads to stay index-only."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

ON_POSTGRESQL = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@ON_POSTGRESQL
class TestInboxAutovacuum:
    def test_every_thousand_new_messages_start_a_vacuum(self, engine: Engine) -> None:
        """inbox_messages: an insert-driven autovacuum after 1,000 rows, whatever the size."""
        with engine.connect() as conn:
            options = conn.execute(
                text("SELECT reloptions FROM pg_class WHERE relname = 'inbox_messages'")
            ).scalar_one()
        assert set(options) >= {
            "autovacuum_vacuum_insert_threshold=1000",
            "autovacuum_vacuum_insert_scale_factor=0",
        }

    def test_the_other_tables_keep_the_servers_defaults(self, engine: Engine) -> None:
        """Only the inbox's messages, read newest first by an index, need it."""
        with engine.connect() as conn:
            tuned = conn.execute(
                text(
                    "SELECT relname FROM pg_class WHERE reloptions IS NOT NULL "
                    "AND relnamespace = 'public'::regnamespace AND relkind = 'r'"
                )
            ).scalars()
            assert list(tuned) == ["inbox_messages"]
