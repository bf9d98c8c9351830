"""A deterministic, realistic world for a seed: hostile text included on purpose.

Titles mix plain English with Cyrillic, CJK, emoji, right-to-left text, HTML
and quotes; a few usernames carry `</script>`. Every string is untrusted text
for the product, and this is where it learns that. Each deviation also gets a
language, an HTML description and tags (`texts.py`), from an rng derived from
its id, so the shared rng below draws exactly what it drew before they existed.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass

from photomanager.domain.models import DeviantArtUser
from photomanager.sandbox.world.state import CommentRecord, DeviationRecord, World
from photomanager.sandbox.world.texts import texts_for

USERICON = "https://a.deviantart.net/avatars/default.gif"
_DAY = 86_400.0

_ADJECTIVES = (
    "Quiet",
    "Crimson",
    "Lost",
    "Electric",
    "Golden",
    "Frozen",
    "Hidden",
    "Wild",
    "Silent",
    "Neon",
    "Ancient",
    "Gentle",
    "Broken",
    "Dreaming",
    "Last",
)
_NOUNS = (
    "Forest",
    "Dragon",
    "Harbor",
    "Portrait",
    "City",
    "Garden",
    "Sky",
    "Fox",
    "Lighthouse",
    "Study",
    "Sketch",
    "Ocean",
    "Mountain",
    "Witch",
    "Robot",
)
_EXOTIC_TITLES = (
    "Зимний вечер",
    "Кот на крыше — этюд",
    "夜の桜",
    "山水画 No. 3",
    "初音ミク fanart ♪",
    "🌸 Spring 🌸",
    "🐉 Dragon study 🔥",
    "Café crème ☕",
    "שלום עולם",
    "مرحبا بالعالم",
    "<img src=x onerror=alert(1)>",
    "\"quoted\" & 'single'",
    "<b>bold</b> &amp; <i>co</i>",
    "Title with\nnewline and\ttab",
    "{{ template }} ${injection} %s %(name)s",
    "'; DROP TABLE deviation_comment_queue; --",
    "A" * 250,
)
_EXOTIC_USERNAMES = (
    "</script><script>alert(1)</script>",
    'quote"artist',
    "Ночной-Художник",
    "桜の絵師",
    "emoji🎨guy",
)
_CATEGORIES = (
    ("Digital Art", "digitalart/paintings/fantasy"),
    ("Traditional Art", "traditional/paintings/landscapes"),
    ("Photography", "photography/nature/macro"),
    ("Fan Art", "fanart/digital/painting"),
    ("Anime & Manga", "manga/digital/drawings"),
    ("Pixel Art", "digitalart/pixelart/scenes"),
)
_COMMENT_BODIES = (
    "Beautiful colours!",
    "Love the lighting here <3",
    "Отличная работа!",
    "すごい！✨",
    "<script>alert('x')</script> nice",
    '"Wow" & more',
)
USER_TYPES = ("regular", "premium", "regular", "regular", "beta")


def random_id(rng: random.Random) -> str:
    """An upper-case UUID4 string, as DeviantArt returns ids."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def _slug(title: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-")
    return slug[:60] or "Untitled"


@dataclass(frozen=True, slots=True)
class WorldShape:
    """How big and how hostile the seeded world is (probabilities per deviation)."""

    deviations: int = 3000
    users: int = 150
    watched: int = 30
    blockers: int = 3
    days: float = 14.0
    mature: float = 0.08
    comments_disabled: float = 0.05
    own: float = 0.03
    is_blocked: float = 0.005
    deleted_over_time: float = 0.04
    deletion_window_s: float = 6 * 3600.0
    with_comments: float = 0.2
    exotic_title: float = 0.25
    # The artist's own gallery (what deviants fave and comment on), from its own rng.
    gallery: int = 12
    gallery_days: float = 90.0


