"""Inbox and Outcomes on the page, in a real browser against the real app and the sandbox.

Comments are posted by the real worker; the sandbox's deviants react to each of them for
sure (Reactions.certain); "Check now" on the page reads the message center. The page must
show what the API says, and an answer typed on the page must land once, under the reply.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from photomanager.domain.inbox import InboxMessage, MessageKind
from photomanager.sandbox import Reactions
from photomanager.services.posting.outcomes import StepOutcome
from web.webtest_support import LiveApp, PageRecorder, go_to, open_section, ready_to_post

pytestmark = pytest.mark.browser

WAIT_MS = 20_000
PREFIX = "/api/deviation-comments"
REACTION_DELAY_S = 1.0
ANSWER = 'Thank you! <b>so</b> glad & "happy" :)'
WORDY = "I love how {{author}} built the light here, your colours feel alive. How long did it take?"


def post(live: LiveApp, count: int) -> list[str]:
    """`count` comments posted by the worker's own step; their comment ids."""
    sent: list[str] = []
    for _ in range(count * 5):
        result = live.container.worker.run_once()
        if result.outcome is StepOutcome.SENT:
            sent.append(str(result.commentid))
            if len(sent) == count:
                return sent
    raise AssertionError(f"only {len(sent)} of {count} comments went out")


def react(live: LiveApp) -> None:
    """Let the deviants' reactions fall due on the sandbox's (real) clock."""
    time.sleep(REACTION_DELAY_S + 0.5)
    live.sandbox.catch_up()


def check_now(page: Page, live: LiveApp) -> None:
    """'Check now' on the inbox, then wait until the read has finished."""
    open_section(page, live, "inbox")
    page.locator("#inbox-check").click()
    live.container.inbox_overview.join(timeout=30)
    expect(page.locator("#inbox-last-poll")).to_contain_text("last checked", timeout=WAIT_MS)
    expect(page.locator("#inbox-flash")).to_contain_text("Checked: ", timeout=WAIT_MS)


def rate_text(value: float | None, low: float | None, high: float | None) -> str:
    """The page's phrase for a rate, from the API's numbers."""
    if value is None or low is None or high is None:
        return "no comment yet"
    return f"{round(value * 100)}% ({round(low * 100)}-{round(high * 100)}%)"


