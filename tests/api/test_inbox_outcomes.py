"""The inbox and outcomes over HTTP, on the sandbox's message center.

Comments are posted by the real worker, the sandbox's deviants react (every
reaction certain, a minute later), a refresh reads the message center, and
the figures must equal what the sandbox's ledger says the deviants did.
"""

from __future__ import annotations

from collections import Counter

import pytest

from api.support import JSON, PREFIX, TestClient, post_one
from fixtures.sandbox import OUTCOME_FIELD
from photomanager.bootstrap import Container
from photomanager.sandbox import ManualClock, Reactions, Sandbox
from photomanager.services.posting.outcomes import StepOutcome

ITEM_KEYS = {
    "id",
    "messageid",
    "kind",
    "deviationid",
    "deviation_title",
    "deviation_url",
    "our_commentid",
    "our_comment_body",
    "reply_commentid",
    "reply_body",
    "from",
    "received_at",
    "status",
    "answer",
}
COMMENTS = 3


@pytest.fixture
def reacted(posting: Container, sandbox: Sandbox, sandbox_clock: ManualClock) -> list[str]:
    """Three comments posted; every deviant reacted to each a minute later. Their ids."""
    sandbox.reactions = Reactions.certain(delay_s=60)
    ids = [str(post_one(posting).commentid) for _ in range(COMMENTS)]
    sandbox_clock.advance(120)
    sandbox.catch_up()
    return ids


def refresh(client: TestClient, container: Container) -> dict[str, object]:
    response = client.post(f"{PREFIX}/outcomes/refresh", headers=JSON)
    assert response.status_code == 202, response.text
    container.inbox_overview.join(timeout=30)
    body: dict[str, object] = response.json()
    return body


def expected(sandbox: Sandbox, ours: list[str]) -> Counter[str]:
    wanted = {c.upper() for c in ours}
    return Counter(
        OUTCOME_FIELD[r.type]
        for r in sandbox.ledger.reactions()
        if r.trigger_commentid in wanted and r.type in OUTCOME_FIELD
    )


class TestOutcomes:
    def test_figures_equal_what_the_deviants_did(
        self, client: TestClient, posting: Container, sandbox: Sandbox, reacted: list[str]
    ) -> None:
        """Per template: 3 comments and exactly the reactions the sandbox's ledger holds."""
        started = refresh(client, posting)

        body = client.get(f"{PREFIX}/outcomes", params={"group_by": "template"}).json()

        assert started["by"] == "background"  # no worker runs in this test
        assert sandbox.ledger.requests("messages_feed") != []
        (group,) = body["groups"]
        truth = expected(sandbox, reacted)
        assert truth["replies"] == COMMENTS  # the sandbox really reacted
        assert group["label"] == "Thanks"
        assert group["comments"] == COMMENTS
        for field in ("replies", "watch_backs", "fave_backs", "comment_backs"):
            assert group[field] == truth[field], field
        assert group["reply_rate"] == 1.0
        assert 0 < group["reply_rate_low"] < 1.0 == group["reply_rate_high"]
        assert body["totals"]["comments"] == COMMENTS
        assert body["attribution_days"] == 14
        assert body["last_poll"]["finished_at"] is not None
        assert body["last_poll"]["reconnect_to_read_replies"] is False

    def test_a_second_refresh_counts_nothing_twice(
        self, client: TestClient, posting: Container, reacted: list[str]
    ) -> None:
        """The same messages read again: the figures do not move."""
        refresh(client, posting)
        first = client.get(f"{PREFIX}/outcomes").json()["totals"]
        refresh(client, posting)

        assert client.get(f"{PREFIX}/outcomes").json()["totals"] == first

    def test_grouped_by_source_and_week(
        self, client: TestClient, posting: Container, reacted: list[str]
    ) -> None:
        """Sources and ISO weeks as keys and labels; the same totals."""
        refresh(client, posting)

        by_source = client.get(f"{PREFIX}/outcomes", params={"group_by": "source"}).json()
        by_week = client.get(f"{PREFIX}/outcomes", params={"group_by": "week"}).json()

        assert [g["key"] for g in by_source["groups"]] == ["watch_feed"]
        assert by_week["groups"][0]["label"].count("-W") == 1
        assert by_source["totals"] == by_week["totals"]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"group_by": "author"}, "group_by"),
            ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "since"),
            ({"since": "yesterday"}, "since"),
        ],
    )
    def test_bad_queries_are_422_saying_what_to_fix(
        self, client: TestClient, params: dict[str, str], field: str
    ) -> None:
        """The one error shape, naming the field."""
        response = client.get(f"{PREFIX}/outcomes", params=params)

        assert response.status_code == 422
        body = response.json()
        assert set(body) == {"error", "message", "details"}
        assert field in str(body["details"]) + body["message"]