class DeviationFactory:
    """Makes deviations from a seeded rng (used by the seed and by `publish`)."""

    def __init__(
        self,
        rng: random.Random,
        artist: DeviantArtUser,
        users: list[DeviantArtUser],
        shape: WorldShape,
    ) -> None:
        self._rng = rng
        self._artist = artist
        self._users = users
        self._shape = shape
        self._serial = 900_000_000

    def title(self) -> str:
        """A title: usually plain, sometimes hostile or unicode."""
        rng = self._rng
        if rng.random() < self._shape.exotic_title:
            return rng.choice(_EXOTIC_TITLES)
        return f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"

    def make(
        self,
        published_at: float,
        author: DeviantArtUser | None = None,
        *,
        plain: bool = False,
        deletions_from: float | None = None,
    ) -> DeviationRecord:
        """A new deviation; `plain` skips the random mature/disabled/deleted traits.

        A deviation picked for deletion vanishes some time after `deletions_from`
        (default: its publication), so deletions happen while a test or demo runs.
        """
        rng, shape = self._rng, self._shape
        if author is None:
            author = self._artist if rng.random() < shape.own else rng.choice(self._users)
        title = self.title()
        category, category_path = rng.choice(_CATEGORIES)
        self._serial += rng.randint(1, 5000)
        deviation = DeviationRecord(
            deviationid=random_id(rng),
            title=title,
            url=f"https://www.deviantart.com/{author.username}/art/{_slug(title)}-{self._serial}",
            author=author,
            published_at=published_at,
            category=category,
            category_path=category_path,
            favourites=rng.randint(0, 400),
        )
        # Language, description and tags come from an rng of the deviation's own
        # (see texts.py): drawing them from `rng` would change every seed's world.
        texts = texts_for(deviation.deviationid, category)
        deviation.language = texts.language
        deviation.description = texts.description
        deviation.tags = texts.tags
        traits = [rng.random() for _ in range(5)]
        if plain:
            return deviation
        deviation.is_mature = traits[0] < shape.mature
        deviation.allows_comments = traits[1] >= shape.comments_disabled
        deviation.is_blocked = traits[2] < shape.is_blocked
        if traits[3] < shape.deleted_over_time:
            start = published_at if deletions_from is None else max(published_at, deletions_from)
            deviation.deleted_at = start + rng.uniform(60.0, shape.deletion_window_s)
        if traits[4] < shape.with_comments:
            for _ in range(rng.randint(1, 5)):
                commenter = rng.choice(self._users)
                posted = published_at + rng.uniform(1.0, 3600.0)
                deviation.comments.append(
                    CommentRecord(
                        commentid=random_id(rng),
                        deviationid=deviation.deviationid,
                        user=commenter,
                        body=rng.choice(_COMMENT_BODIES),
                        posted_at=posted,
                    )
                )
        return deviation


def _user(rng: random.Random, index: int) -> DeviantArtUser:
    if index < len(_EXOTIC_USERNAMES):
        name = _EXOTIC_USERNAMES[index]
    else:
        name = f"{rng.choice(_ADJECTIVES)}{rng.choice(_NOUNS)}{rng.randint(1, 9999)}"
    return DeviantArtUser(
        userid=random_id(rng), username=name, usericon=USERICON, type=rng.choice(USER_TYPES)
    )


def build_world(
    seed: int, shape: WorldShape, now: float
) -> tuple[World, DeviationFactory, random.Random]:
    """The seeded world as of `now`, its deviation factory and the rng both share."""
    rng = random.Random(seed)
    artist = DeviantArtUser(
        userid=random_id(rng), username="sandbox-artist", usericon=USERICON, type="premium"
    )
    users = [_user(rng, i) for i in range(max(shape.users, len(_EXOTIC_USERNAMES) + 1))]
    # Watch some of the hostile usernames too, so the watch feed carries them.
    watched = {u.userid for u in users[:2]}
    watched |= {u.userid for u in rng.sample(users, min(shape.watched, len(users)))}
    blockers = {u.userid for u in rng.sample(users, min(shape.blockers, len(users)))}
    factory = DeviationFactory(rng, artist, users, shape)
    span = shape.days * _DAY
    deviations = []
    for _ in range(shape.deviations):
        deviation = factory.make(now - rng.uniform(0.0, span), deletions_from=now)
        # Comments "from the future" would be nonsense; drop them.
        deviation.comments = [c for c in deviation.comments if c.posted_at <= now]
        deviation.comments.sort(key=lambda c: c.posted_at)
        deviations.append(deviation)
    world = World(
        artist=artist,
        users=users,
        watched=watched,
        blockers=blockers,
        deviations=deviations,
        gallery=build_gallery(seed, artist, shape, now),
    )
    return world, factory, rng


_GALLERY_TITLES = (
    "Harbor at Dusk",
    "Fox in the Autumn Forest",
    "Lighthouse Study",
    "Witch of the Quiet Garden",
    "Зимний вечер над рекой",
    "夜の港",
    "🌙 Moon Garden 🌙",
    '<i>Untitled</i> & "friends"',
    "Portrait of a Robot",
    "Golden Mountain",
    "Ocean Sketch No. 7",
    "Dragon over the City",
)


def build_gallery(
    seed: int, artist: DeviantArtUser, shape: WorldShape, now: float
) -> list[DeviationRecord]:
    """The artist's own deviations: plain, commentable, from an rng of their own."""
    rng = random.Random(f"gallery:{seed}")
    gallery = []
    serial = 800_000_000
    for i in range(shape.gallery):
        title = _GALLERY_TITLES[i % len(_GALLERY_TITLES)]
        category, category_path = rng.choice(_CATEGORIES)
        serial += rng.randint(1, 5000)
        deviation = DeviationRecord(
            deviationid=random_id(rng),
            title=title,
            url=f"https://www.deviantart.com/{artist.username}/art/{_slug(title)}-{serial}",
            author=artist,
            published_at=now - rng.uniform(3600.0, shape.gallery_days * _DAY),
            category=category,
            category_path=category_path,
            favourites=rng.randint(0, 60),
        )
        texts = texts_for(deviation.deviationid, category)
        deviation.language = texts.language
        deviation.description = texts.description
        deviation.tags = texts.tags
        gallery.append(deviation)
    return gallery
