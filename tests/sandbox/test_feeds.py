"""The feeds: offset paging, caps, mature filtering, newest first, a moving world.

The global feed is `browse/home` (user token); `browse/newest` and the other
removed endpoints answer DeviantArt's 404.
"""

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
        pages = _all_pages(user_api, "home", 50)
        ids = [i for page in pages for i in _ids(page)]
        assert len(ids) == len(set(ids))
        assert (pages[-1]["has_more"], pages[-1]["next_offset"]) == (False, None)
        assert pages[0]["next_offset"] == 50

    def test_home_is_sorted_newest_first(self, user_api: httpx.Client) -> None:
        """published_time never increases down the home feed (the sandbox's stand-in order)."""
        pages = _all_pages(user_api, "home", 50)
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

    @pytest.mark.parametrize(
        ("feed", "cap", "extra"),
        [("deviantsyouwatch", 50, {}), ("home", 50, {}), ("tags", 50, {"tag": "watercolor"})],
    )
    def test_limit_over_the_cap_is_invalid_request(
        self, user_api: httpx.Client, feed: str, cap: int, extra: dict[str, str]
    ) -> None:
        """A limit above the feed's cap is refused; the cap itself is fine."""
        ok = user_api.get(f"/browse/{feed}", params={"limit": cap, **extra})
        assert ok.status_code == 200
        refused = user_api.get(f"/browse/{feed}", params={"limit": cap + 1, **extra})
        assert (refused.status_code, refused.json()["error"]) == (400, "invalid_request")
        assert "limit" in refused.json()["error_details"]

    @pytest.mark.parametrize(
        ("config", "path", "extra"),
        [
            (SandboxConfig(home_limit_cap=20), "browse/home", {}),
            (SandboxConfig(tags_limit_cap=20), "browse/tags", {"tag": "watercolor"}),
        ],
    )
    def test_caps_are_configurable(
        self, sandbox_clock: ManualClock, config: SandboxConfig, path: str, extra: dict[str, str]
    ) -> None:
        """home_limit_cap and tags_limit_cap change the feeds' caps."""
        sandbox = Sandbox.seeded(seed=1, deviations=100, clock=sandbox_clock, config=config)
        token = sandbox.issue_user_token().access_token
        with httpx.Client(
            transport=SandboxTransport(sandbox),
            base_url="https://x/api/v1/oauth2/",
            headers={"Authorization": f"Bearer {token}"},
        ) as http:
            statuses = [http.get(path, params={"limit": n, **extra}).status_code for n in (20, 21)]
        assert statuses == [200, 400]

    @pytest.mark.parametrize("params", [{"offset": "-1"}, {"offset": "x"}, {"limit": "0"}])
    def test_bad_paging_values_are_invalid_request(
        self, user_api: httpx.Client, params: dict[str, str]
    ) -> None:
        """Negative or non-numeric offsets and zero limits are refused."""
        assert user_api.get("/browse/home", params=params).status_code == 400

    def test_default_limit_is_ten(self, user_api: httpx.Client) -> None:
        """Without a limit a page holds 10 deviations."""
        assert len(_ids(user_api.get("/browse/home").json())) == 10


class TestMatureFilter:
    def test_mature_is_hidden_unless_asked_for(self, user_api: httpx.Client) -> None:
        """mature_content=true adds mature deviations; without it there are none."""
        plain = _all_pages(user_api, "home", 50)
        mature = _all_pages(user_api, "home", 50, mature_content="true")
        assert not any(d["is_mature"] for p in plain for d in p["results"])  # type: ignore[attr-defined]
        assert any(d["is_mature"] for p in mature for d in p["results"])  # type: ignore[attr-defined]


