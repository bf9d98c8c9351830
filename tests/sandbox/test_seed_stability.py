"""Seeds are a contract: adding fields to the world never changes what a seed already produced.

Every value below was computed from the code BEFORE deviations gained tags,
descriptions and languages (issue 13); new fields must come from their own rng.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from photomanager.sandbox import ManualClock, Sandbox, SandboxConfig

START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ARTIST_SEED_1 = "CD613E30-D8F1-4ADF-91B7-584A2265B1F5"
# (position newest first, id, title, author, published_time, mature, allows comments,
#  deleted over time, seeded comments)
PINNED_SEED_1 = [
    (0, "175B5A1A-CC63-443C-81D3-46B03C3EB348", "Ancient Garden", "GentleStudy5247",
     1740830035, False, True, False, 0),
    (2, "50D3F288-2DB9-49CA-AB45-599C0DE9E11F", "Кот на крыше — этюд", "HiddenHarbor2553",
     1740828732, False, True, False, 0),
    (4, "A6CBC57F-A9F4-4D31-A3B0-3A1F89269622", "Silent Garden", "NeonForest1022",
     1740827933, True, True, False, 0),
    (100, "FBA6299B-D8E5-4663-A8A7-3DA084972A30", "初音ミク fanart ♪", "GoldenSketch3983",
     1740792501, False, True, False, 4),
    (1000, "8F119A53-14EC-4768-81BD-AE8F6503DFEB", "Lost Study", "ElectricSky3822",
     1740420355, True, True, False, 0),
    (2999, "1752E7AE-BB34-47B7-8401-FEEB6E408A9C", "Ancient Study", "CrimsonFox4971",
     1739621432, False, True, False, 4),
]  # fmt: skip
# sha256 over every pre-issue-13 field of every deviation of seed 1 (3000 deviations).
DIGEST_SEED_1 = "17d789f1b08b128d729c7bdd0ab6881874294f2c90cf76c85e97a191493a51f2"


def _seed_1(deviations: int = 3000, config: SandboxConfig | None = None) -> Sandbox:
    return Sandbox.seeded(seed=1, deviations=deviations, clock=ManualClock(START), config=config)


def _old_fields(sandbox: Sandbox) -> list[list[Any]]:
    world = sandbox._world  # the raw records: deleted_at and comment bodies included
    return [
        [
            d.deviationid,
            d.title,
            d.url,
            d.author.userid,
            d.published_at,
            d.category,
            d.is_mature,
            d.allows_comments,
            d.is_blocked,
            d.favourites,
            d.deleted_at,
            [(c.commentid, c.body, c.posted_at, c.user.userid) for c in d.comments],
        ]
        for d in world.deviations
    ]


class TestSeedOneIsUnchanged:
    def test_artist_is_unchanged(self) -> None:
        """Seed 1's artist keeps its id."""
        assert _seed_1(50).artist.userid == ARTIST_SEED_1

    def test_pinned_deviations_are_unchanged(self) -> None:
        """A few deviations of seed 1 keep their id, title, author, time and traits."""
        sandbox = _seed_1()
        deviations = sandbox._world.deviations
        seen = [
            (
                i,
                deviations[i].deviationid,
                deviations[i].title,
                deviations[i].author.username,
                int(deviations[i].published_at),
                deviations[i].is_mature,
                deviations[i].allows_comments,
                deviations[i].deleted_at is not None,
                len(deviations[i].comments),
            )
            for i, *_ in PINNED_SEED_1
        ]
        assert seen == PINNED_SEED_1

    def test_every_old_field_of_every_deviation_is_unchanged(self) -> None:
        """The whole seed-1 world, field by pre-existing field, hashes as it did."""
        blob = json.dumps(_old_fields(_seed_1())).encode()
        assert hashlib.sha256(blob).hexdigest() == DIGEST_SEED_1

    def test_published_deviations_are_unchanged(self) -> None:
        """publish() after seeding draws the same ids and titles as before."""
        sandbox = _seed_1()
        new = sandbox.publish(2)
        assert new == [
            "A56532A0-70F5-45C7-8269-61107D0B602B",
            "BAF20290-9EF9-4C80-9492-D50C8FE374E5",
        ]
        assert [sandbox.deviation(i)["title"] for i in new] == ["Golden Ocean", "Gentle Harbor"]

    def test_arrivals_are_unchanged(self) -> None:
        """Deviations arriving with the clock are the same as before."""
        clock = ManualClock(START)
        sandbox = Sandbox.seeded(
            seed=1, deviations=50, clock=clock, config=SandboxConfig(arrivals_per_hour=120)
        )
        sandbox.issue_client_token()
        clock.advance(60)
        sandbox.issue_client_token()
        first = [
            (d.deviationid, d.title, d.author.username, int(d.published_at))
            for d in sandbox._world.deviations[:2]
        ]
        assert first == [
            (
                "0DD4E6CF-BDF6-46C8-8A85-FEFFC05CE7B5",
                "Broken Robot",
                "BrokenMountain4608",
                1740830460,
            ),
            ("358AB2CB-71B4-45FF-820B-49F83B6DC6AB", "Broken Fox", "sandbox-artist", 1740830430),
        ]
