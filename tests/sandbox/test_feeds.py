"""Both feeds: offset paging, caps, mature filtering, newest first, a moving world."""

from __future__ import annotations

import httpx
import pytest

from photomanager.sandbox import ManualClock, Sandbox, SandboxConfig
from photomanager.sandbox.adapters import SandboxTransport


def _ids(page: dict[str, object]) -> list[str]:
    results = page["results"]
    assert isinstance(results, list)
    return [d["deviationid"] for d in results]


def _all_pages(api: httpx.Client, feed: str, limit: int, **params: str) -> list[dict[str, object]]:
    pages, offset = [], 0
    while True:
        page = api.get(
            f"/browse/{feed}", params={"offset": offset, "limit": limit, **params}
        ).json()
        pages.append(page)
        if not page["has_more"]:
            return pages
        offset = page["next_offset"]


class TestPaging:
    def test_pages_chain_through_next_offset_without_overlap(self, user_api: httpx.Client) -> None:
        """Following next_offset walks the feed once, with no repeats, and ends with null."""
        pages = _all_pages(user_api, "newest", 50)
        ids = [i for page in pages for i in _ids(page)]
        assert len(ids) == len(set(ids))
        assert (pages[-1]["has_more"], pages[-1]["next_offset"]) == (False, None)
        assert pages[0]["next_offset"] == 50

    def test_newest_is_sorted_newest_first(self, user_api: httpx.Client) -> None:
        """published_time never increases down the feed."""
        pages = _all_pages(user_api, "newest", 120)
        times = [int(d["published_time"]) for p in pages for d in p["results"]]  # type: ignore[attr-defined]
        assert times == sorted(times, reverse=True)

    def test_watch_feed_shows_only_watched_authors(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """deviantsyouwatch holds deviations by watched deviants only."""
        pages = _all_pages(user_api, "deviantsyouwatch", 50)
        authors = {d["author"]["userid"] for p in pages for d in p["results"]}  # type: ignore[attr-defined]
        assert authors
        assert authors <= sandbox.watched_userids

    @pytest.mark.parametrize(("feed", "cap"), [("deviantsyouwatch", 50), ("newest", 120)])
    def test_limit_over_the_cap_is_invalid_request(
        self, user_api: httpx.Client, feed: str, cap: int
    ) -> None:
        """A limit above the feed's cap is refused; the cap itself is fine."""
        assert user_api.get(f"/browse/{feed}", params={"limit": cap}).status_code == 200
        refused = user_api.get(f"/browse/{feed}", params={"limit": cap + 1})
        assert (refused.status_code, refused.json()["error"]) == (400, "invalid_request")
        assert "limit" in refused.json()["error_details"]

    def test_newest_cap_is_configurable(self, sandbox_clock: ManualClock) -> None:
        """newest_limit_cap changes the global feed's cap."""
        sandbox = Sandbox.seeded(
            seed=1, deviations=100, clock=sandbox_clock, config=SandboxConfig(newest_limit_cap=50)
        )
        token = sandbox.issue_client_token().access_token
        with httpx.Client(transport=SandboxTransport(sandbox), base_url="https://x") as http:
            response = http.get(
                "/api/v1/oauth2/browse/newest",
                params={"limit": 51},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert response.status_code == 400

    @pytest.mark.parametrize("params", [{"offset": "-1"}, {"offset": "x"}, {"limit": "0"}])
    def test_bad_paging_values_are_invalid_request(
        self, user_api: httpx.Client, params: dict[str, str]
    ) -> None:
        """Negative or non-numeric offsets and zero limits are refused."""
        assert user_api.get("/browse/newest", params=params).status_code == 400

    def test_default_limit_is_ten(self, user_api: httpx.Client) -> None:
        """Without a limit a page holds 10 deviations."""
        assert len(_ids(user_api.get("/browse/newest").json())) == 10


class TestMatureFilter:
    def test_mature_is_hidden_unless_asked_for(self, user_api: httpx.Client) -> None:
        """mature_content=true adds mature deviations; without it there are none."""
        plain = _all_pages(user_api, "newest", 120)
        mature = _all_pages(user_api, "newest", 120, mature_content="true")
        assert not any(d["is_mature"] for p in plain for d in p["results"])  # type: ignore[attr-defined]
        assert any(d["is_mature"] for p in mature for d in p["results"])  # type: ignore[attr-defined]


class TestMovingWorld:
    def test_published_deviations_shift_offsets(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """After publish(3) the old first page starts at offset 3, as on the real site."""
        before = _ids(user_api.get("/browse/newest", params={"limit": 20}).json())
        new = sandbox.publish(3)
        after = _ids(user_api.get("/browse/newest", params={"limit": 20}).json())
        assert set(after[:3]) == set(new)
        assert after[3:] == before[:17]

    def test_publish_to_watched_authors_reaches_the_watch_feed(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """publish(watched=True) puts new work at the top of deviantsyouwatch."""
        new = sandbox.publish(2, watched=True)
        top = _ids(user_api.get("/browse/deviantsyouwatch", params={"limit": 2}).json())
        assert set(top) == set(new)

    def test_deviations_arrive_with_the_clock(self, sandbox_clock: ManualClock) -> None:
        """With arrivals_per_hour, advancing the clock publishes new deviations."""
        sandbox = Sandbox.seeded(
            seed=3,
            deviations=50,
            clock=sandbox_clock,
            config=SandboxConfig(arrivals_per_hour=120),
        )
        start = sandbox_clock.now().timestamp()
        token = sandbox.issue_client_token().access_token
        with httpx.Client(transport=SandboxTransport(sandbox), base_url="https://x") as http:
            headers = {"Authorization": f"Bearer {token}"}
            http.get("/api/v1/oauth2/placebo", headers=headers)
            sandbox_clock.advance(1800)
            http.get("/api/v1/oauth2/placebo", headers=headers)
        arrived = [
            i
            for i in sandbox.deviation_ids()
            if int(sandbox.deviation(i)["published_time"]) > start
        ]
        # 60 arrived in half an hour; a few may already have been deleted again.
        assert 50 <= len(arrived) <= 60

    def test_deleted_deviations_leave_the_feeds(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """A deleted deviation no longer appears in newest."""
        victim = _ids(user_api.get("/browse/newest", params={"limit": 5}).json())[2]
        sandbox.delete_deviation(victim)
        assert victim not in _ids(user_api.get("/browse/newest", params={"limit": 5}).json())

    def test_deletions_happen_over_time(self, sandbox: Sandbox, sandbox_clock: ManualClock) -> None:
        """Some seeded deviations vanish as the sandbox clock moves on."""
        before = set(sandbox.deviation_ids())
        sandbox_clock.advance(6 * 3600 + 120)
        after = set(sandbox.deviation_ids())
        assert after < before

    def test_q_filters_newest_by_title(self, user_api: httpx.Client) -> None:
        """newest?q= keeps only titles containing the words."""
        results = user_api.get("/browse/newest", params={"q": "dragon", "limit": 50}).json()[
            "results"
        ]
        assert results
        assert all("dragon" in d["title"].lower() for d in results)