class TestMovingWorld:
    def test_published_deviations_shift_offsets(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """After publish(3) the old first page starts at offset 3, as on the real site."""
        before = _ids(user_api.get("/browse/home", params={"limit": 20}).json())
        new = sandbox.publish(3)
        after = _ids(user_api.get("/browse/home", params={"limit": 20}).json())
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
        """A deleted deviation no longer appears in the home feed."""
        victim = _ids(user_api.get("/browse/home", params={"limit": 5}).json())[2]
        sandbox.delete_deviation(victim)
        assert victim not in _ids(user_api.get("/browse/home", params={"limit": 5}).json())

    def test_deletions_happen_over_time(self, sandbox: Sandbox, sandbox_clock: ManualClock) -> None:
        """Some seeded deviations vanish as the sandbox clock moves on."""
        before = set(sandbox.deviation_ids())
        sandbox_clock.advance(6 * 3600 + 120)
        after = set(sandbox.deviation_ids())
        assert after < before

    def test_q_filters_home_by_title(self, user_api: httpx.Client) -> None:
        """home?q= keeps only titles containing the words."""
        results = user_api.get("/browse/home", params={"q": "dragon", "limit": 50}).json()[
            "results"
        ]
        assert results
        assert all("dragon" in d["title"].lower() for d in results)


NOT_FOUND = {
    "error": "invalid_request",
    "error_description": "Api endpoint not found.",
    "status": "error",
}


class TestRemovedEndpoints:
    @pytest.mark.parametrize(
        "path",
        [
            "/browse/newest",
            "/browse/popular",
            "/browse/recommended",
            "/browse/hot",
            "/browse/undiscovered",
            "/browse/morelikethis",
        ],
    )
    def test_removed_browse_endpoints_answer_404(self, user_api: httpx.Client, path: str) -> None:
        """Endpoints DeviantArt removed answer 404 with its exact body, whatever the token."""
        response = user_api.get(path, params={"limit": 10})
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    def test_removed_endpoints_answer_404_to_a_client_token_too(
        self, app_api: httpx.Client
    ) -> None:
        """A client token gets the same 404 (the route is gone, not forbidden)."""
        response = app_api.get("/browse/newest")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    @pytest.mark.parametrize("path", ["/nowhere", "/browse/everything", "/deviation/metadata/x"])
    def test_unknown_api_paths_answer_the_same_404(self, user_api: httpx.Client, path: str) -> None:
        """Any unknown API path answers DeviantArt's "Api endpoint not found." 404."""
        response = user_api.get(path)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


class TestHomeFeed:
    def test_client_token_is_refused_like_other_user_endpoints(self, app_api: httpx.Client) -> None:
        """A client token on home gets exactly what it gets on deviantsyouwatch (user only)."""
        home = app_api.get("/browse/home")
        watch = app_api.get("/browse/deviantsyouwatch")
        assert home.status_code == 401
        assert (home.status_code, home.json()) == (watch.status_code, watch.json())

    def test_needs_the_browse_scope(
        self, sandbox: Sandbox, sandbox_transport: SandboxTransport
    ) -> None:
        """A user token without `browse` gets insufficient_scope."""
        token = sandbox.issue_user_token("basic user").access_token
        with httpx.Client(transport=sandbox_transport, base_url="https://x") as http:
            response = http.get(
                "/api/v1/oauth2/browse/home", headers={"Authorization": f"Bearer {token}"}
            )
        assert (response.status_code, response.json()["error"]) == (403, "insufficient_scope")

    def test_holds_every_visible_deviation(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """home walks through every published, undeleted deviation (mature per the flag)."""
        pages = _all_pages(user_api, "home", 50)
        assert [i for p in pages for i in _ids(p)] == sandbox.deviation_ids(mature=False)

    def test_results_carry_no_tags_or_description(self, user_api: httpx.Client) -> None:
        """Browse results have no tags and no description: only deviation/metadata does."""
        results = user_api.get("/browse/home", params={"limit": 50}).json()["results"]
        assert results
        assert not any({"tags", "description", "language"} & set(d) for d in results)


class TestTagFeed:
    def test_keeps_only_deviations_with_the_tag(
        self, sandbox: Sandbox, app_api: httpx.Client
    ) -> None:
        """tags?tag= with a client token pages through exactly the visible tagged deviations."""
        pages = _all_pages(app_api, "tags", 50, tag="watercolor")
        ids = [i for p in pages for i in _ids(p)]
        assert len(ids) > 24  # a common tag: dozens in a 400-deviation world
        assert ids == sandbox.deviation_ids(tag="watercolor", mature=False)
        assert all(
            "watercolor" in [t["tag_name"] for t in sandbox.metadata(i)["tags"]] for i in ids
        )

    def test_tag_is_case_insensitive(self, app_api: httpx.Client) -> None:
        """WaterColor finds what watercolor finds."""
        upper = app_api.get("/browse/tags", params={"tag": "WaterColor", "limit": 50}).json()
        lower = app_api.get("/browse/tags", params={"tag": "watercolor", "limit": 50}).json()
        assert upper == lower

    def test_estimated_total_counts_the_matches(
        self, sandbox: Sandbox, app_api: httpx.Client
    ) -> None:
        """estimated_total is the number of visible deviations with the tag."""
        page = app_api.get("/browse/tags", params={"tag": "digitalart", "limit": 5}).json()
        assert page["estimated_total"] == len(sandbox.deviation_ids(tag="digitalart", mature=False))
        assert (len(page["results"]), page["has_more"], page["next_offset"]) == (5, True, 5)

    def test_mature_follows_the_flag(self, sandbox: Sandbox, app_api: httpx.Client) -> None:
        """Mature tagged deviations appear only with mature_content=true."""
        plain = _all_pages(app_api, "tags", 50, tag="illustration")
        mature = _all_pages(app_api, "tags", 50, tag="illustration", mature_content="true")
        assert not any(d["is_mature"] for p in plain for d in p["results"])  # type: ignore[attr-defined]
        assert [i for p in mature for i in _ids(p)] == sandbox.deviation_ids(tag="illustration")

    def test_unknown_tag_is_an_empty_feed(self, app_api: httpx.Client) -> None:
        """A tag nobody uses answers an empty page, not an error."""
        page = app_api.get("/browse/tags", params={"tag": "no_such_tag_anywhere"}).json()
        assert page == {"has_more": False, "next_offset": None, "results": [], "estimated_total": 0}

    @pytest.mark.parametrize("params", [{}, {"tag": ""}, {"tag": "   "}])
    def test_tag_is_required(self, app_api: httpx.Client, params: dict[str, str]) -> None:
        """A missing or empty tag is a 400 validation error naming `tag`."""
        response = app_api.get("/browse/tags", params=params)
        body = response.json()
        assert (response.status_code, body["error"]) == (400, "invalid_request")
        assert set(body["error_details"]) == {"tag"}

    def test_new_deviations_carry_tags_too(self, sandbox: Sandbox, app_api: httpx.Client) -> None:
        """A deviation published during a run is tagged and reaches its tag feeds."""
        [new] = sandbox.publish(1)
        tag = sandbox.metadata(new)["tags"][0]["tag_name"]
        top = _ids(app_api.get("/browse/tags", params={"tag": tag, "limit": 1}).json())
        assert top == [new]
