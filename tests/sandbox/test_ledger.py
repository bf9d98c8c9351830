"""The ledger: what the fake DeviantArt saw, readable by tests from any thread."""

from __future__ import annotations

import threading

import httpx
import pytest

from photomanager.domain.models import TokenKind
from photomanager.sandbox import ManualClock, Reactions, Sandbox
from photomanager.sandbox.adapters import SandboxServer


class TestRequests:
    def test_records_method_path_token_kind_and_status(
        self, sandbox: Sandbox, user_api: httpx.Client, app_api: httpx.Client, http: httpx.Client
    ) -> None:
        """Every request is recorded with its token kind and the status answered."""
        user_api.get("/user/whoami")
        app_api.get("/browse/tags", params={"tag": "watercolor"})
        http.get("/api/v1/oauth2/placebo")
        seen = [(r.method, r.endpoint, r.token_kind, r.status) for r in sandbox.ledger.requests()]
        assert seen == [
            ("GET", "whoami", TokenKind.USER, 200),
            ("GET", "tags", TokenKind.CLIENT, 200),
            ("GET", "placebo", None, 401),
        ]

    def test_records_dropped_answers(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """A dropped answer is recorded as dropped, with the status it would have had."""
        sandbox.faults.drop_next_posts = 1
        target = sandbox.deviation_ids(commentable=True)[0]
        with pytest.raises(httpx.ReadTimeout):
            user_api.post(f"/comments/post/deviation/{target}", data={"body": "x"})
        [record] = sandbox.ledger.requests("post_comment")
        assert (record.status, record.dropped) == (200, True)

    def test_records_are_timed_on_the_sandbox_clock(
        self, sandbox: Sandbox, user_api: httpx.Client
    ) -> None:
        """The request time is the sandbox clock's now."""
        user_api.get("/placebo")
        assert sandbox.ledger.requests()[0].at == sandbox.clock.now()

    def test_never_stores_the_token(self, sandbox: Sandbox, user_api: httpx.Client) -> None:
        """No token string appears in the recorded requests."""
        token = sandbox.issue_user_token().access_token
        user_api.get("/placebo", headers={"Authorization": f"Bearer {token}"})
        assert token not in repr(sandbox.ledger.requests())


class TestTokenCalls:
    def test_counts_token_calls_by_grant_type(self, sandbox: Sandbox, http: httpx.Client) -> None:
        """Token-endpoint calls are counted per grant type, failed ones included."""
        auth = ("sandbox-client", "sandbox-secret")
        refresh = sandbox.issue_user_token().refresh_token
        assert refresh is not None
        http.post("/oauth2/token", data={"grant_type": "client_credentials"}, auth=auth)
        http.post(
            "/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": refresh},
            auth=auth,
        )
        http.post(
            "/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": refresh},
            auth=auth,
        )
        assert sandbox.ledger.token_calls_by_grant() == {
            "client_credentials": 1,
            "refresh_token": 2,
        }
        assert sandbox.ledger.token_calls() == 3
        assert sandbox.ledger.token_calls("authorization_code") == 0


