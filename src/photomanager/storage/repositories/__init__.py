"""One repository per aggregate. Each takes a Connection and never commits."""

from __future__ import annotations

from photomanager.storage.repositories.collect_runs import CollectRunRepository
from photomanager.storage.repositories.feed_state import FeedStateRepository
from photomanager.storage.repositories.housekeeping import HousekeepingRepository
from photomanager.storage.repositories.inbox import InboxRepository
from photomanager.storage.repositories.ledger import CommentedDeviationsRepository
from photomanager.storage.repositories.logs import DeviationCommentLogRepository
from photomanager.storage.repositories.messages import DeviationCommentMessageRepository
from photomanager.storage.repositories.outcome_counts import OutcomeCountsRepository
from photomanager.storage.repositories.penalties import PenaltyRepository
from photomanager.storage.repositories.queue import DeviationCommentQueueRepository
from photomanager.storage.repositories.settings import SettingsRepository
from photomanager.storage.repositories.tokens import TokenRepository
from photomanager.storage.repositories.worker_control import WorkerControlRepository

__all__ = [
    "CollectRunRepository",
    "CommentedDeviationsRepository",
    "DeviationCommentLogRepository",
    "DeviationCommentMessageRepository",
    "DeviationCommentQueueRepository",
    "FeedStateRepository",
    "HousekeepingRepository",
    "InboxRepository",
    "OutcomeCountsRepository",
    "PenaltyRepository",
    "SettingsRepository",
    "TokenRepository",
    "WorkerControlRepository",
]
