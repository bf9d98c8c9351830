"""How the sandbox's deviants answer the artist's comments: the model and its knobs.

When the artist posts a top-level comment under a deviant's deviation, that
deviation's author may, each on its own roll and after its own delay on the
sandbox clock:

 reply              a comment under ours (`parentid` = our commentid): `feedback.reply`
 watch              start watching the artist (once per deviant): `feedback.watch`
 favourite/collect  fave one of the artist's gallery deviations it has not faved yet:
                    `feedback.favourite`, or `feedback.collect` `collect_share` of the time
 comment            comment on one of the artist's gallery deviations: `feedback.comment`

Each reaction's probability is `chance.base + chance.gain * score`, times
`Faults.reaction_scale`, clipped to [0, 1]. The score (0..1) reads the body
of our comment the way a person would:

 length    +0.35 x min(words, 40) / 40       a sentence earns more than "Nice!"
 title     +0.30 if it names the deviation: the whole title, or one of its words
           of four letters or more
 personal  +0.20 if it speaks to the artist: you, your, you're, yours
 question  +0.15 if it asks something ("?")

With the defaults, "Nice!" (score ~0.01) earns a reply 5% of the time and a
long, personal comment naming the title with a question (score 1) 80%; a
watch 2% vs 37%, a fave 5% vs 60%, a comment back 2% vs 32%. Two templates
therefore show clearly different outcomes after a few dozen comments.

Every draw comes from `random.Random(f"reactions:{seed}:{commentid}")`, one
rng per comment, always drawing the same number of values whatever the
outcome: the same seed and the same comments at the same times give the same
reactions, and the world's own rng never moves (seeds keep their worlds).
Delays are uniform in [`delay_min_s`, `delay_max_s`] (minutes in the demo;
tests set both, e.g. `Reactions.certain(delay_s=600)`), or in
`Faults.reaction_delay_s` when that is set (`--faults reactdelay=S-T`).

Strangers (deviants whose work the artist had not commented on by then)
watch, fave, collect and comment the artist's gallery at `noise_per_hour`
(times the scale), spread evenly over the time that passed, as deviations
arrive; drawn from `random.Random(f"noise:{seed}")`.
Among them, `noise_unknown_share` are messages of a type the product does not
know (`feedback.badge_given`, which staff list, and `feedback.sticker`, made
up for a future DeviantArt), and `noise_empty_subject_share` are comments
whose `subject` arrives as `[]` (DeviantArt-API #114).

What cannot happen does not: a deviant watches the artist once and faves a
deviation once; a reply whose deviation was deleted meanwhile is never
written. Only the artist's top-level comments earn reactions (its replies do
not), and only under other people's work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"\w+", re.UNICODE)
_PERSONAL = frozenset({"you", "your", "youre", "yours", "you're"})
LENGTH_WEIGHT = 0.35
LENGTH_WORDS = 40
TITLE_WEIGHT = 0.30
PERSONAL_WEIGHT = 0.20
QUESTION_WEIGHT = 0.15
TITLE_WORD_MIN = 4


@dataclass(frozen=True, slots=True)
class Chance:
    """A reaction's probability: `base + gain * score` (before the fault scale)."""

    base: float
    gain: float

    def at(self, score: float, scale: float = 1.0) -> float:
        """The probability for a comment of `score`, clipped to [0, 1]."""
        return min(1.0, max(0.0, (self.base + self.gain * score) * scale))


@dataclass(slots=True)
class Reactions:
    """The deviants' behaviour; `sandbox.reactions` (read under the lock on each event).

    `Reactions.certain(delay_s=...)`: every reaction happens, exactly `delay_s`
    after our comment, no strangers. `Reactions.off()`: an inbox that stays empty.
    """

    reply: Chance = Chance(0.05, 0.75)
    watch: Chance = Chance(0.02, 0.35)
    favourite: Chance = Chance(0.05, 0.55)
    comment: Chance = Chance(0.02, 0.30)
    collect_share: float = 0.25
    delay_min_s: float = 30.0
    delay_max_s: float = 300.0
    noise_per_hour: float = 4.0
    noise_unknown_share: float = 0.1
    noise_empty_subject_share: float = 0.1

    @classmethod
    def certain(cls, *, delay_s: float = 60.0, collect_share: float = 0.0) -> Reactions:
        """Every reaction to every comment, `delay_s` later; no noise."""
        always = Chance(1.0, 0.0)
        return cls(
            reply=always,
            watch=always,
            favourite=always,
            comment=always,
            collect_share=collect_share,
            delay_min_s=delay_s,
            delay_max_s=delay_s,
            noise_per_hour=0.0,
        )

    @classmethod
    def off(cls) -> Reactions:
        """Nobody reacts and no stranger writes."""
        never = Chance(0.0, 0.0)
        return cls(reply=never, watch=never, favourite=never, comment=never, noise_per_hour=0.0)


def comment_score(body: str, title: str) -> float:
    """How engaging a comment reads, 0..1 (see the module docstring)."""
    words = [w.lower() for w in _WORD.findall(body)]
    lowered = body.lower()
    score = LENGTH_WEIGHT * min(len(words), LENGTH_WORDS) / LENGTH_WORDS
    title_words = {w.lower() for w in _WORD.findall(title) if len(w) >= TITLE_WORD_MIN}
    stripped = title.strip().lower()
    if (stripped and stripped in lowered) or title_words & set(words):
        score += TITLE_WEIGHT
    if _PERSONAL & set(words) or "you're" in lowered:
        score += PERSONAL_WEIGHT
    if "?" in body:
        score += QUESTION_WEIGHT
    return min(1.0, score)