class TestInbox:
    def test_replies_are_listed_with_our_comment(
        self, client: TestClient, posting: Container, reacted: list[str]
    ) -> None:
        """Every reply to our comments, newest first, in the documented shape."""
        refresh(client, posting)

        body = client.get(f"{PREFIX}/inbox", params={"status": "unread"}).json()

        assert len(body["items"]) == COMMENTS
        assert body["unread"] == COMMENTS
        for item in body["items"]:
            assert set(item) == ITEM_KEYS
            assert item["kind"] == "reply"
            assert item["our_commentid"] in {c.upper() for c in reacted}
            assert item["our_comment_body"]
            assert item["status"] == "unread"
        received = [item["received_at"] for item in body["items"]]
        assert received == sorted(received, reverse=True)

    def test_read_then_reply_once_under_the_right_comment(
        self, client: TestClient, posting: Container, sandbox: Sandbox, reacted: list[str]
    ) -> None:
        """Read, answer: one reply of ours under the deviant's reply; a second answer is 409."""
        refresh(client, posting)
        item = client.get(f"{PREFIX}/inbox").json()["items"][0]

        read = client.post(f"{PREFIX}/inbox/{item['id']}/read", headers=JSON)
        answered = client.post(
            f"{PREFIX}/inbox/{item['id']}/reply", json={"body": "Thank you so much!"}
        )
        again = client.post(f"{PREFIX}/inbox/{item['id']}/reply", json={"body": "Thanks!"})

        assert read.json()["status"] == "read"
        assert answered.status_code == 200, answered.text
        assert answered.json()["status"] == "answered"
        assert answered.json()["answer"]["state"] == "sent"
        assert again.status_code == 409
        assert again.json()["error"] == "already_answered"
        ours = sandbox.ledger.replies()
        assert [(r.parentid, r.body) for r in ours] == [
            (item["reply_commentid"], "Thank you so much!")
        ]
        assert sandbox.ledger.duplicate_replies() == []

    @pytest.mark.parametrize(
        ("body", "status"),
        [({"body": ""}, 422), ({"body": "   "}, 422), ({"text": "hi"}, 422), ({"body": 3}, 422)],
    )
    def test_a_bad_answer_is_422(
        self,
        client: TestClient,
        posting: Container,
        reacted: list[str],
        body: dict[str, object],
        status: int,
    ) -> None:
        """Empty, blank, misnamed or not text: 422 in the one error shape, nothing posted."""
        refresh(client, posting)
        item = client.get(f"{PREFIX}/inbox").json()["items"][0]

        response = client.post(f"{PREFIX}/inbox/{item['id']}/reply", json=body)

        assert response.status_code == status
        assert set(response.json()) == {"error", "message", "details"}

    def test_unknown_items_and_filters(self, client: TestClient) -> None:
        """404 for an unknown id, 422 for an unknown status."""
        missing = client.post(f"{PREFIX}/inbox/12345/reply", json={"body": "hi"})
        bad = client.get(f"{PREFIX}/inbox", params={"status": "new"})
        read = client.post(f"{PREFIX}/inbox/12345/read", headers=JSON)

        assert missing.status_code == 404
        assert bad.status_code == 422
        assert read.status_code == 404
        assert missing.json()["error"] == "not_found"


