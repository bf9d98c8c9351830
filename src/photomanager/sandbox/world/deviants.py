"""The deviants as actors: they answer the artist's comments and write to the artist unasked.

`Deviants.comment_posted()` rolls, at posting time, what the deviation's
author will do (the model is in `reactions.py`) and schedules it on the
sandbox clock; `Deviants.catch_up(last, now)` adds the strangers' messages of
(last, now] and makes everything due by `now` happen in time order: a reply
is a real comment under the deviation (so `comments/deviation/{id}?commentid=`
shows it), a fave counts in the gallery deviation's stats, every reaction is
one message in the message center and one line in the ledger.

Only `Sandbox` calls this, under its lock. Every draw comes from rngs of
their own (one per comment, one for the noise), never from the world's rng.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from photomanager.domain.models import DeviantArtUser
from photomanager.sandbox.world.ledger import Ledger, ReactionRecord
from photomanager.sandbox.world.messages import (
    BADGE,
    COLLECT,
    COMMENT,
    FAVOURITE,
    FUTURE,
    REPLY,
    WATCH,
    MessageCenter,
    MessageRecord,
    stack_key,
    stackid_for,
)
from photomanager.sandbox.world.reactions import Reactions, comment_score
from photomanager.sandbox.world.seed import random_id
from photomanager.sandbox.world.state import CommentRecord, DeviationRecord, World

# A huge jump of the clock (tests skipping months) must not flood the inbox.
MAX_NOISE_PER_TICK = 50

_REPLIES = (
    "Thank you so much! 😊",
    "Thanks a lot, that means a lot to me!",
    "Спасибо большое! 🌸",
    "ありがとうございます！✨",
    "Thank you! I spent ages on the light in {title}.",
    "<script>alert('reply')</script> thanks!!",
    '"Thanks" & <b>hugs</b>',
    "Glad you like it :) Have you tried drawing {title} yourself?",
)
_COMMENTS_BACK = (
    "Love your style!",
    "This is gorgeous, the colours in {title} are amazing.",
    "Wow <3",
    "<img src=x onerror=alert(1)> so pretty",
    "Отличная работа!",
    "Beautiful work, faved!",
)


@dataclass(order=True, slots=True)
class _Pending:
    """One scheduled reaction (ordered by due time, then by scheduling order)."""

    due: float
    order: int
    type: str = field(compare=False)
    originator: DeviantArtUser = field(compare=False)
    trigger: CommentRecord | None = field(compare=False, default=None)
    rng: random.Random = field(compare=False, default_factory=random.Random)
    empty_subject: bool = field(compare=False, default=False)


class Deviants:
    """Schedules and performs the deviants' reactions and the strangers' noise."""

    def __init__(self, world: World, ledger: Ledger, seed: int) -> None:
        self.reactions = Reactions()
        self.center = MessageCenter()
        self._world = world
        self._ledger = ledger
        self._seed = seed
        self._noise_rng = random.Random(f"noise:{seed}")
        self._noise_carry = 0.0
        self._pending: list[_Pending] = []
        self._order = itertools.count()
        # Whose work the artist commented on: they are no strangers any more.
        self._commented_authors: set[str] = set()
        self._watchers: set[str] = set()
        self._faved: set[tuple[str, str]] = set()

    # --- scheduling ------------------------------------------------------------

    def comment_posted(
        self,
        comment: CommentRecord,
        now: float,
        *,
        scale: float,
        delay_s: tuple[float, float] | None = None,
    ) -> None:
        """The artist posted `comment`: roll and schedule what its deviation's author does.

        `delay_s` (low, high) replaces the model's delays (`Faults.reaction_delay_s`).
        """
        deviation = self._world.get(comment.deviationid)
        if deviation is None or deviation.author.userid == self._world.artist.userid:
            return
        author = deviation.author
        self._commented_authors.add(author.userid)
        if comment.parentid is not None:
            return  # only top-level comments earn reactions
        model = self.reactions
        rng = random.Random(f"reactions:{self._seed}:{comment.commentid}")
        score = comment_score(comment.body, deviation.title)
        low, high = sorted(delay_s or (model.delay_min_s, model.delay_max_s))
        plan = (
            (REPLY, model.reply),
            (WATCH, model.watch),
            (FAVOURITE, model.favourite),
            (COMMENT, model.comment),
        )
        for kind, chance in plan:
            # Draw every value whatever the outcome: one roll never shifts the next.
            roll, delay, collect_roll = rng.random(), rng.uniform(low, high), rng.random()
            own = random.Random(rng.getrandbits(64))
            if roll >= chance.at(score, scale):
                continue
            if kind == FAVOURITE and collect_roll < model.collect_share:
                kind = COLLECT
            self._schedule(now + max(0.0, delay), kind, author, trigger=comment, rng=own)

    def _schedule(
        self,
        due: float,
        kind: str,
        originator: DeviantArtUser,
        *,
        trigger: CommentRecord | None,
        rng: random.Random,
        empty_subject: bool = False,
    ) -> None:
        heapq.heappush(
            self._pending,
            _Pending(due, next(self._order), kind, originator, trigger, rng, empty_subject),
        )

    # --- the passing of time -------------------------------------------------------

    def catch_up(self, last: float | None, now: float, *, scale: float) -> None:
        """Add the strangers' messages of (last, now], then perform everything due by `now`."""
        if last is not None and now > last:
            self._noise(last, now, scale)
        while self._pending and self._pending[0].due <= now:
            self._perform(heapq.heappop(self._pending))

    def _noise(self, last: float, now: float, scale: float) -> None:
        model = self.reactions
        rate = model.noise_per_hour * max(0.0, scale)
        if rate <= 0:
            return
        expected = (now - last) * rate / 3600.0 + self._noise_carry
        count = int(expected)
        self._noise_carry = expected - count
        count = min(count, MAX_NOISE_PER_TICK)
        rng = self._noise_rng
        for i in range(count):
            # Strictly inside (last, now): never the same instant as a post at `now`.
            at = last + (now - last) * (i + 0.5) / count
            roll, pick = rng.random(), rng.random()
            own = random.Random(rng.getrandbits(64))
            empty = False
            if roll < model.noise_unknown_share:
                kind = BADGE if pick < 0.5 else FUTURE
            elif roll < model.noise_unknown_share + model.noise_empty_subject_share:
                kind, empty = COMMENT, True
            else:
                kind = (WATCH, FAVOURITE, FAVOURITE, COLLECT, COMMENT)[int(pick * 5) % 5]
            stranger = self._stranger(rng)
            if stranger is not None:
                self._schedule(at, kind, stranger, trigger=None, rng=own, empty_subject=empty)

    def _stranger(self, rng: random.Random) -> DeviantArtUser | None:
        strangers = [u for u in self._world.users if u.userid not in self._commented_authors]
        return rng.choice(strangers) if strangers else None

    # --- performing ------------------------------------------------------------------

    def _perform(self, due: _Pending) -> None:
        """Make one reaction happen at its due time (or drop it when it no longer can)."""
        who, at, rng = due.originator, due.due, due.rng
        if due.type == REPLY:
            self._reply(due)
            return
        if due.type == WATCH:
            if who.userid in self._watchers:
                return
            self._watchers.add(who.userid)
            self._message(due, profile=self._world.artist)
            return
        if due.type in (BADGE, FUTURE):
            self._message(due, profile=self._world.artist)
            return
        gallery = [d for d in self._world.gallery if d.published_at <= at and not d.is_deleted(at)]
        if due.type in (FAVOURITE, COLLECT):
            gallery = [d for d in gallery if (who.userid, d.deviationid) not in self._faved]
        if not gallery:
            return
        target = rng.choice(gallery)
        if due.type == COMMENT:
            body = rng.choice(_COMMENTS_BACK).replace("{title}", target.title)
            comment = self._add_comment(target, who, body, at, parent=None, rng=rng)
            self._message(due, deviation=target, comment=comment)
            return
        self._faved.add((who.userid, target.deviationid))
        target.favourites += 1
        self._message(due, deviation=target)

    def _reply(self, due: _Pending) -> None:
        ours = due.trigger
        if ours is None:
            return
        deviation = self._world.get(ours.deviationid)
        if deviation is None or deviation.is_deleted(due.due):
            return
        body = due.rng.choice(_REPLIES).replace("{title}", deviation.title)
        reply = self._add_comment(deviation, due.originator, body, due.due, ours, due.rng)
        self._message(due, deviation=deviation, comment=reply, subject_comment=ours)

    def _add_comment(
        self,
        deviation: DeviationRecord,
        user: DeviantArtUser,
        body: str,
        at: float,
        parent: CommentRecord | None,
        rng: random.Random,
    ) -> CommentRecord:
        comment = CommentRecord(
            commentid=random_id(rng),
            deviationid=deviation.deviationid,
            user=user,
            body=body,
            posted_at=at,
            parentid=None if parent is None else parent.commentid,
        )
        if parent is not None:
            parent.replies += 1
        deviation.comments.append(comment)
        return comment

    def _message(
        self,
        due: _Pending,
        *,
        deviation: DeviationRecord | None = None,
        comment: CommentRecord | None = None,
        subject_comment: CommentRecord | None = None,
        profile: DeviantArtUser | None = None,
    ) -> None:
        message = MessageRecord(
            messageid=random_id(due.rng),
            type=due.type,
            ts=due.due,
            seq=self.center.next_seq(),
            originator=due.originator,
            stackid="",
            deviation=deviation,
            comment=comment,
            subject_comment=subject_comment,
            profile=profile,
            empty_subject=due.empty_subject,
        )
        message.stackid = stackid_for(stack_key(message))
        self.center.add(message)
        self._ledger.record_reaction(
            ReactionRecord(
                at=datetime.fromtimestamp(due.due, UTC),
                type=due.type,
                originator=due.originator.username,
                originator_userid=due.originator.userid,
                trigger_commentid=None if due.trigger is None else due.trigger.commentid,
                messageid=message.messageid,
                deviationid=None if deviation is None else deviation.deviationid,
                commentid=None if comment is None else comment.commentid,
            )
        )