class TestInbox:
    def test_replies_are_listed_and_an_answer_typed_on_the_page_lands_once(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder
    ) -> None:
        """Check now fills the inbox; the typed answer goes under that reply, exactly once."""
        ready_to_post(live_app, 3)
        live_app.container.templates.create_template(title="Thanks", body="Lovely work!")
        live_app.sandbox.reactions = Reactions.certain(delay_s=REACTION_DELAY_S)
        ours = {c.upper() for c in post(live_app, 3)}
        react(live_app)

        check_now(page, live_app)

        api = live_app.api("GET", f"{PREFIX}/inbox").json()
        assert len(api["items"]) == 3
        items = page.locator("#inbox-list .inbox-item")
        expect(items).to_have_count(3, timeout=WAIT_MS)
        badge = page.locator('#section-links a[data-section="inbox"] .nav-count')
        expect(badge).to_contain_text("3")
        for shown, item in zip(items.all(), api["items"], strict=True):
            assert shown.get_attribute("data-id") == str(item["id"])  # newest first, as the API
            expect(shown.locator(".inbox-reply")).to_have_text(item["reply_body"])
            expect(shown.locator(".inbox-from")).to_have_text(item["from"])
            expect(shown.locator(".inbox-ours-text")).to_have_text(item["our_comment_body"])
            assert item["our_commentid"] in ours
        target = api["items"][1]
        item = page.locator(f'#inbox-list .inbox-item[data-id="{target["id"]}"]')
        # The deviation's own URL, as the browser normalizes it (a username may need escaping).
        href = page.evaluate("(url) => new URL(url).href", target["deviation_url"])
        expect(item.locator("a.inbox-deviation")).to_have_attribute("href", href)

        item.get_by_role("button", name="Mark read").click()
        expect(item.locator(".status-pill")).to_have_text("read")
        item.get_by_role("button", name="Answer…").click()
        item.get_by_label(f"Your answer to {target['from']}").fill(ANSWER)
        item.get_by_role("button", name="Post answer").dblclick()  # an eager double click

        expect(item.locator(".inbox-answer-text")).to_have_text(ANSWER, timeout=WAIT_MS)
        expect(item.locator(".status-pill")).to_have_text("answered")
        expect(page.locator("#inbox-flash")).to_contain_text("Answer posted")
        replies = live_app.sandbox.ledger.replies()
        assert [(r.parentid, r.body) for r in replies] == [(target["reply_commentid"], ANSWER)]
        assert live_app.sandbox.ledger.duplicate_replies() == []
        shown = live_app.api("GET", f"{PREFIX}/inbox?status=answered").json()["items"]
        assert [i["id"] for i in shown] == [target["id"]]
        expect(badge).to_contain_text("2", timeout=WAIT_MS)  # one read, one answered
        assert recorder.page_errors == []

    def test_an_answer_refused_by_the_server_is_said_in_words(
        self, page: Page, live_app: LiveApp
    ) -> None:
        """Answered meanwhile elsewhere: the page says 409 in words; nothing more is posted."""
        ready_to_post(live_app, 1)
        live_app.container.templates.create_template(title="Thanks", body="Lovely work!")
        live_app.sandbox.reactions = Reactions.certain(delay_s=REACTION_DELAY_S)
        post(live_app, 1)
        react(live_app)
        check_now(page, live_app)
        [target] = live_app.api("GET", f"{PREFIX}/inbox").json()["items"]
        item = page.locator(f'#inbox-list .inbox-item[data-id="{target["id"]}"]')
        item.get_by_role("button", name="Answer…").click()
        item.get_by_label(f"Your answer to {target['from']}").fill("From the page")
        elsewhere = live_app.api(
            "POST", f"{PREFIX}/inbox/{target['id']}/reply", {"body": "From the CLI"}
        )
        assert elsewhere.status_code == 200, elsewhere.text

        item.get_by_role("button", name="Post answer").click()

        error = item.locator(".inbox-answer .field-error")
        expect(error).to_contain_text("Not posted: this reply has an answer already")
        expect(error).not_to_contain_text("Traceback")
        assert [r.body for r in live_app.sandbox.ledger.replies()] == ["From the CLI"]

    def test_load_more_pages_by_cursor_and_the_filter_asks_the_server(
        self, page: Page, live_app: LiveApp
    ) -> None:
        """25 replies: 20, then the next 5 by cursor, newest first; 'read' shows the one read."""
        now = datetime.now(UTC)
        with live_app.container.uow_factory() as uow:
            for n in range(25):
                message = InboxMessage(
                    messageid=f"M{n:03}",
                    type="feedback.reply",
                    kind=MessageKind.REPLY,
                    ts=now - timedelta(minutes=n),
                    originator_username=f"deviant{n}",
                    deviationid=f"D{n}",
                    commentid=f"R{n}",
                    parentid=f"OURS{n}",
                    body=f"reply number {n}",
                )
                uow.inbox.add_messages([message], now - timedelta(minutes=n))
            uow.commit()
        every = live_app.api("GET", f"{PREFIX}/inbox?limit=100").json()["items"]

        open_section(page, live_app, "inbox")
        items = page.locator("#inbox-list .inbox-item")
        expect(items).to_have_count(20, timeout=WAIT_MS)
        page.locator("#inbox-more").click()
        expect(items).to_have_count(25)
        expect(page.locator("#inbox-more")).to_be_hidden()
        shown = [items.nth(i).get_attribute("data-id") for i in range(25)]
        assert shown == [str(item["id"]) for item in every]

        items.nth(3).get_by_role("button", name="Mark read").click()
        expect(items.nth(3).locator(".status-pill")).to_have_text("read")
        page.select_option("#inbox-filter", "read")
        expect(items).to_have_count(1)
        expect(items.first).to_have_attribute("data-id", str(every[3]["id"]))

    def test_a_connection_without_the_message_scope_asks_to_reconnect(
        self, page: Page, live_app: LiveApp
    ) -> None:
        """No `message` scope: the inbox and Overview say 'reconnect to read replies'."""
        token = live_app.sandbox.issue_user_token(scope="basic browse comment.post user")
        live_app.container.auth.tokens.store(token)

        open_section(page, live_app, "inbox")

        expect(page.locator("#inbox-reconnect")).to_be_visible(timeout=WAIT_MS)
        expect(page.locator("#inbox-reconnect a")).to_have_text("reconnect to read replies")
        go_to(page, "Overview")
        need = page.locator('#needs-you-list li[data-need="reconnect-inbox"] a')
        expect(need).to_have_text("Reconnect to read replies", timeout=WAIT_MS)
        expect(need).to_have_attribute("href", "/auth/login")


