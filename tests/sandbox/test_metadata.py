"""deviation/metadata: tags and descriptions for up to 50 ids, a multi-valued query."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from photomanager.sandbox import ManualClock, QueryParams, Sandbox, SandboxConfig
from photomanager.sandbox.adapters import SandboxServer, SandboxTransport

IDS = "deviationids[]"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
START = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)


def _metadata(api: httpx.Client, ids: list[str]) -> list[dict[str, object]]:
    response = api.get("/deviation/metadata", params={IDS: ids})
    assert response.status_code == 200, response.text
    entries = response.json()["metadata"]
    assert isinstance(entries, list)
    return entries


class TestLookup:
    def test_answers_each_id_in_order(self, sandbox: Sandbox, app_api: httpx.Client) -> None:
        """Several ids in one call come back in the order asked, with the client token."""
        ids = sandbox.deviation_ids()[5:15]
        assert [e["deviationid"] for e in _metadata(app_api, ids)] == ids

    def test_entry_tells_the_sandbox_truth(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """Title, HTML description, tags, author and flags are the deviation's own."""
        some = sandbox.deviation_ids()[3]
        [entry] = _metadata(user_api, [some])
        record = sandbox._world.by_id[some]
        assert entry["title"] == record.title
        assert entry["description"] == record.description
        assert [t["tag_name"] for t in entry["tags"]] == list(record.tags)  # type: ignore[attr-defined]
        assert entry["author"] == sandbox.deviation(some)["author"]
        assert (entry["is_mature"], entry["allows_comments"]) == (
            record.is_mature,
            record.allows_comments,
        )
        assert (entry["printid"], entry["is_favourited"]) == (None, False)

    def test_language_is_never_sent(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """DeviantArt has no language field: metadata does not carry the sandbox's truth."""
        entries = _metadata(user_api, sandbox.deviation_ids()[:50])
        assert not any("language" in e for e in entries)

    def test_unknown_ids_are_left_out(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """Unknown, malformed and deleted ids are skipped without an error."""
        known, deleted = sandbox.deviation_ids()[:2]
        sandbox.delete_deviation(deleted)
        entries = _metadata(user_api, [UNKNOWN, known, "not-an-id", deleted])
        assert [e["deviationid"] for e in entries] == [known]

    def test_ids_are_accepted_in_any_case(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """A lower-case id finds the deviation; the answer uses the upper-case id."""
        some = sandbox.deviation_ids()[0]
        assert [e["deviationid"] for e in _metadata(user_api, [some.lower()])] == [some]

    def test_a_repeated_id_is_answered_once(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """The same id twice gives one entry."""
        some = sandbox.deviation_ids()[0]
        assert len(_metadata(user_api, [some, some])) == 1

    def test_mature_deviations_are_described(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """A mature deviation's metadata comes back, flagged is_mature."""
        mature = sandbox.deviation_ids(mature=True)[0]
        [entry] = _metadata(user_api, [mature])
        assert entry["is_mature"] is True


class TestCommenting:
    def test_can_post_comment_on_an_open_deviation(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """can_post_comment is true where a post would succeed."""
        [entry] = _metadata(user_api, [sandbox.deviation_ids(commentable=True)[0]])
        assert (entry["allows_comments"], entry["can_post_comment"]) == (True, True)

    def test_comments_disabled_means_cannot_post(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """Switching comments off makes can_post_comment false."""
        target = sandbox.deviation_ids(commentable=True)[0]
        sandbox.set_allows_comments(target, False)
        [entry] = _metadata(user_api, [target])
        assert (entry["allows_comments"], entry["can_post_comment"]) == (False, False)

    def test_a_blocking_author_means_cannot_post(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """When the author blocks the artist, comments stay allowed but posting is not."""
        target = sandbox.deviation_ids(commentable=True)[0]
        sandbox.block_artist(sandbox.deviation(target)["author"]["userid"])
        [entry] = _metadata(user_api, [target])
        assert (entry["allows_comments"], entry["can_post_comment"]) == (True, False)

    def test_is_watching_follows_the_watch_list(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """is_watching is true exactly for authors the artist watches."""
        ids = sandbox.deviation_ids()[:50]
        entries = _metadata(user_api, ids)
        watched = {e["deviationid"] for e in entries if e["is_watching"]}
        assert watched == set(ids) & set(sandbox.deviation_ids(feed="watch"))
        assert watched


class TestLimits:
    def test_fifty_ids_are_fine(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """Exactly 50 ids are answered."""
        assert len(_metadata(user_api, sandbox.deviation_ids()[:50])) == 50

    def test_more_than_fifty_ids_is_a_validation_error(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """51 ids are refused with error_details naming deviationids."""
        response = user_api.get("/deviation/metadata", params={IDS: sandbox.deviation_ids()[:51]})
        body = response.json()
        assert (response.status_code, body["error"]) == (400, "invalid_request")
        assert set(body["error_details"]) == {"deviationids"}

    def test_no_ids_is_a_validation_error(self, user_api: httpx.Client) -> None:
        """Without deviationids[] the call is refused, naming the field."""
        response = user_api.get("/deviation/metadata")
        assert response.status_code == 400
        assert set(response.json()["error_details"]) == {"deviationids"}

    def test_the_cap_is_configurable(self, sandbox_clock: ManualClock) -> None:
        """metadata_ids_cap changes how many ids one call may ask for."""
        sandbox = Sandbox.seeded(
            seed=1, deviations=50, clock=sandbox_clock, config=SandboxConfig(metadata_ids_cap=10)
        )
        token = sandbox.issue_client_token().access_token
        ids = sandbox.deviation_ids()
        with httpx.Client(
            transport=SandboxTransport(sandbox),
            base_url="https://x/api/v1/oauth2",
            headers={"Authorization": f"Bearer {token}"},
        ) as http:
            statuses = [
                http.get("/deviation/metadata", params={IDS: ids[:n]}).status_code for n in (10, 11)
            ]
        assert statuses == [200, 400]

    def test_needs_the_browse_scope(self, sandbox: Sandbox, http: httpx.Client) -> None:
        """A user token without `browse` gets insufficient_scope."""
        token = sandbox.issue_user_token("basic user").access_token
        response = http.get(
            "/api/v1/oauth2/deviation/metadata",
            params={IDS: sandbox.deviation_ids()[0]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert (response.status_code, response.json()["error"]) == (403, "insufficient_scope")


class TestMultiValuedQuery:
    def _ids_over(self, client: httpx.Client, sandbox: Sandbox, ids: list[str]) -> list[str]:
        token = sandbox.issue_client_token().access_token
        response = client.get(
            "/api/v1/oauth2/deviation/metadata",
            params={IDS: ids},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200
        return [e["deviationid"] for e in response.json()["metadata"]]

    def test_every_repeated_id_reaches_the_site_in_process(self) -> None:
        """Through the httpx transport, all repeated deviationids[] are seen."""
        sandbox = Sandbox.seeded(seed=5, deviations=60, clock=ManualClock(START))
        ids = sandbox.deviation_ids()[:7]
        with httpx.Client(
            transport=SandboxTransport(sandbox), base_url="https://www.deviantart.com"
        ) as client:
            assert self._ids_over(client, sandbox, ids) == ids

    def test_every_repeated_id_reaches_the_site_over_http(self) -> None:
        """Over real HTTP (ASGI under uvicorn), all repeated deviationids[] are seen."""
        sandbox = Sandbox.seeded(seed=5, deviations=60, clock=ManualClock(START))
        ids = sandbox.deviation_ids()[:7]
        with SandboxServer(sandbox) as base_url, httpx.Client(base_url=base_url) as client:
            assert self._ids_over(client, sandbox, ids) == ids

    def test_handle_accepts_a_plain_mapping(self, sandbox: Sandbox) -> None:
        """Sandbox.handle still takes a plain dict (one id) as well as QueryParams (many)."""
        token = sandbox.issue_client_token().access_token
        headers = {"Authorization": f"Bearer {token}"}
        first, second = sandbox.deviation_ids()[:2]
        path = "/api/v1/oauth2/deviation/metadata"
        single = sandbox.handle("GET", path, {IDS: first}, {}, headers)
        both = sandbox.handle("GET", path, QueryParams([(IDS, first), (IDS, second)]), {}, headers)
        assert [e["deviationid"] for e in single.json_body["metadata"]] == [first]
        assert [e["deviationid"] for e in both.json_body["metadata"]] == [first, second]


class TestQueryParams:
    def test_last_value_wins_and_getall_keeps_every_value(self) -> None:
        """query[key] is the last value of a repeated key; getall() returns all, in order."""
        query = QueryParams.parse("a=1&b=x&a=2&a=3")
        assert (query["a"], query.getall("a"), query.getall("b")) == ("3", ["1", "2", "3"], ["x"])
        assert (len(query), sorted(query)) == (2, ["a", "b"])

    def test_missing_keys(self) -> None:
        """A missing key raises KeyError, get() answers None, getall() an empty list."""
        query = QueryParams.parse("a=1")
        with pytest.raises(KeyError):
            query["b"]
        assert (query.get("b"), query.getall("b"), "b" in query) == (None, [], False)

    def test_parse_decodes_escapes_and_keeps_blanks(self) -> None:
        """Percent-escapes (brackets, UTF-8) are decoded; blank values are kept."""
        query = QueryParams.parse("deviationids%5B%5D=A&tag=%D0%B0%D0%BA%D0%B2&q=")
        assert dict(query) == {"deviationids[]": "A", "tag": "акв", "q": ""}

    def test_of_wraps_a_mapping_and_keeps_a_query_params(self) -> None:
        """QueryParams.of turns a dict into one and returns a QueryParams unchanged."""
        query = QueryParams.parse("a=1&a=2")
        assert QueryParams.of(query) is query
        assert QueryParams.of({"a": "1"}).getall("a") == ["1"]
        assert query.multi_items() == [("a", "1"), ("a", "2")]
