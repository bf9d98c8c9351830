"""Posting and reading back comments, and every refusal DeviantArt answers."""

from __future__ import annotations

import httpx
import pytest

from photomanager.sandbox import Sandbox


@pytest.fixture
def target(sandbox: Sandbox) -> str:
    """A deviation a post will succeed on."""
    return sandbox.deviation_ids(commentable=True)[0]


def _post(api: httpx.Client, deviationid: str, body: str = "Lovely work!") -> httpx.Response:
    return api.post(f"/comments/post/deviation/{deviationid}", data={"body": body})


class TestPost:
    def test_post_stores_the_comment_as_the_artist(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """A post answers 200 with the comment and the ledger holds it."""
        response = _post(user_api, target, "Привет 🌸 <b>&</b>")
        assert response.status_code == 200
        stored = sandbox.ledger.comments_for(target)
        assert [(c.body, c.user.userid) for c in stored] == [
            ("Привет 🌸 <b>&</b>", sandbox.artist.userid)
        ]
        assert response.json()["commentid"] == stored[0].commentid

    def test_post_counts_in_the_deviation_stats(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """stats.comments grows by one."""
        before = sandbox.deviation(target)["stats"]["comments"]
        _post(user_api, target)
        assert sandbox.deviation(target)["stats"]["comments"] == before + 1

    def test_lower_case_id_is_accepted(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """DeviantArt accepts ids in either case."""
        assert _post(user_api, target.lower()).status_code == 200
        assert len(sandbox.ledger.comments_for(target)) == 1

    def test_repeated_posts_make_duplicates(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """There is no idempotency key: a second POST is a second comment."""
        _post(user_api, target)
        _post(user_api, target)
        assert sandbox.ledger.duplicates() == [target]


class TestRefusals:
    @pytest.mark.parametrize("body", ["", "   \n"])
    def test_empty_body_is_a_validation_error(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str, body: str
    ) -> None:
        """An empty body is refused with error_details naming body; nothing is stored."""
        response = _post(user_api, target, body)
        assert response.status_code == 400
        assert list(response.json()["error_details"]) == ["body"]
        assert sandbox.ledger.comments_for(target) == []

    def test_body_over_the_max_length_is_refused(self, user_api: httpx.Client, target: str) -> None:
        """5,000 characters pass, 5,001 do not."""
        assert _post(user_api, target, "x" * 5000).status_code == 200
        refused = _post(user_api, target, "x" * 5001)
        assert (refused.status_code, list(refused.json()["error_details"])) == (400, ["body"])

    def test_deleted_deviation_is_refused(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """Posting under a deleted deviation is a 400 invalid_request."""
        sandbox.delete_deviation(target)
        response = _post(user_api, target)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
        assert sandbox.ledger.comments_for(target) == []

    def test_comments_disabled_is_refused(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """Posting where comments are off is a 400 invalid_request."""
        sandbox.set_allows_comments(target, False)
        assert _post(user_api, target).json()["error"] == "invalid_request"
        assert sandbox.ledger.comments_for(target) == []

    def test_blocked_by_the_author_is_refused(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """An author who blocked the artist refuses the post with 400 invalid_request."""
        sandbox.block_artist(sandbox.deviation(target)["author"]["userid"])
        assert _post(user_api, target).status_code == 400
        assert sandbox.ledger.comments_for(target) == []

    def test_seeded_disabled_deviations_refuse(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """The seeded world holds deviations that refuse comments."""
        refusing = sandbox.deviation_ids(commentable=False)
        assert refusing
        assert {_post(user_api, i).status_code for i in refusing[:5]} == {400}

    @pytest.mark.parametrize("deviationid", ["00000000-0000-4000-8000-000000000000", "not-a-uuid"])
    def test_unknown_or_malformed_ids_are_refused(
        self, user_api: httpx.Client, deviationid: str
    ) -> None:
        """An unknown or malformed id is a 400 invalid_request."""
        response = _post(user_api, deviationid)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


class TestReadBack:
    def test_our_comment_is_found_on_the_first_page(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """The read-back shows our comment with our userid and body."""
        commentid = _post(user_api, target, "mine").json()["commentid"]
        thread = user_api.get(f"/comments/deviation/{target}").json()["thread"]
        ours = [c for c in thread if c["commentid"] == commentid]
        assert [(c["user"]["userid"], c["body"]) for c in ours] == [(sandbox.artist.userid, "mine")]

    def test_read_back_pages(self, user_api: httpx.Client, target: str) -> None:
        """Offset paging walks every comment once, with has_less/prev_offset set."""
        for n in range(5):
            _post(user_api, target, f"c{n}")
        first = user_api.get(f"/comments/deviation/{target}", params={"limit": 2}).json()
        second = user_api.get(
            f"/comments/deviation/{target}", params={"limit": 2, "offset": first["next_offset"]}
        ).json()
        assert (first["has_less"], first["prev_offset"], first["next_offset"]) == (False, None, 2)
        assert (second["has_less"], second["prev_offset"]) == (True, 0)
        bodies = [c["body"] for c in first["thread"] + second["thread"]]
        assert bodies == ["c4", "c3", "c2", "c1"]

    def test_read_back_works_with_a_client_token(
        self, sandbox: Sandbox, user_api: httpx.Client, app_api: httpx.Client, target: str
    ) -> None:
        """Comments are public: a client-credentials token may read them."""
        _post(user_api, target)
        assert app_api.get(f"/comments/deviation/{target}").status_code == 200

    def test_read_back_of_a_deleted_deviation_is_refused(
        self, sandbox: Sandbox, user_api: httpx.Client, target: str
    ) -> None:
        """A deleted deviation's comments cannot be read."""
        sandbox.delete_deviation(target)
        assert user_api.get(f"/comments/deviation/{target}").status_code == 400
