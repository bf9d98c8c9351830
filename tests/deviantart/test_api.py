"""`DeviantArtApiClient`: endpoints, and defensive parsing into domain objects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from deviantart.da_doubles import BASE_URL, Harness, json_response
from photomanager.deviantart.api import DeviantArtApiClient
from photomanager.domain.errors import DeviantArtError, InvalidInput, OutcomeUnknown
from photomanager.domain.models import Author, Deviation, TokenKind

DEV_ID = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
DEV_ID_UPPER = DEV_ID.upper()
USER_ID = "11111111-2222-3333-4444-555555555555"


def deviation_json(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "deviationid": DEV_ID,
        "url": "https://www.deviantart.com/artist/art/Sunset-123",
        "title": "Sunset",
        "author": {"userid": USER_ID, "username": "artist", "usericon": "x", "type": "regular"},
        "published_time": "1714564800",
        "is_mature": False,
        "allows_comments": True,
        "is_deleted": False,
        "stats": {"comments": 1, "favourites": 2},
    }
    item.update(overrides)
    return item


def comment_json(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "commentid": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "parentid": None,
        "posted": "2024-05-01T14:00:00+0200",
        "replies": 0,
        "hidden": None,
        "body": "Lovely colours!",
        "user": {"userid": USER_ID, "username": "me"},
    }
    item.update(overrides)
    return item


def _api(harness: Harness) -> DeviantArtApiClient:
    return DeviantArtApiClient(harness.make())


class TestBrowse:
    def test_parses_a_page_of_deviations(self, harness: Harness) -> None:
        """A browse page becomes a FeedPage with upper-case ids and UTC publish times."""
        harness.server.reply(
            json_response(200, {"has_more": True, "next_offset": 50, "results": [deviation_json()]})
        )
        page = _api(harness).browse(
            "browse/deviantsyouwatch",
            token_kind=TokenKind.USER,
            offset=0,
            limit=50,
            mature_content=False,
        )
        assert page.has_more is True
        assert page.next_offset == 50
        assert page.results == (
            Deviation(
                deviationid=DEV_ID_UPPER,
                title="Sunset",
                url="https://www.deviantart.com/artist/art/Sunset-123",
                author=Author(userid=USER_ID.upper(), username="artist"),
                published_time=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
            ),
        )

    def test_sends_offset_limit_and_mature_flag(self, harness: Harness) -> None:
        """Paging parameters go in the query, with the limit capped at 50."""
        harness.server.reply(json_response(200, {"has_more": False, "results": []}))
        _api(harness).browse(
            "browse/tags", token_kind=TokenKind.CLIENT, offset=100, limit=500, mature_content=True
        )
        request = harness.server.requests[0]
        assert request.url.path == "/api/v1/oauth2/browse/tags"
        assert dict(request.url.params) == {
            "offset": "100",
            "limit": "50",
            "mature_content": "true",
        }

    def test_keeps_a_query_of_a_configured_feed(self, harness: Harness) -> None:
        """A feed path with its own query (browse/tags?tag=x) keeps it."""
        harness.server.reply(json_response(200, {"has_more": False, "results": []}))
        _api(harness).browse(
            "browse/tags?tag=sunset",
            token_kind=TokenKind.CLIENT,
            offset=0,
            limit=10,
            mature_content=False,
        )
        params = harness.server.requests[0].url.params
        assert (params["tag"], params["limit"]) == ("sunset", "10")

    def test_skips_malformed_items(self, harness: Harness) -> None:
        """Items without a usable id are skipped; odd field types fall back to defaults."""
        results = [
            "not an object",
            deviation_json(deviationid=None),
            deviation_json(deviationid="../../user/whoami"),
            deviation_json(title=["x"], author="nobody", published_time="yesterday", is_mature="1"),
        ]
        harness.server.reply(json_response(200, {"has_more": "yes", "results": results}))
        page = _api(harness).browse(
            "browse/tags", token_kind=TokenKind.CLIENT, offset=0, limit=50, mature_content=False
        )
        assert page.has_more is False
        assert page.next_offset is None
        assert page.results == (
            Deviation(
                deviationid=DEV_ID_UPPER,
                title="",
                url="https://www.deviantart.com/artist/art/Sunset-123",
                author=Author(userid="", username=""),
                published_time=None,
            ),
        )

    def test_flags_are_read(self, harness: Harness) -> None:
        """is_mature, allows_comments and is_deleted come through."""
        item = deviation_json(is_mature=True, allows_comments=False, is_deleted=True)
        harness.server.reply(json_response(200, {"results": [item]}))
        (deviation,) = (
            _api(harness)
            .browse(
                "browse/tags",
                token_kind=TokenKind.CLIENT,
                offset=0,
                limit=50,
                mature_content=True,
            )
            .results
        )
        assert (deviation.is_mature, deviation.allows_comments, deviation.is_deleted) == (
            True,
            False,
            True,
        )

    def test_control_characters_are_dropped_from_third_party_text(self, harness: Harness) -> None:
        """NUL and escapes in a title or username never reach storage (PostgreSQL refuses NUL)."""
        item = deviation_json(
            title="Night\x00 Sky\x1b[31m\nII",
            author={"userid": USER_ID, "username": "ar\x00tist"},
        )
        harness.server.reply(json_response(200, {"results": [item]}))
        (deviation,) = (
            _api(harness)
            .browse(
                "browse/tags",
                token_kind=TokenKind.CLIENT,
                offset=0,
                limit=50,
                mature_content=True,
            )
            .results
        )
        assert deviation.title == "Night Sky[31m\nII"
        assert deviation.author.username == "artist"


class TestPostComment:
    def test_posts_the_body_and_returns_the_comment(self, harness: Harness) -> None:
        """The body is posted as a form to comments/post/deviation/{ID}; the comment returned."""
        harness.server.reply(json_response(200, comment_json()))
        comment = _api(harness).post_comment(DEV_ID, "Lovely colours!")

        request = harness.server.requests[0]
        assert request.method == "POST"
        assert (
            str(request.url) == f"{BASE_URL}/api/v1/oauth2/comments/post/deviation/{DEV_ID_UPPER}"
        )
        assert harness.server.form() == {"body": "Lovely colours!"}
        assert comment.commentid == "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"
        assert comment.posted == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
        assert comment.author == Author(userid=USER_ID.upper(), username="me")

    def test_refuses_a_bad_id_before_sending(self, harness: Harness) -> None:
        """An id that is not a UUID never reaches a URL."""
        with pytest.raises(InvalidInput):
            _api(harness).post_comment("../../user/whoami", "hi")
        assert harness.server.requests == []

    def test_unreadable_comment_is_outcome_unknown(self, harness: Harness) -> None:
        """A 200 without a usable comment landed, but must be reconciled."""
        harness.server.reply(json_response(200, {"status": "success"}))
        with pytest.raises(OutcomeUnknown):
            _api(harness).post_comment(DEV_ID, "hi")
        assert len(harness.server.requests) == 1


class TestListComments:
    @pytest.mark.parametrize(
        "posted",
        ["2024-05-01T14:00:00+0200", "2024-05-01T12:00:00Z", "1714564800", 1714564800],
    )
    def test_posted_accepts_iso_and_unix_seconds(self, harness: Harness, posted: object) -> None:
        """`posted` as an ISO string or unix seconds gives the same UTC instant."""
        harness.server.reply(
            json_response(200, {"has_more": False, "thread": [comment_json(posted=posted)]})
        )
        page = _api(harness).list_comments(DEV_ID, offset=0, limit=50)
        assert [c.posted for c in page.thread] == [datetime(2024, 5, 1, 12, 0, tzinfo=UTC)]

    def test_requests_the_thread_page(self, harness: Harness) -> None:
        """GET comments/deviation/{ID} with offset and limit; paging fields parsed."""
        harness.server.reply(
            json_response(200, {"has_more": True, "next_offset": 10, "thread": []})
        )
        page = _api(harness).list_comments(DEV_ID, offset=0, limit=10)
        request = harness.server.requests[0]
        assert request.url.path == f"/api/v1/oauth2/comments/deviation/{DEV_ID_UPPER}"
        assert dict(request.url.params) == {"offset": "0", "limit": "10"}
        assert (page.has_more, page.next_offset) == (True, 10)

    def test_skips_malformed_comments(self, harness: Harness) -> None:
        """Comments without id, time or author are skipped, the rest kept."""
        thread = [
            comment_json(commentid=None),
            comment_json(posted="whenever"),
            comment_json(user=None),
            42,
            comment_json(body=None, hidden="hidden_by_owner"),
        ]
        harness.server.reply(json_response(200, {"thread": thread}))
        page = _api(harness).list_comments(DEV_ID, offset=0, limit=50)
        assert [(c.body, c.hidden) for c in page.thread] == [("", "hidden_by_owner")]


class TestAccount:
    def test_whoami(self, harness: Harness) -> None:
        """user/whoami becomes a DeviantArtUser."""
        harness.server.reply(
            json_response(
                200, {"userid": USER_ID, "username": "me", "usericon": "i.png", "type": "regular"}
            )
        )
        user = _api(harness).whoami()
        assert (user.userid, user.username, user.usericon, user.type) == (
            USER_ID.upper(),
            "me",
            "i.png",
            "regular",
        )
        assert harness.server.requests[0].url.path == "/api/v1/oauth2/user/whoami"

    def test_whoami_without_id_is_an_error(self, harness: Harness) -> None:
        """An answer without userid/username raises instead of inventing a user."""
        harness.server.reply(json_response(200, {"username": "me"}))
        with pytest.raises(DeviantArtError):
            _api(harness).whoami()

    def test_placebo(self, harness: Harness) -> None:
        """placebo() is True when DeviantArt answers success."""
        harness.server.reply(json_response(200, {"status": "success"}))
        assert _api(harness).placebo() is True

    def test_recommended_delay_is_the_clients(self, harness: Harness) -> None:
        """get_recommended_delay() reports the underlying client's delay."""
        client = harness.make()
        assert DeviantArtApiClient(client).get_recommended_delay() == (
            client.get_recommended_delay()
        )
