"""The screening step: read a claimed row's metadata if the collector could not, then filter.

Rows the collector could not enrich (DeviantArt was throttling) are read by
the worker, before anything is rendered: no deviation is commented on unread.
DeviantArt busy, or its metadata endpoint removed, is not the deviation's
fault: the row goes back unread, no attempt spent, and waits
(`METADATA_RETRY`, `METADATA_GONE_RETRY`). A deviation without metadata
(deleted or hidden), one DeviantArt refuses, or one the artist's filters
reject becomes `skipped` with the reason.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.errors import (
    AccountRestricted,
    Cancelled,
    DeviantArtError,
    EdgeBlocked,
    EndpointGone,
    RateLimited,
)
from photomanager.domain.models import Author, Claim, CommentSettings, Deviation, TokenKind
from photomanager.services.ports import DeviantArtApi, LanguageDetector, UnitOfWorkFactory
from photomanager.services.posting.error_outcomes import ACCOUNT_ERRORS, ErrorOutcomes
from photomanager.services.posting.outcomes import StepOutcome, StepResult
from photomanager.services.posting.recording import Recorder
from photomanager.services.screening.filters import detect_language, metadata_rejection_reason
from photomanager.services.screening.metadata import enrich

METADATA_RETRY = timedelta(minutes=2)  # DeviantArt busy: the row waits at least this long
METADATA_GONE_RETRY = timedelta(hours=1)  # `deviation/metadata` removed: look again this late
FILTERED_PREFIX = "filtered"  # "filtered: language not chosen", as the status page counts it
METADATA_UNAVAILABLE = "no metadata: the deviation is deleted or hidden"
METADATA_REFUSED = "metadata refused by DeviantArt"


class MetadataStep:
    """Reads and screens the metadata of claimed rows the collector left unread."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        recorder: Recorder,
        errors: ErrorOutcomes,
        language_detector: LanguageDetector | None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._recorder = recorder
        self._errors = errors
        self._language_detector = language_detector

    def read(
        self,
        claim: Claim,
        settings: CommentSettings,
        api: DeviantArtApi,
        stop: threading.Event,
    ) -> StepResult | None:
        """Read the claimed row's metadata and apply the filters; None when it may go on."""
        item = claim.item
        deviation = Deviation(
            deviationid=item.deviationid,
            title=item.title or "",
            url=item.url or "",
            author=Author(userid="", username=item.author or ""),
            published_time=item.ts,
        )
        try:
            result = enrich(api, [deviation], token_kind=TokenKind.USER, stop=stop)
        except Cancelled:
            self._recorder.release(claim)
            return StepResult(StepOutcome.STOPPED, deviationid=claim.deviationid)
        except (*ACCOUNT_ERRORS, AccountRestricted) as exc:
            return self._errors.account_problem(claim, exc)
        except EdgeBlocked as exc:
            # DeviantArt's network refused this machine: not the deviation's fault.
            return self._errors.edge_blocked(claim, exc)
        except EndpointGone as exc:
            # Not the deviation's fault either: unread rows wait, read rows go on posting.
            reason = f"{exc.message}: rows whose metadata is unread wait (tried again hourly)"
            return self._read_later(claim, METADATA_GONE_RETRY, reason)
        except DeviantArtError as exc:
            return self._recorder.skip(claim, f"{METADATA_REFUSED}: {exc.code}")
        if result.error is not None:
            # DeviantArt is busy, not the deviation at fault: later, no attempt spent.
            retry_after = (
                result.error.retry_after if isinstance(result.error, RateLimited) else None
            )
            wait = timedelta(seconds=max(retry_after or 0.0, METADATA_RETRY.total_seconds()))
            reason = f"deviation metadata not read ({result.error.code}); trying again later"
            return self._read_later(claim, wait, reason, retry_after=retry_after)
        if not result.enriched:
            return self._recorder.skip(claim, METADATA_UNAVAILABLE)
        enriched = result.enriched[0]
        language = detect_language(enriched, self._language_detector)
        rejected = metadata_rejection_reason(enriched, language, settings=settings)
        if rejected is not None:
            return self._recorder.skip(claim, f"{FILTERED_PREFIX}: {rejected}")
        with self._uow_factory() as uow:
            saved = uow.queue.save_metadata(
                claim, tags=enriched.tags, language=language, now=self._clock.now()
            )
            uow.commit()
        if not saved:
            return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
        return None

    def _read_later(
        self, claim: Claim, wait: timedelta, reason: str, *, retry_after: float | None = None
    ) -> StepResult:
        """Give an unread row back: no attempt spent, not claimed again before `wait` is over."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.queue.release(claim, now, not_before=now + wait)
            uow.commit()
        return StepResult(
            StepOutcome.RELEASED,
            deviationid=claim.deviationid,
            error=reason,
            retry_after=retry_after,
        )
