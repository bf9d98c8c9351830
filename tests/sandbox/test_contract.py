"""Contract: every endpoint answers with the field names and types of docs/deviantart.md."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from photomanager.sandbox import Sandbox

# A schema maps each documented field to a type, a tuple of types, or a nested schema.
Schema = dict[str, Any]
UUID_UPPER = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")

USER: Schema = {"userid": str, "username": str, "usericon": str, "type": str}
DEVIATION: Schema = {
    "deviationid": str,
    "url": str,
    "title": str,
    "author": USER,
    "published_time": str,
    "is_mature": bool,
    "allows_comments": bool,
    "is_deleted": bool,
    "is_published": bool,
    "is_blocked": bool,
    "stats": {"comments": int, "favourites": int},
    "category": str,
    "category_path": str,
}
FEED_PAGE: Schema = {"has_more": bool, "next_offset": (int, type(None)), "results": list}
TAG_PAGE: Schema = {**FEED_PAGE, "estimated_total": int}
TAG: Schema = {"tag_name": str, "sponsored": bool, "sponsor": str}
METADATA: Schema = {
    "deviationid": str,
    "printid": type(None),
    "author": USER,
    "is_watching": bool,
    "title": str,
    "description": str,
    "license": str,
    "allows_comments": bool,
    "can_post_comment": bool,
    "tags": list,
    "is_favourited": bool,
    "is_mature": bool,
}
COMMENT: Schema = {
    "commentid": str,
    "parentid": (str, type(None)),
    "posted": str,
    "replies": int,
    "hidden": (str, type(None)),
    "body": str,
    "user": USER,
}
COMMENT_PAGE: Schema = {
    "has_more": bool,
    "next_offset": (int, type(None)),
    "has_less": bool,
    "prev_offset": (int, type(None)),
    "thread": list,
}
TOKEN: Schema = {
    "access_token": str,
    "token_type": str,
    "expires_in": int,
    "refresh_token": str,
    "scope": str,
    "status": str,
}
ERROR: Schema = {"error": str, "error_description": str, "status": str}


def conforms(value: Any, schema: Schema, where: str = "$") -> list[str]:
    """Problems of `value` against `schema` (empty when it conforms)."""
    if not isinstance(value, dict):
        return [f"{where}: expected an object, got {type(value).__name__}"]
    problems = []
    for name, expected in schema.items():
        if name not in value:
            problems.append(f"{where}.{name}: missing")
        elif isinstance(expected, dict):
            problems += conforms(value[name], expected, f"{where}.{name}")
        elif type(value[name]) is bool and expected is int:
            problems.append(f"{where}.{name}: bool where int expected")
        elif not isinstance(value[name], expected):
            problems.append(f"{where}.{name}: {type(value[name]).__name__}")
    return problems


def _error_conforms(response: httpx.Response) -> list[str]:
    body = response.json()
    problems = conforms(body, ERROR)
    if body.get("status") != "error":
        problems.append("status is not 'error'")
    if "error_details" in body and not isinstance(body["error_details"], dict):
        problems.append("error_details is not an object")
    if "error_code" in body and type(body["error_code"]) is not int:
        problems.append("error_code is not an int")
    return problems


class TestSchemaChecker:
    def test_flags_a_missing_field(self) -> None:
        """The checker itself reports a missing field (so the contract tests can fail)."""
        assert conforms({"userid": "x", "username": "y", "usericon": "z"}, USER) == [
            "$.type: missing"
        ]

    def test_flags_a_wrong_type(self) -> None:
        """A number where a string is documented is reported."""
        assert conforms({"published_time": 12}, {"published_time": str}) == [
            "$.published_time: int"
        ]


class TestFeedContract:
    @pytest.mark.parametrize(
        ("feed", "params", "schema"),
        [
            ("deviantsyouwatch", {}, FEED_PAGE),
            ("home", {}, FEED_PAGE),
            ("tags", {"tag": "watercolor"}, TAG_PAGE),
        ],
    )
    def test_feed_page_and_every_deviation_conform(
        self, user_api: httpx.Client, feed: str, params: dict[str, str], schema: Schema
    ) -> None:
        """A feed page and each deviation in it carry the documented fields and types."""
        body = user_api.get(f"/browse/{feed}", params={"limit": 50, **params}).json()
        assert conforms(body, schema) == []
        assert body["results"]
        for deviation in body["results"]:
            assert conforms(deviation, DEVIATION) == []

    def test_ids_are_upper_case_uuids_and_times_are_digit_strings(
        self, user_api: httpx.Client
    ) -> None:
        """deviationid is an upper-case UUID; published_time is unix seconds as a string."""
        results = user_api.get("/browse/home", params={"limit": 50}).json()["results"]
        assert all(UUID_UPPER.match(d["deviationid"]) for d in results)
        assert all(d["published_time"].isdigit() for d in results)


class TestMetadataContract:
    def test_metadata_and_its_tags_conform(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """Each metadata entry and each of its tags carry the documented fields and types."""
        ids = sandbox.deviation_ids()[:50]
        body = user_api.get("/deviation/metadata", params={"deviationids[]": ids}).json()
        assert set(body) == {"metadata"}
        assert len(body["metadata"]) == 50
        for entry in body["metadata"]:
            assert conforms(entry, METADATA) == []
            assert UUID_UPPER.match(entry["deviationid"])
            assert [conforms(t, TAG) for t in entry["tags"]] == [[]] * len(entry["tags"])
        assert any(entry["tags"] for entry in body["metadata"])

    def test_tags_are_lower_case_words_never_sponsored(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """tag_name is lower case letters, digits and underscores; sponsored false, sponsor ""."""
        ids = sandbox.deviation_ids()[:50]
        entries = user_api.get("/deviation/metadata", params={"deviationids[]": ids}).json()
        tags = [t for e in entries["metadata"] for t in e["tags"]]
        assert all(re.fullmatch(r"\w+", t["tag_name"]) for t in tags)
        assert all(t["tag_name"] == t["tag_name"].lower() for t in tags)
        assert {(t["sponsored"], t["sponsor"]) for t in tags} == {(False, "")}


class TestCommentContract:
    def test_posted_comment_conforms(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """The POST answer is the documented comment object."""
        target = sandbox.deviation_ids(commentable=True)[0]
        body = user_api.post(f"/comments/post/deviation/{target}", data={"body": "Nice"}).json()
        assert conforms(body, COMMENT) == []
        assert UUID_UPPER.match(body["commentid"])

    def test_read_back_conforms(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """The read-back page and its comments carry the documented fields."""
        target = sandbox.deviation_ids(commentable=True)[0]
        user_api.post(f"/comments/post/deviation/{target}", data={"body": "Nice"})
        body = user_api.get(f"/comments/deviation/{target}").json()
        assert conforms(body, COMMENT_PAGE) == []
        assert [conforms(c, COMMENT) for c in body["thread"]] == [[]] * len(body["thread"])


class TestAccountContract:
    def test_whoami_conforms(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """whoami answers {userid, username, usericon, type} for the artist."""
        body = user_api.get("/user/whoami").json()
        assert conforms(body, USER) == []
        assert body["username"] == sandbox.artist.username

    def test_placebo_answers_success(self, user_api: httpx.Client) -> None:
        """placebo answers {"status": "success"}."""
        assert user_api.get("/placebo").json() == {"status": "success"}

    def test_token_response_conforms(self, sandbox: Sandbox, http: httpx.Client) -> None:
        """The token endpoint answers the documented token object."""
        refresh = sandbox.issue_user_token().refresh_token
        assert refresh is not None
        response = http.post(
            "/oauth2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh,
                "client_id": sandbox.client_id,
                "client_secret": sandbox.client_secret or "",
            },
        )
        body = response.json()
        assert conforms(body, TOKEN) == []
        assert (body["token_type"], body["status"]) == ("Bearer", "success")


class TestErrorContract:
    def test_every_error_kind_has_the_documented_shape(
        self, sandbox: Sandbox, http: httpx.Client, user_api: httpx.Client
    ) -> None:
        """401, 400 (validation and refusal), 404, 503 and 500 all share the error shape."""
        disabled = sandbox.deviation_ids(commentable=True)[0]
        sandbox.set_allows_comments(disabled, False)
        responses = [
            http.get("/api/v1/oauth2/placebo"),
            user_api.get("/browse/home", params={"limit": 500}),
            user_api.get("/browse/tags"),
            user_api.get("/deviation/metadata"),
            user_api.get("/browse/newest"),
            user_api.post(f"/comments/post/deviation/{disabled}", data={"body": "x"}),
            http.post("/oauth2/token", data={"grant_type": "client_credentials"}),
        ]
        sandbox.faults.maintenance = True
        responses.append(user_api.get("/placebo"))
        sandbox.faults.maintenance = False
        sandbox.faults.server_error_probability = 1.0
        responses.append(user_api.get("/placebo"))
        assert [r.status_code for r in responses] == [401, 400, 400, 400, 404, 400, 401, 503, 500]
        assert [_error_conforms(r) for r in responses] == [[]] * len(responses)

    def test_validation_errors_carry_error_details(self, user_api: httpx.Client) -> None:
        """A bad field is named in error_details."""
        body = user_api.get("/browse/deviantsyouwatch", params={"limit": 51}).json()
        assert body["error"] == "invalid_request"
        assert set(body["error_details"]) == {"limit"}