class TestComments:
    def test_concurrent_posts_are_all_recorded(
        self, sandbox: Sandbox, sandbox_transport: httpx.BaseTransport
    ) -> None:
        """Posts from many threads all land in the ledger, one per deviation."""
        targets = sandbox.deviation_ids(commentable=True)[:40]
        token = sandbox.issue_user_token().access_token

        def post(ids: list[str]) -> None:
            with httpx.Client(
                transport=sandbox_transport,
                base_url="https://www.deviantart.com/api/v1/oauth2",
                headers={"Authorization": f"Bearer {token}"},
            ) as client:
                for deviationid in ids:
                    client.post(f"/comments/post/deviation/{deviationid}", data={"body": "hi"})

        threads = [threading.Thread(target=post, args=(targets[i::4],)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sandbox.ledger.commented_deviations() == set(targets)
        assert sandbox.ledger.duplicates() == []
        assert len(sandbox.ledger.all_comments()) == 40

    def test_seeded_comments_are_not_in_the_ledger(self, sandbox: Sandbox) -> None:
        """Only comments posted through the API count; the world's own comments do not."""
        assert sandbox.ledger.all_comments() == []
        assert any(sandbox.deviation(i)["stats"]["comments"] for i in sandbox.deviation_ids())


class TestOverHttp:
    def test_shows_the_comments_posted_and_the_reactions(
        self, sandbox: Sandbox, sandbox_clock: ManualClock, user_api: httpx.Client
    ) -> None:
        """`GET /sandbox/ledger`: our comments (a reply included) and what each earned."""
        sandbox.reactions = Reactions.certain(delay_s=60)
        target = sandbox.deviation_ids(commentable=True)[0]
        ours = user_api.post(f"/comments/post/deviation/{target}", data={"body": "Nice <b>!"})
        sandbox_clock.advance(60)
        sandbox.catch_up()
        reply = sandbox.ledger.reactions()[0]  # the first reaction, due now, is the reply
        answer = user_api.post(
            f"/comments/post/deviation/{target}",
            data={"body": "Thanks!", "commentid": str(reply.commentid)},
        )

        with SandboxServer(sandbox) as base_url:
            shown = httpx.get(f"{base_url}/sandbox/ledger").json()

        commentid = ours.json()["commentid"]
        assert reply.type == "feedback.reply"
        assert [
            (c["deviationid"], c["commentid"], c["parentid"], c["body"]) for c in shown["comments"]
        ] == [
            (target, commentid, None, "Nice <b>!"),
            (target, answer.json()["commentid"], reply.commentid, "Thanks!"),
        ]
        assert {r["type"] for r in shown["reactions"]} == {
            "feedback.reply",
            "feedback.watch",
            "feedback.favourite",
            "feedback.comment",
        }
        assert {r["trigger_commentid"] for r in shown["reactions"]} == {commentid}
        assert shown["reactions"][0] == {
            "at": reply.at.isoformat(),
            "type": "feedback.reply",
            "originator": reply.originator,
            "originator_userid": reply.originator_userid,
            "trigger_commentid": commentid,
            "messageid": reply.messageid,
            "deviationid": target,
            "commentid": reply.commentid,
        }

    def test_what_is_due_has_happened_when_it_is_shown(
        self,
        sandbox: Sandbox,
        sandbox_clock: ManualClock,
        user_api: httpx.Client,
        http: httpx.Client,
    ) -> None:
        """The clock moved past the reactions and nothing else was asked: they are listed."""
        sandbox.reactions = Reactions.certain(delay_s=60)
        user_api.post(
            f"/comments/post/deviation/{sandbox.deviation_ids(commentable=True)[0]}",
            data={"body": "hi"},
        )
        sandbox_clock.advance(60)

        assert len(http.get("/sandbox/ledger").json()["reactions"]) == 4

    def test_apart_from_the_api_and_without_a_token(
        self, sandbox: Sandbox, user_api: httpx.Client, http: httpx.Client
    ) -> None:
        """No token needed, none shown, not counted as a request, open in maintenance; GET only."""
        token = sandbox.issue_user_token().access_token
        user_api.post(
            f"/comments/post/deviation/{sandbox.deviation_ids(commentable=True)[0]}",
            data={"body": "hi"},
            headers={"Authorization": f"Bearer {token}"},
        )
        before = len(sandbox.ledger.requests())
        sandbox.faults.maintenance = True

        shown = http.get("/sandbox/ledger/")
        posted = http.post("/sandbox/ledger")

        assert shown.status_code == 200
        assert len(shown.json()["comments"]) == 1
        assert token not in shown.text
        assert sandbox.issue_user_token().refresh_token not in shown.text
        assert posted.status_code == 405
        assert len(sandbox.ledger.requests()) == before