class TestOutcomes:
    def test_the_table_and_the_chart_show_the_apis_figures_and_mark_the_weaker_template(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder
    ) -> None:
        """Per template and per week the page shows the API's numbers, with intervals; the
        template nobody answered is marked clearly lower; Overview links the unread replies."""
        ready_to_post(live_app, 8)
        templates = live_app.container.templates
        wordy = templates.create_template(title="Wordy", body=WORDY)
        live_app.sandbox.reactions = Reactions.certain(delay_s=REACTION_DELAY_S)
        post(live_app, 4)
        templates.update_template(wordy.message_id, is_active=False)
        terse = templates.create_template(title="Terse", body="Nice.")
        live_app.sandbox.reactions = Reactions.off()
        post(live_app, 4)
        react(live_app)
        check_now(page, live_app)

        go_to(page, "Outcomes")
        by_template = live_app.api("GET", f"{PREFIX}/outcomes?group_by=template").json()
        groups = {g["key"]: g for g in by_template["groups"]}
        assert groups[str(wordy.message_id)]["replies"] == 4  # the deviants really answered
        assert groups[str(terse.message_id)]["clearly_lower"] is True
        rows = page.locator("#outcomes-rows tr")
        expect(rows).to_have_count(len(groups), timeout=WAIT_MS)
        for key, group in groups.items():
            row = page.locator(f'#outcomes-rows tr[data-key="{key}"]')
            expect(row.locator(".outcome-label")).to_have_text(group["label"])
            for field in ("comments", "replies", "watch_backs", "fave_backs", "comment_backs"):
                expect(row.locator(f"td.{field}")).to_have_text(str(group[field]))
            expected = rate_text(
                group["reply_rate"], group["reply_rate_low"], group["reply_rate_high"]
            )
            expect(row.locator("td.rate .rate-text").first).to_have_text(expected)
            marked = row.locator(".lower-mark")
            expect(marked).to_have_count(1 if group["clearly_lower"] else 0)
        terse_row = page.locator(f'#outcomes-rows tr[data-key="{terse.message_id}"]')
        expect(terse_row.locator("td.rate .rate-text").first).to_have_text("0% (0-49%)")
        totals = page.locator("#outcomes-totals tr")
        expect(totals.locator("td.comments")).to_have_text(str(by_template["totals"]["comments"]))
        expect(page.locator("#outcomes-window")).to_have_text(str(by_template["attribution_days"]))

        by_week = live_app.api("GET", f"{PREFIX}/outcomes?group_by=week").json()
        bars = page.locator("#outcomes-chart svg g.week")
        expect(bars).to_have_count(len(by_week["groups"]))
        for group in by_week["groups"]:
            bar = page.locator(f'#outcomes-chart g.week[data-week="{group["key"]}"]')
            for field in ("comments", "replies", "watch_backs", "fave_backs", "comment_backs"):
                expect(bar).to_have_attribute(f"data-{field}", str(group[field]))

        page.select_option("#outcomes-group", "week")
        expect(page.locator("#outcomes-key-col")).to_have_text("Week")
        for group in by_week["groups"]:
            row = page.locator(f'#outcomes-rows tr[data-key="{group["key"]}"]')
            expect(row.locator("td.comments")).to_have_text(str(group["comments"]))

        go_to(page, "Overview")
        need = page.locator('#needs-you-list li[data-need="inbox"] a')
        expect(need).to_have_text("4 replies to your comments unread", timeout=WAIT_MS)
        need.click()
        expect(page.locator("#section-inbox")).to_be_visible()
        assert recorder.page_errors == []
