"""Eight processes meet an expired token at once: DeviantArt sees exactly one refresh."""

from __future__ import annotations

import multiprocessing
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auth.mp_child import call_whoami
from photomanager.domain.models import OAuthToken
from photomanager.sandbox import Sandbox
from photomanager.storage import create_engine_for, sql_unit_of_work_factory

PROCESSES = 8


def _save(database_url: str, token: OAuthToken) -> None:
    engine = create_engine_for(database_url)
    try:
        with sql_unit_of_work_factory(engine)() as uow:
            uow.tokens.save(token)
            uow.commit()
    finally:
        engine.dispose()


def _stored(database_url: str) -> OAuthToken:
    engine = create_engine_for(database_url)
    try:
        with sql_unit_of_work_factory(engine)() as uow:
            token = uow.tokens.get()
    finally:
        engine.dispose()
    assert token is not None
    return token


def _run_children(database_url: str, base_url: str, sandbox: Sandbox) -> list[str]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    children = [
        ctx.Process(
            target=call_whoami,
            args=(
                database_url,
                base_url,
                sandbox.client_id,
                sandbox.client_secret,
                barrier,
                results,
            ),
        )
        for _ in range(PROCESSES)
    ]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=30)
    assert [kind for kind, _ in outcomes] == ["ok"] * PROCESSES, outcomes
    return [text for _, text in outcomes]


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite file (the backend-independent scenario runs on SQLite only)."""
    path = tmp_path / "photomanager.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


class TestOneRefreshAcrossProcesses:
    @pytest.mark.slow
    def test_expired_in_the_database(
        self, sqlite_url: str, sandbox: Sandbox, sandbox_server: str
    ) -> None:
        """The stored expiry has passed: one process refreshes, seven reuse its token."""
        database_url = sqlite_url
        issued = sandbox.issue_user_token()
        _save(database_url, replace(issued, expires_at=datetime.now(UTC) - timedelta(minutes=1)))

        reports = _run_children(database_url, sandbox_server, sandbox)

        stored = _stored(database_url)
        assert sandbox.ledger.token_calls("refresh_token") == 1
        assert sandbox.ledger.token_calls() == 1
        assert stored.access_token != issued.access_token
        assert set(reports) == {f"{sandbox.artist.username} {stored.access_token}"}

    def test_rejected_by_deviantart(
        self, database_url: str, sandbox: Sandbox, sandbox_server: str
    ) -> None:
        """DeviantArt answers 401 to everyone at once: still exactly one refresh."""
        issued = sandbox.issue_user_token()
        _save(database_url, replace(issued, expires_at=datetime.now(UTC) + timedelta(hours=1)))
        sandbox.expire_all_tokens()

        reports = _run_children(database_url, sandbox_server, sandbox)

        stored = _stored(database_url)
        assert sandbox.ledger.token_calls("refresh_token") == 1
        assert stored.refresh_token != issued.refresh_token
        assert set(reports) == {f"{sandbox.artist.username} {stored.access_token}"}


@pytest.fixture(autouse=True)
def _no_leftover_children() -> None:
    """Children that outlive a failing test would hold the database open."""
    for child in multiprocessing.active_children():
        child.join(timeout=5)
