"""Shared waits in the database: never shortened, cleared with their streak, seen by a store."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from fixtures.database import FIXED_NOW as NOW
from photomanager.domain.models import PENALTY_EDGE, PENALTY_NEXT_USER, PENALTY_PACE, PENALTY_USER
from photomanager.storage.penalty_store import SqlPenaltyStore
from photomanager.storage.unit_of_work import SqlUnitOfWork


class TestPenaltyRepository:
    def test_a_wait_is_kept_until_its_time(self, uow: SqlUnitOfWork) -> None:
        """An imposed wait reads back with its reason."""
        uow.penalties.impose(PENALTY_USER, NOW + timedelta(seconds=90), "Retry-After", NOW)
        row = uow.penalties.get_many([PENALTY_USER, PENALTY_EDGE])
        assert list(row) == [PENALTY_USER]
        assert row[PENALTY_USER].not_before == NOW + timedelta(seconds=90)
        assert row[PENALTY_USER].reason == "Retry-After"

    def test_a_shorter_wait_never_shortens_a_longer_one(self, uow: SqlUnitOfWork) -> None:
        """Two processes imposing waits: the later end wins, with its reason."""
        uow.penalties.impose(PENALTY_USER, NOW + timedelta(minutes=10), "long", NOW)
        uow.penalties.impose(PENALTY_USER, NOW + timedelta(minutes=1), "short", NOW)
        row = uow.penalties.get_many([PENALTY_USER])[PENALTY_USER]
        assert (row.not_before, row.reason) == (NOW + timedelta(minutes=10), "long")

    def test_clear_ends_the_wait_and_the_streak(self, uow: SqlUnitOfWork) -> None:
        """After a success the edge pause and its doubling are over."""
        uow.penalties.impose(PENALTY_EDGE, NOW + timedelta(minutes=5), "edge", NOW, streak=2)
        uow.penalties.clear(PENALTY_EDGE, NOW)
        row = uow.penalties.get_many([PENALTY_EDGE])[PENALTY_EDGE]
        assert (row.not_before, row.streak) == (None, 0)

    def test_spacing_is_kept_beside_the_wait(self, uow: SqlUnitOfWork) -> None:
        """The learned spacing has its own scope and survives."""
        uow.penalties.record_spacing(PENALTY_PACE, 1.75, NOW)
        assert uow.penalties.list_all()[0].spacing_s == 1.75


class TestSqlPenaltyStore:
    def test_another_store_on_the_same_database_sees_the_wait(self, engine: Engine) -> None:
        """A second process (another store) reads what the first one imposed."""
        SqlPenaltyStore(engine).impose(PENALTY_USER, NOW + timedelta(seconds=30), "r", NOW)
        row = SqlPenaltyStore(engine).get_many([PENALTY_USER])[PENALTY_USER]
        assert row.not_before == NOW + timedelta(seconds=30)


class TestTurns:
    def test_a_turn_is_taken_once_until_it_ends(self, engine: Engine) -> None:
        """Two stores reserve the same moment: the first gets it, the second learns its end."""
        first, second = SqlPenaltyStore(engine), SqlPenaltyStore(engine)
        until = NOW + timedelta(seconds=2)
        assert first.reserve(PENALTY_NEXT_USER, until, "spacing", NOW) is None
        assert second.reserve(PENALTY_NEXT_USER, NOW + timedelta(seconds=3), "x", NOW) == until
        later = NOW + timedelta(seconds=2)
        assert second.reserve(PENALTY_NEXT_USER, later + timedelta(seconds=2), "y", later) is None