class TestStatus:
    def test_status_says_when_the_inbox_was_read(
        self, client: TestClient, posting: Container, reacted: list[str]
    ) -> None:
        """`inbox` in the status: the last poll and the unread replies."""
        refresh(client, posting)

        inbox = client.get(f"{PREFIX}/status").json()["inbox"]

        assert inbox["reconnect_to_read_replies"] is False
        assert inbox["unread"] == COMMENTS
        assert inbox["last_poll"]["new"] >= COMMENTS

    def test_a_connection_without_the_message_scope_asks_to_reconnect(
        self, client: TestClient, container: Container, sandbox: Sandbox
    ) -> None:
        """An old connection (no `message`): reconnect to read replies; no poll is sent."""
        container.auth.tokens.store(sandbox.issue_user_token(scope="browse comment.post user"))

        refresh(client, container)

        inbox = client.get(f"{PREFIX}/status").json()["inbox"]
        assert inbox["reconnect_to_read_replies"] is True
        assert sandbox.ledger.requests("messages_feed") == []


SHORT = "Nice!"
LONG = (
    "{{title}} is wonderful: I love how you built the light in {{title}}, your colours feel "
    "alive and your composition pulls me right in. How long did you work on it?"
)


class TestTwoTemplates:
    def test_outcomes_per_template_equal_the_ledger(
        self,
        client: TestClient,
        collected: Container,
        sandbox: Sandbox,
        sandbox_clock: ManualClock,
    ) -> None:
        """Two templates, a few dozen comments, the sandbox's own model of deviants: per
        template, the API's figures are exactly what the ledger says each comment earned."""
        short = collected.templates.create_template(title="Short", body=SHORT)
        long = collected.templates.create_template(title="Long", body=LONG)
        sandbox.reactions = Reactions()  # the demo's model: noise and strangers included
        sent: list[str] = []
        for _ in range(200):
            result = collected.worker.run_once()
            if result.outcome is StepOutcome.IDLE or len(sent) >= 30:
                break
            if result.outcome is StepOutcome.SENT:
                sent.append(str(result.commentid))
            sandbox_clock.advance(30)
        sandbox_clock.advance(600)  # every reaction is due (300 s at most)
        sandbox.catch_up()
        for _ in range(20):  # read everything (a few pages a poll)
            sandbox_clock.advance(1)
            refresh(client, collected)
            if client.get(f"{PREFIX}/outcomes").json()["last_poll"]["new"] == 0:
                break

        body = client.get(f"{PREFIX}/outcomes", params={"group_by": "template"}).json()

        entries, _ = collected.logs.list_logs(limit=500)
        template_of = {e.commentid: e.message_id for e in entries if e.commentid}
        truth: dict[int, Counter[str]] = {short.message_id: Counter(), long.message_id: Counter()}
        for reaction in sandbox.ledger.reactions():
            template = template_of.get(reaction.trigger_commentid)
            if template is not None and reaction.type in OUTCOME_FIELD:
                truth[template][OUTCOME_FIELD[reaction.type]] += 1
        groups = {int(g["key"]): g for g in body["groups"]}
        assert len(sent) >= 20
        assert sum(g["comments"] for g in groups.values()) == len(sent)
        assert sum(truth[long.message_id].values()) > 0  # the deviants really reacted
        for template_id, counts in truth.items():
            for field in ("replies", "watch_backs", "fave_backs", "comment_backs"):
                assert groups[template_id][field] == counts[field], (template_id, field)


class TestSettings:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"inbox_poll_minutes": 2}, "inbox_poll_minutes"),
            ({"inbox_poll_minutes": -1}, "inbox_poll_minutes"),
            ({"attribution_days": 0}, "attribution_days"),
            ({"attribution_days": 400}, "attribution_days"),
        ],
    )
    def test_out_of_range_is_422_naming_the_field(
        self, client: TestClient, change: dict[str, int], field: str
    ) -> None:
        """Polling more often than every 5 minutes, or a window of 0 or 400 days: refused."""
        response = client.put(f"{PREFIX}/settings", json=change)

        assert response.status_code == 422
        assert field in str(response.json()["details"])

    def test_the_settings_are_saved_and_shown(self, client: TestClient) -> None:
        """0 (never) and 30 days are taken; GET shows them."""
        response = client.put(
            f"{PREFIX}/settings", json={"inbox_poll_minutes": 0, "attribution_days": 30}
        )

        assert response.status_code == 200, response.text
        shown = client.get(f"{PREFIX}/settings").json()
        assert (shown["inbox_poll_minutes"], shown["attribution_days"]) == (0, 30)
